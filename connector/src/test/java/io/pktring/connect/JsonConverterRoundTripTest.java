package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.TaskRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's records are plain Connect data, not only Avro's: through Kafka's JsonConverter
 * with schemas (value.converter=org.apache.kafka.connect.json.JsonConverter) each comes back
 * equal, schema and value, 64-bit times and packet bytes included. What the plugin's manifest
 * claims (supported encodings: Avro and JSON).
 */
class JsonConverterRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"packet", "block"})
    void everyRecordComesBackEqual(String mode) throws Exception {
        Path ring = dir.resolve("ring");
        long t0 = 1_796_119_320_123_456_789L; // ns since 1970, above 2^53 as every capture time is
        try (TestRingWriter w = TestRingWriter.create(ring, 1 << 16, 1, 65535, "eth0")) {
            for (int i = 0; i < 40; i++) {
                byte[] frame = new byte[14 + i * 7 % 200];
                for (int j = 0; j < frame.length; j++) {
                    frame[j] = (byte) (i * 13 + j);
                }
                w.write(frame, frame.length, frame.length + i % 3, t0 + i * 1_000_003L);
            }
        }
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "converter.type", "value"), false);
        List<SourceRecord> records = TaskRecords.of(ring, 40, "record.mode", mode);
        assertTrue(!records.isEmpty());
        for (SourceRecord r : records) {
            byte[] bytes = json.fromConnectData(r.topic(), r.valueSchema(), r.value());
            SchemaAndValue back = json.toConnectData(r.topic(), bytes);
            assertEquals(r.valueSchema(), back.schema(), "schema of " + r.sourceOffset());
            Struct want = (Struct) r.value();
            Struct got = (Struct) back.value();
            for (var f : want.schema().fields()) {
                Object a = want.get(f), b = got.get(f.name());
                if (a instanceof byte[] x) {
                    assertEquals(java.util.HexFormat.of().formatHex(x), java.util.HexFormat.of().formatHex((byte[]) b), f.name());
                } else if (a instanceof List<?> l) {
                    assertEquals(new ArrayList<>(l), b, f.name());
                } else {
                    assertEquals(a, b, f.name());
                }
            }
        }
    }
}
