package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The schema evolution policy (README, "Schema evolution"): each new version of Packet and
 * PacketColumns reads records of the one before (BACKWARD, the registry's default) and the one
 * before reads the new records (FORWARD), by Avro's own resolution rules; a consumer built
 * against version 1 reads version 2 records, field for field, and the other way round.
 * Version 1 is kept as it shipped in src/test/resources/avro/v1.
 */
class SchemaEvolutionTest {

    @Test
    void eachVersionReadsTheOther() throws IOException {
        for (String name : List.of("Packet", "PacketColumns")) {
            Schema v1 = v1(name);
            Schema v2 = AvroSchemaFilesTest.derived(name.equals("Packet") ? PacketSchemas.PACKET : PacketSchemas.PACKET_COLUMNS);
            assertEquals(SchemaCompatibilityType.COMPATIBLE,
                    SchemaCompatibility.checkReaderWriterCompatibility(v2, v1).getType(), name + ": v2 reads v1 (BACKWARD)");
            assertEquals(SchemaCompatibilityType.COMPATIBLE,
                    SchemaCompatibility.checkReaderWriterCompatibility(v1, v2).getType(), name + ": v1 reads v2 (FORWARD)");
        }
    }

    @Test
    void anOldConsumerReadsNewRecordsAndANewOneOldRecords() throws IOException {
        Schema v1 = v1("Packet");
        Schema v2 = AvroSchemaFilesTest.derived(PacketSchemas.PACKET);
        GenericRecord newRecord = new GenericData.Record(v2);
        for (Schema.Field f : v2.getFields()) {
            newRecord.put(f.name(), sample(f.schema()));
        }
        newRecord.put("sensor", "rack7-tap1");
        newRecord.put("epoch", 4_503_599_627_370_495L);

        GenericRecord asOld = read(write(newRecord, v2), v2, v1);
        for (Schema.Field f : v1.getFields()) {
            assertEquals(newRecord.get(f.name()), asOld.get(f.name()), "v1 reader, field " + f.name());
        }
        GenericRecord asNew = read(write(asOld, v1), v1, v2);
        for (Schema.Field f : v1.getFields()) {
            assertEquals(asOld.get(f.name()), asNew.get(f.name()), "v2 reader of a v1 record, field " + f.name());
        }
        assertNull(asNew.get("sensor"), "a v1 record has no sensor: null");
        assertNull(asNew.get("epoch"), "a v1 packet record has no epoch in its value: null");
    }

    static Schema v1(String name) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/avro/v1/" + name + ".avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    /** A value of the (non-null branch of the) schema, different per type. */
    private static Object sample(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        return switch (s.getType()) {
            case LONG -> 1_796_119_320_123_456_789L;
            case INT -> 443;
            case STRING -> new org.apache.avro.util.Utf8("text");
            case BYTES -> java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3});
            default -> throw new IllegalArgumentException(s.toString());
        };
    }

    private static byte[] write(GenericRecord r, Schema writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(r, e);
        e.flush();
        return out.toByteArray();
    }

    private static GenericRecord read(byte[] bytes, Schema writer, Schema reader) throws IOException {
        return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
