package io.pktring.topic2pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the
 * Avro binary encoding of the value with that (writer) schema.
 */
public final class ConfluentAvroDecoder {

    private static final byte MAGIC = 0;
    private static final int HEADER = 5;

    private final SchemaRegistryClient registry;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private BinaryDecoder decoder;

    public ConfluentAvroDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** @throws IOException when the registry cannot give the schema (not the record's fault) */
    public GenericRecord decode(byte[] value) throws RecordDecodeException, IOException {
        if (value == null) {
            throw new RecordDecodeException("empty value (tombstone)");
        }
        if (value.length < HEADER || value[0] != MAGIC) {
            throw new RecordDecodeException("not Confluent wire format (needs magic byte 0 and a 4-byte schema id; "
                    + value.length + " bytes, first byte " + (value.length > 0 ? value[0] : "none") + ")");
        }
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        GenericDatumReader<GenericRecord> reader = readers.get(id);
        if (reader == null) {
            Schema schema = registry.schemaById(id);
            reader = new GenericDatumReader<>(schema);
            readers.put(id, reader);
        }
        decoder = DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, decoder);
        try {
            GenericRecord record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new RecordDecodeException("trailing bytes after the Avro value (schema id " + id + ")");
            }
            return record;
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodeException("Avro value does not match schema id " + id + ": " + e, e);
        }
    }
}
