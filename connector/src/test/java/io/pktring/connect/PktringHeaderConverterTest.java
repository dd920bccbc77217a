package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.junit.jupiter.api.Test;

class PktringHeaderConverterTest {

    private final SimpleHeaderConverter simple = new SimpleHeaderConverter();
    private final PktringHeaderConverter fast = new PktringHeaderConverter();

    private void same(Schema schema, Object value) {
        assertArrayEquals(simple.fromConnectHeader("t", "h", schema, value), fast.fromConnectHeader("t", "h", schema, value),
                "header bytes of " + value);
    }

    @Test
    void writesTheBytesSimpleHeaderConverterWrites() {
        fast.configure(Map.of());
        long[] edges = {0, 1, -1, 9, 10, 99, 100, 127, 128, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, Long.MIN_VALUE + 1, 999_999_999_999L, -1_000_000_000_000L, Long.parseUnsignedLong("11928071084927259465") /* an epoch */};
        for (long v : edges) {
            same(Schema.INT64_SCHEMA, v);
            same(Schema.INT64_SCHEMA, v); // again: from the recent values
        }
        Random r = new Random(10);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            same(Schema.INT64_SCHEMA, v);
            same(Schema.INT32_SCHEMA, (int) v);
        }
        same(Schema.STRING_SCHEMA, "pktring");
        same(Schema.FLOAT64_SCHEMA, 1.5);
        same(Schema.INT16_SCHEMA, (short) 7);
        same(Schema.INT64_SCHEMA, null);
    }

    @Test
    void readsAsSimpleHeaderConverterReads() {
        byte[] b = fast.fromConnectHeader("t", "pktring.seq", Schema.INT64_SCHEMA, 123456789012L);
        SchemaAndValue v = fast.toConnectHeader("t", "pktring.seq", b);
        assertEquals(simple.toConnectHeader("t", "pktring.seq", b), v);
        assertEquals(123456789012L, ((Number) v.value()).longValue());
    }
}
