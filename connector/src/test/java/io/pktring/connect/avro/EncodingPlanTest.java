package io.pktring.connect.avro;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.serde.avro.NonRecordContainer;
import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.pktring.connect.PacketSchemas;

/**
 * The plan writes the very bytes that Apicurio's AvroConverter writes after its header: Avro's
 * GenericDatumWriter over what AvroData.fromConnectData makes of the value (the converter's body,
 * without its registry); and what it cannot write, or cannot reach, is a DataException that names
 * the field, the URL and the subject. Needs no registry (PktringAvroConverterIT uses the real one).
 */
class EncodingPlanTest {

    private final AvroData avroData = new AvroData(new AvroDataConfig(Map.of()));

    @Test
    void bodyIsWhatGenericDatumWriterWritesOfAvroDatasRecord() throws IOException {
        List<SampleValues.Sample> samples = new SampleValues(1).samples(300);
        int compared = 0;
        for (SampleValues.Sample s : samples) {
            if (s.value() == null) {
                continue;
            }
            org.apache.avro.Schema writer = PktringAvroConverter.writerSchema(avroData, s.schema());
            assertArrayEquals(genericBody(writer, s.schema(), s.value()), planBody(writer, s.schema(), s.value()), s.name());
            compared++;
        }
        assertTrue(compared > 2500, "values compared: " + compared);
    }

    @Test
    void emptyAndNullEverywhere() throws IOException {
        Struct packet = new Struct(PacketSchemas.PACKET).put("timestamp", new java.util.Date(-1)).put("ts_ns", -1L)
                .put("seq", 0L).put("ifname", "").put("ifindex", 0).put("direction", "").put("pkttype", 0)
                .put("caplen", 0).put("origlen", 0).put("linktype", 0).put("data", new byte[0]);
        Struct block = new Struct(SampleValues.NESTED_BLOCK).put("ifname", "").put("linktype", 1).put("epoch", 0L)
                .put("first_seq", 0L).put("last_seq", 0L).put("lost", 0L).put("packets", List.of());
        for (Struct s : List.of(packet, block, new Struct(SampleValues.NESTED_BLOCK).put("ifname", "x").put("linktype", 1)
                .put("epoch", 1L).put("first_seq", 0L).put("last_seq", 0L).put("lost", 0L).put("packets", List.of(packet)))) {
            org.apache.avro.Schema writer = PktringAvroConverter.writerSchema(avroData, s.schema());
            assertArrayEquals(genericBody(writer, s.schema(), s), planBody(writer, s.schema(), s));
        }
    }

    @Test
    void schemasItCannotWriteAreRefusedNamingTheField() {
        Schema union = SchemaBuilder.struct().name("io.confluent.connect.avro.Union")
                .field("int", Schema.OPTIONAL_INT32_SCHEMA).field("string", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema withUnion = SchemaBuilder.struct().name("io.pktring.test.WithUnion").field("choice", union).build();
        DataException e = assertThrows(DataException.class,
                () -> EncodingPlan.compile(withUnion, avroData.fromConnectSchema(withUnion)));
        assertTrue(e.getMessage().contains("io.pktring.test.WithUnion.choice"), e.getMessage());
        assertTrue(e.getMessage().contains("union"), e.getMessage());

        // An Avro enum (AvroData's enhanced schema support) is not written either.
        AvroData enhanced = new AvroData(new AvroDataConfig(Map.of("enhanced.avro.schema.support", true)));
        Schema withEnum = SchemaBuilder.struct().name("io.pktring.test.WithEnum")
                .field("dir", SchemaBuilder.string().name("io.pktring.test.Dir").parameter("io.confluent.connect.avro.Enum",
                        "io.pktring.test.Dir").parameter("io.confluent.connect.avro.Enum.in", "in")
                        .parameter("io.confluent.connect.avro.Enum.out", "out").build()).build();
        e = assertThrows(DataException.class, () -> EncodingPlan.compile(withEnum, enhanced.fromConnectSchema(withEnum)));
        assertTrue(e.getMessage().contains("io.pktring.test.WithEnum.dir") && e.getMessage().contains("enum"), e.getMessage());
    }

    @Test
    void registryDownIsADataExceptionNamingUrlAndSubject() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens here once closed
        }
        String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        PktringAvroConverter c = new PktringAvroConverter();
        c.configure(Map.of("schema.registry.url", url), false);
        Struct packet = (Struct) new SampleValues(2).value(PacketSchemas.PACKET, 0);
        DataException e = assertThrows(DataException.class, () -> c.fromConnectData("down", PacketSchemas.PACKET, packet));
        assertTrue(e.getMessage().contains(url + "/subjects/down-value/versions"), e.getMessage());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        // Not cached: the next record tries again, and fails the same way.
        assertThrows(DataException.class, () -> c.fromConnectData("down", PacketSchemas.PACKET, packet));

