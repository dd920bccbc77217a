package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.FixedOffsetTaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which host captured a record: the sensor setting in every record (field and header), in the
 * topic name where the template asks for it; the epoch in a packet record's value; and the
 * headers record.headers keeps.
 */
class SensorTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordNamesItsSensorAndAPacketItsEpoch() throws Exception {
        for (String mode : List.of("packet", "block")) {
            Path ring = dir.resolve(mode);
            long epoch = write(ring);
            List<SourceRecord> records = poll(ring, 5, "record.mode", mode, "sensor", "rack7-tap1",
                    "topic", "pktring.${sensor}.${ifname}");
            for (SourceRecord r : records) {
                Struct v = (Struct) r.value();
                assertEquals("rack7-tap1", v.getString(PacketSchemas.F_SENSOR), mode);
                assertEquals("rack7-tap1", r.headers().lastWithName(PacketSchemas.HEADER_SENSOR).value(), mode);
                assertEquals("pktring.rack7-tap1.eth0", r.topic(), mode);
                assertEquals(epoch, v.getInt64(PacketSchemas.F_EPOCH), mode);
            }
        }
    }

    @Test
    void theDefaultSensorIsTheHostsName() throws Exception {
        String host = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        List<SourceRecord> records = poll(ring("default"), 5);
        assertEquals(host, ((Struct) records.get(0).value()).getString(PacketSchemas.F_SENSOR));
    }

    @Test
    void recordHeadersKeepsOnlyThoseNamed() throws Exception {
        List<SourceRecord> records = poll(ring("headers"), 5, "record.headers", "lost");
        for (SourceRecord r : records) {
            List<String> keys = new ArrayList<>();
            for (Header h : r.headers()) {
                keys.add(h.key());
            }
            assertEquals(List.of(PacketSchemas.HEADER_LOST), keys);
        }
        SourceRecord none = poll(ring("none"), 5, "record.headers", "").get(0);
        assertTrue(none.headers().isEmpty());
        assertNull(none.headers().lastWithName(PacketSchemas.HEADER_SEQ));
    }

    @Test
    void badSensorsAndHeaderNamesAreRefused() {
        Map<String, String> base = Map.of(PktringSourceConnectorConfig.RING_PATHS, "/dev/shm/pktring/x");
        for (String bad : List.of("", "host name", "a\u001b[31m", "x".repeat(254))) {
            Map<String, String> p = new HashMap<>(base);
            p.put("sensor", bad);
            ConfigException e = assertThrows(ConfigException.class, () -> new PktringSourceConnectorConfig(p));
            assertTrue(e.getMessage().contains("sensor name"), e.getMessage());
        }
        Map<String, String> p = new HashMap<>(base);
        p.put("record.headers", "seq,flow");
        ConfigException e = assertThrows(ConfigException.class, () -> new PktringSourceConnectorConfig(p));
        assertTrue(e.getMessage().contains("'flow' is not a header"), e.getMessage());
    }

    private Path ring(String name) throws Exception {
        Path ring = dir.resolve(name);
        write(ring);
        return ring;
    }

    /** Five packets into a new ring at path; its epoch. */
    private static long write(Path ring) throws Exception {
        try (TestRingWriter w = TestRingWriter.create(ring, 1 << 16, 1, 65535, "eth0")) {
            for (int i = 0; i < 5; i++) {
                w.write(new byte[60 + i], 60 + i, 60 + i, 1_796_119_320_000_000_000L + i);
            }
            return w.epoch();
        }
    }

    private static List<SourceRecord> poll(Path ring, int packets, String... extra) throws InterruptedException {
        Map<String, String> props = new HashMap<>();
        props.put("name", "sensor-" + System.nanoTime());
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString());
        props.put(PktringSourceConnectorConfig.POLL_LINGER_MS, "0");
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        List<SourceRecord> out = new ArrayList<>();
        try {
            int seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen < packets && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                for (SourceRecord r : batch == null ? List.<SourceRecord>of() : batch) {
                    Struct v = (Struct) r.value();
                    seen += v.schema() == PacketSchemas.PACKET_COLUMNS ? v.getInt32("count") : 1;
                    out.add(r);
                }
            }
            assertEquals(packets, seen, "packets the task read");
        } finally {
            task.stop();
        }
        return out;
    }
}
