package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.TaskRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            List<SourceRecord> records = TaskRecords.of(ring, 5, "record.mode", mode, "sensor", "rack7-tap1",
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
        // uname -n: the host's name as another program reads it, not as the connector does
        Process uname = new ProcessBuilder("uname", "-n").start();
        String host = new String(uname.getInputStream().readAllBytes()).trim();
        assertEquals(0, uname.waitFor());
        List<SourceRecord> records = TaskRecords.of(ring("default"), 5);
        assertEquals(host, ((Struct) records.get(0).value()).getString(PacketSchemas.F_SENSOR));
    }

    @Test
    void recordHeadersKeepsOnlyThoseNamed() throws Exception {
        List<SourceRecord> records = TaskRecords.of(ring("headers"), 5, "record.headers", "lost");
        for (SourceRecord r : records) {
            List<String> keys = new ArrayList<>();
            for (Header h : r.headers()) {
                keys.add(h.key());
            }
            assertEquals(List.of(PacketSchemas.HEADER_LOST), keys);
        }
        SourceRecord none = TaskRecords.of(ring("none"), 5, "record.headers", "").get(0);
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
}