        c.configure(Map.of("schema.registry.url", url, "auto.register.schemas", "false"), false);
        e = assertThrows(DataException.class, () -> c.fromConnectData("down", PacketSchemas.PACKET, packet));
        assertTrue(e.getMessage().contains(url + "/subjects/down-value"), e.getMessage());
        e = assertThrows(DataException.class, () -> c.toConnectData("down", new byte[] {0, 0, 0, 0, 42, 2}));
        assertTrue(e.getMessage().contains(url + "/schemas/ids/42"), e.getMessage());
    }

    @Test
    void nullsTombstonesAndValuesWithoutSchema() throws IOException {
        PktringAvroConverter c = new PktringAvroConverter();
        c.configure(Map.of("schema.registry.url", "http://127.0.0.1:9/"), false); // never called below
        assertNull(c.fromConnectData("t", null, null));
        assertNull(c.fromConnectData("t", Schema.OPTIONAL_STRING_SCHEMA, null));
        assertNull(c.fromConnectData("t", SampleValues.OPTIONAL_STRUCT, null));
        assertTrue(assertThrows(DataException.class, () -> c.fromConnectData("t", PacketSchemas.PACKET, null))
                .getMessage().contains("io.pktring.Packet"));
        assertTrue(assertThrows(DataException.class, () -> c.fromConnectData("t", null, "text"))
                .getMessage().contains("schema"));
        assertTrue(assertThrows(DataException.class, () -> c.toConnectData("t", new byte[] {1, 0, 0, 0, 1}))
                .getMessage().contains("Confluent wire format"));
        assertEquals(null, c.toConnectData("t", null).value());
    }

    @Test
    void configuration() {
        PktringAvroConverter c = new PktringAvroConverter();
        assertThrows(ConfigException.class, () -> c.configure(Map.of(), false));
        Map<String, Object> other = new HashMap<>(Map.of("schema.registry.url", "http://127.0.0.1:8081"));
        other.put("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        ConfigException e = assertThrows(ConfigException.class, () -> c.configure(other, false));
        assertTrue(e.getMessage().contains("value.subject.name.strategy"), e.getMessage());
        assertTrue(c.config().names().containsAll(List.of("schema.registry.url", "auto.register.schemas",
                "use.latest.version", "basic.auth.user.info", "connect.meta.data")));
        assertFalse(c.version().isEmpty());
    }

    /** What Apicurio's AvroConverter writes after the 5-byte header. */
    private byte[] genericBody(org.apache.avro.Schema writer, Schema schema, Object value) throws IOException {
        Object datum = avroData.fromConnectData(schema, value);
        if (datum instanceof NonRecordContainer<?> c) {
            datum = c.getValue();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<Object>(writer).write(datum, e);
        e.flush();
        return out.toByteArray();
    }

    private static byte[] planBody(org.apache.avro.Schema writer, Schema schema, Object value) throws IOException {
        RecordBuffer b = new RecordBuffer();
        b.start(0);
        EncodingPlan.compile(schema, writer).write(value, b);
        byte[] all = b.toByteArray();
        return java.util.Arrays.copyOfRange(all, RecordBuffer.HEADER_SIZE, all.length);
    }
}
