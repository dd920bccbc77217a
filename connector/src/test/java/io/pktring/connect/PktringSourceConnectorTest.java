package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.*;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/** The connector's own decisions: task split, offset validation, exactly-once, version. */
class PktringSourceConnectorTest {

    private static PktringSourceConnector started(String rings) {
        PktringSourceConnector c = new PktringSourceConnector();
        c.start(Map.of("name", "t", PktringSourceConnectorConfig.RING_PATHS, rings));
        return c;
    }

    @Test
    void oneTaskPerRing() {
        List<Map<String, String>> tasks = started("/r/a, /r/b,/r/c").taskConfigs(5);
        assertEquals(3, tasks.size());
        assertEquals(List.of("/r/a", "/r/b", "/r/c"), tasks.stream().map(t -> t.get(PktringSourceConnectorConfig.TASK_RING_PATH)).toList());
        assertEquals(List.of("0", "1", "2"), tasks.stream().map(t -> t.get(PktringSourceConnectorConfig.TASK_INDEX)).toList());
    }

    @Test
    void moreRingsThanTasksIsAnErrorNotASilentDrop() {
        ConnectException e = assertThrows(ConnectException.class, () -> started("/r/a,/r/b").taskConfigs(1));
        assertTrue(e.getMessage().contains("tasks.max >= 2"), e.getMessage());
    }

    @TempDir
    Path dir;

    @Test
    void aRingGroupIsOneTaskPerMemberAndATooSmallTasksMaxSaysWhy(@TempDir Path dir) throws Exception {
        assumeTrue(Replayer.built("pktring-replay"), "pktring-replay not built (make -C kmod)");
        Path g = dir.resolve("g");
        assertEquals(0, Replayer.replay(g, "1M", false, "--rings", "2", TestData.corpus("mixed.pcapng").toString()));
        PktringSourceConnector c = started(g + ", /r/x");
        try {
            List<Map<String, String>> tasks = c.taskConfigs(3);
            assertEquals(List.of(g.resolve("0").toString(), g.resolve("1").toString(), "/r/x"),
                    tasks.stream().map(t -> t.get(PktringSourceConnectorConfig.TASK_RING_PATH)).toList());
            assertEquals(List.of("0", "1", "2"), tasks.stream().map(t -> t.get(PktringSourceConnectorConfig.TASK_INDEX)).toList());
            ConnectException e = assertThrows(ConnectException.class, () -> c.taskConfigs(2));
            assertTrue(e.getMessage().contains("tasks.max >= 3"), e.getMessage());
            assertTrue(e.getMessage().contains(g + " is a ring group of 2 members"), e.getMessage());
            assertTrue(e.getMessage().contains("a member without a task would never be read"), e.getMessage());
        } finally {
            c.stop();
        }
    }

    @Test
    void offsetsAreValidatedForTheRestOffsetsApi() throws Exception {
        PktringSourceConnector c = new PktringSourceConnector();
        TestRingWriter ring = TestRingWriter.create(dir.resolve("a"), 1 << 16);
        long epoch = ring.epoch();
        Map<String, Object> partition = RingOffset.partition(ring.path().toString(), 0);
        assertTrue(c.alterOffsets(Map.of(), Map.of(partition, new RingOffset(epoch, 64, 3).toMap())));
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertTrue(c.alterOffsets(Map.of(), reset), "a reset (null offset) is allowed");

        Map<String, Object> unaligned = new HashMap<>(new RingOffset(epoch, 64, 3).toMap());
        unaligned.put("position", 65L);
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, unaligned)));
        Map<String, Object> future = new HashMap<>(new RingOffset(epoch, 64, 3).toMap());
        future.put("v", 2);
        assertTrue(assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, future)))
                .getMessage().contains("version 2"));
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(),
                Map.of(Map.of("ring", ring.path().toString()), new RingOffset(epoch, 64, 3).toMap())));
        Map<String, Object> text = new HashMap<>(new RingOffset(epoch, 64, 3).toMap());
        text.put("seq", "3");
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, text)));
    }

    /** An offset the task would not resume at is refused, not turned into a silent replay. */
    @Test
    void anOffsetOfAnotherEpochOrOfNoRingIsRefusedWithTheReason() throws Exception {
        PktringSourceConnector c = new PktringSourceConnector();
        TestRingWriter ring = TestRingWriter.create(dir.resolve("a"), 1 << 16);
        Map<String, Object> partition = RingOffset.partition(ring.path().toString(), 0);
        String foreign = assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(),
                Map.of(partition, new RingOffset(ring.epoch() ^ (1L << 56), 64, 3).toMap()))).getMessage();
        assertTrue(foreign.contains("is not the epoch of the ring at " + ring.path()) && foreign.contains(
                Long.toString(ring.epoch())) && !foreign.contains("rounded"), foreign);

        // an epoch of an older writer (any 64 bits), rounded to a double by jq 1.6 or JavaScript
        long epoch = ring.epoch() | (1L << 60);
        ring.putCtlLong(io.pktring.connect.ring.RingLayout.OFF_EPOCH, epoch);
        long rounded = (long) (double) epoch;
        if (rounded != epoch) {
            String msg = assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(),
                    Map.of(partition, new RingOffset(rounded, 64, 3).toMap()))).getMessage();
            assertTrue(msg.contains("rounded") && msg.contains("jq"), msg);
        }

        Map<String, Object> gone = RingOffset.partition(dir.resolve("gone").toString(), 0);
        String missing = assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(),
                Map.of(gone, new RingOffset(7, 64, 3).toMap()))).getMessage();
        assertTrue(missing.contains("cannot check the offset") && missing.contains("No such file"), missing);
    }

    @Test
    void exactlyOnceIsSupportedAndTheVersionComesFromTheBuild() {
        PktringSourceConnector c = new PktringSourceConnector();
        assertEquals(ExactlyOnceSupport.SUPPORTED, c.exactlyOnceSupport(Map.of()));
        assertTrue(c.version().matches("\\d+\\.\\d+\\.\\d+.*"), c.version());
    }

    @Test
    void topicTemplateUsesTheInterfaceNameMadeSafe() {
        assertEquals("pktring.eth0", PktringSourceConnectorConfig.topicFor("pktring.${ifname}", "eth0", "h1"));
        assertEquals("cap-br_0_1", PktringSourceConnectorConfig.topicFor("cap-${ifname}", "br:0@1", "h1"));
        assertEquals("fixed", PktringSourceConnectorConfig.topicFor("fixed", "eth0", "h1"));
        assertEquals("pktring.rack7_db.eth0", PktringSourceConnectorConfig.topicFor("pktring.${sensor}.${ifname}", "eth0",
                "rack7:db"));
    }
}
