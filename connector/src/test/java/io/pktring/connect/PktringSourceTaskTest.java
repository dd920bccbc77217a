package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;

import io.pktring.connect.testing.FixedOffsetTaskContext;
import io.pktring.connect.ring.RingCounter;
import io.pktring.connect.ring.RingLayout;
import io.pktring.connect.ring.RingMapping;
import io.pktring.connect.ring.TestRingWriter;

/**
 * The task against a real shared-memory ring (written by {@link TestRingWriter}) without a worker: what
 * it reads, the offsets it writes and how it resumes, loses and recovers. The worker side is
 * covered by the integration tests.
 */
class PktringSourceTaskTest {

    @TempDir
    Path dir;

    private final List<PktringSourceTask> tasks = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    @AfterEach
    void stopTasks() {
        tasks.forEach(PktringSourceTask::stop);
    }

    private Path ringPath() {
        return dir.resolve("ring");
    }

    private static byte[] packet(int n, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (n * 31 + i);
        }
        return b;
    }

    private PktringSourceTask start(Map<String, ?> committed, String... extra) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "unit-" + tasks.size() + "-" + System.nanoTime());
        props.put(PktringSourceConnectorConfig.RING_PATHS, ringPath().toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ringPath().toString());
        props.put(PktringSourceConnectorConfig.POLL_TIMEOUT_MS, "100");
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, committed));
        task.start(props);
        tasks.add(task);
        names.add(props.get("name"));
        return task;
    }

    /** A task's metric, read through JMX under its documented name. */
    private long metric(PktringSourceTask task, String attribute) throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(
                TaskMetrics.objectName(names.get(tasks.indexOf(task)), 0), attribute);
    }

    /** Polls until n packet records arrived or 5 s passed. */
    private static List<SourceRecord> pollPackets(PktringSourceTask task, int n) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.size() < n && System.nanoTime() < deadline) {
            List<SourceRecord> batch = task.poll();
            if (batch != null) {
                out.addAll(batch);
            }
        }
        return out;
    }

    private static long header(SourceRecord r, String name) {
        return (Long) r.headers().lastWithName(name).value();
    }

    @Test
    void publishesEveryPacketWithItsBytesOffsetAndHeaders() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null);
            for (int i = 0; i < 50; i++) {
                ring.write(packet(i, 60 + i), 60 + i, 100 + i, 1_700_000_000_123_456_789L + i);
            }
            List<SourceRecord> records = pollPackets(task, 50);
            assertEquals(50, records.size());
            for (int i = 0; i < 50; i++) {
                SourceRecord r = records.get(i);
                Struct v = (Struct) r.value();
                v.validate(); // filled by StructValues, not put: still what put accepts
                assertEquals("pktring.eth0", r.topic());
                assertEquals(i, v.getInt64("seq"));
                assertArrayEquals(packet(i, 60 + i), v.getBytes("data"));
                assertEquals(60 + i, v.getInt32("caplen"));
                assertEquals(100 + i, v.getInt32("origlen"));
                assertEquals(1_700_000_000_123_456_789L + i, v.getInt64("ts_ns"));
                assertEquals((1_700_000_000_123_456_789L + i) / 1_000_000L, r.timestamp());
                assertEquals((1_700_000_000_123_456_789L + i) / 1_000_000L, ((java.util.Date) v.get("timestamp")).getTime());
                assertEquals(ring.epoch(), header(r, PacketSchemas.HEADER_EPOCH));
                assertEquals(i, header(r, PacketSchemas.HEADER_SEQ));
                assertEquals(0, header(r, PacketSchemas.HEADER_LOST));
                RingOffset o = RingOffset.fromMap(r.sourceOffset());
                assertEquals(ring.epoch(), o.epoch());
                assertEquals(i + 1, o.nextSeq());
            }
            assertEquals(ring.head(), RingOffset.fromMap(records.get(49).sourceOffset()).position());
        }
    }

    @Test
    void aCaptureTimeABrokerWouldRejectFallsBackToTheSendTimeButStaysInTheValue() throws Exception {
        long future = (System.currentTimeMillis() + 2 * 3600_000L) * 1_000_000L;
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            ring.write(packet(0, 64), 64, 64, future);
            ring.write(packet(1, 64), 64, 64, -5_000_000L);
            PktringSourceTask task = start(null);
            List<SourceRecord> records = pollPackets(task, 2);
            assertNull(records.get(0).timestamp());
            assertNull(records.get(1).timestamp());
            assertEquals(future, ((Struct) records.get(0).value()).getInt64("ts_ns"));
            assertEquals(-5_000_000L, ((Struct) records.get(1).value()).getInt64("ts_ns"));
        }
    }

    @Test
    void publishTimestampsLeaveTheKafkaTimestampToTheProducer() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            ring.write(packet(0, 64), 64, 64, 1_000_000_000_000_000_000L);
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.RECORD_TIMESTAMP, "publish");
            SourceRecord r = pollPackets(task, 1).get(0);
            assertNull(r.timestamp());
            assertEquals(1_000_000_000_000_000_000L, ((Struct) r.value()).getInt64("ts_ns"));
        }
    }

    @Test
    void pollReturnsNothingWithinItsTimeoutWhenIdleAndBatchesAreBounded() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 20, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.BATCH_MAX_PACKETS, "7");
            long t0 = System.nanoTime();
            assertNull(task.poll());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 90 && ms < 400, "idle poll took " + ms + " ms, poll.timeout.ms is 100");
            for (int i = 0; i < 20; i++) {
                ring.write(packet(i, 64), 64, 64, i);
            }
            assertEquals(7, task.poll().size());
            assertEquals(7, task.poll().size());
            assertEquals(6, task.poll().size());
        }
    }

    /**
     * Packets trickling in (one every 2 ms) come back in batches gathered over poll.linger.ms, not
     * a poll for every packet or two: a poll lasts at least the linger (it starts before its first
     * packet) and returns within the linger of its first packet (plus slack for a loaded machine),
     * long before poll.timeout.ms. The poll thread sleeps meanwhile.
     */
    @Test
    void aTrickleOfPacketsComesBackInBatchesBoundedByTheLinger() throws Exception {
        int lingerMs = 100, n = 400;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 20, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.POLL_TIMEOUT_MS, "500",
                    PktringSourceConnectorConfig.POLL_LINGER_MS, Integer.toString(lingerMs));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < n; i++) {
                    ring.write(packet(i, 64), 64, 64, epochNanos());
                    LockSupport.parkNanos(2_000_000L);
                }
            });
            List<Integer> sizes = new ArrayList<>();
            int got = 0;
            long cpu0 = threads.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
            while (got < n && System.nanoTime() - wall0 < TimeUnit.SECONDS.toNanos(30)) {
                long t0 = System.nanoTime();
                List<SourceRecord> batch = task.poll();
                long t1 = System.nanoTime(), end = epochNanos();
                if (batch == null) {
                    continue;
                }
                got += batch.size();
                sizes.add(batch.size());
                long pollMs = (t1 - t0) / 1_000_000, sinceFirstMs = (end - ((Struct) batch.get(0).value()).getInt64("ts_ns")) / 1_000_000;
                assertTrue(t1 - t0 >= lingerMs * 1_000_000L, "a poll of " + batch.size() + " packets returned after "
                        + pollMs + " ms, before its " + lingerMs + " ms linger");
                assertTrue(sinceFirstMs <= lingerMs + 100, "a poll returned " + sinceFirstMs + " ms after its first packet "
                        + "was written; the linger is " + lingerMs + " ms");
            }
            long cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1_000_000, wallMs = (System.nanoTime() - wall0) / 1_000_000;
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(n, got);
            assertTrue(sizes.size() <= n / 10, "batches of a " + lingerMs + " ms linger, not a poll for every few packets: " + sizes);
            assertTrue(cpuMs * 10 < wallMs, "the poll thread used " + cpuMs + " ms of CPU in " + wallMs + " ms");
            System.out.printf("trickle: %d packets in %d polls, %d ms CPU in %d ms%n", n, sizes.size(), cpuMs, wallMs);
        }
    }

    /** Waiting on an idle ring sleeps on the ring's futex: a poll thread that does not spin. */
    @Test
    void anIdleRingCostsAlmostNoCpu() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.POLL_TIMEOUT_MS, "500");
            assertNull(task.poll()); // the first runs cold code
            long cpu0 = threads.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                assertNull(task.poll());
            }
            long cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1000, wallUs = (System.nanoTime() - wall0) / 1000;
            assertTrue(wallUs >= 1_900_000, "four idle polls of 500 ms took " + wallUs + " us");
            assertTrue(cpuUs * 100 < wallUs * 2, "idle polls used " + cpuUs + " us of CPU in " + wallUs + " us");
            System.out.printf("idle: %d us CPU in %d us%n", cpuUs, wallUs);
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void pollStopsAtItsTimeoutWhileTheFilterRejectsPacketAfterPacket() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 64 << 20, 1, 65535, "eth0")) {
            byte[] rejected = new byte[64];
            byte[] wanted = new byte[64];
            wanted[0] = (byte) 0xab;
            int n = 400_000; // far more than one 1 ms poll can filter
            for (int i = 0; i < n; i++) {
                ring.write(rejected, 64, 64, i);
            }
            ring.write(wanted, 64, 64, n);
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.FILTER, "ether[0] = 0xab",
                    PktringSourceConnectorConfig.POLL_TIMEOUT_MS, "1");
            assertNull(task.poll(), "a poll returns at its timeout, not after filtering the whole ring");
            List<SourceRecord> records = pollPackets(task, 1);
            assertEquals(1, records.size());
            assertEquals((long) n, header(records.get(0), PacketSchemas.HEADER_SEQ));
        }
    }

    @Test
    void batchesAreBoundedInBytesToo() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 20, 1, 65535, "eth0")) {
            for (int i = 0; i < 20; i++) {
                ring.write(packet(i, 200), 200, 200, i);
            }
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.BATCH_MAX_BYTES, "1024");
            assertEquals(6, task.poll().size(), "200-byte packets until 1024 bytes are reached");
        }
    }

    @Test
    void latestSkipsWhatIsAlreadyInTheRingWithoutCallingItLoss() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            for (int i = 0; i < 10; i++) {
                ring.write(packet(i, 64), 64, 64, i);
            }
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.START_POSITION, "latest");
            assertNull(task.poll());
            ring.write(packet(10, 64), 64, 64, 10);
            SourceRecord r = pollPackets(task, 1).get(0);
            assertEquals(10, header(r, PacketSchemas.HEADER_SEQ));
            assertEquals(0, header(r, PacketSchemas.HEADER_LOST));
        }
    }

    @Test
    void resumesAfterTheCommittedOffsetWithoutDuplicates() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            for (int i = 0; i < 10; i++) {
                ring.write(packet(i, 64), 64, 64, i);
            }
            PktringSourceTask first = start(null);
            List<SourceRecord> got = pollPackets(first, 10);
            Map<String, ?> committed = got.get(5).sourceOffset(); // packets 0..5 committed
            first.stop();
            PktringSourceTask second = start(committed);
            List<SourceRecord> rest = pollPackets(second, 4);
            assertEquals(List.of(6L, 7L, 8L, 9L), rest.stream().map(r -> header(r, PacketSchemas.HEADER_SEQ)).toList());
            assertEquals(0, header(rest.get(0), PacketSchemas.HEADER_LOST));
        }
    }

    @Test
    void reportsExactlyThePacketsOverwrittenWhileStopped() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 4096, 1, 65535, "eth0")) {
            ring.write(packet(0, 100), 100, 100, 0);
            PktringSourceTask first = start(null);
            Map<String, ?> committed = pollPackets(first, 1).get(0).sourceOffset();
            first.stop();
            for (int i = 1; i <= 200; i++) { // laps a 4 KiB ring many times
                ring.write(packet(i, 100), 100, 100, i);
            }
            PktringSourceTask second = start(committed);
            List<SourceRecord> rest = pollPackets(second, 1);
            long firstSeq = header(rest.get(0), PacketSchemas.HEADER_SEQ);
            assertTrue(firstSeq > 1);
            assertEquals(firstSeq - 1, header(rest.get(0), PacketSchemas.HEADER_LOST));
        }
    }

    /** Loss found on packets the filter drops is counted once, and reported on the next published packet. */
    @Test
    void withAFilterPacketsLostIsTheExactSequenceGap() throws Exception {
        byte[] wanted = packet(0, 100);
        wanted[0] = (byte) 0xab;
        byte[] rejected = packet(1, 100);
        rejected[0] = 0;
        String[] filter = {PktringSourceConnectorConfig.FILTER, "ether[0] = 0xab"};
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 4096, 1, 65535, "eth0")) {
            ring.write(wanted, 100, 100, 0);
            PktringSourceTask first = start(null, filter);
            Map<String, ?> committed = pollPackets(first, 1).get(0).sourceOffset();
            first.stop();
            for (int i = 1; i < 200; i++) { // laps the 4 KiB ring many times, and the filter drops all of them
                ring.write(rejected, 100, 100, i);
            }
            ring.write(wanted, 100, 100, 200);
            long overwritten;
            try (RingMapping m = RingMapping.open(ringPath())) {
                overwritten = m.counter(RingCounter.RECLAIMED);
            }
            long gap = overwritten - 1; // packets 1 .. overwritten-1: never read; packet 0 was
            assertTrue(gap > 0);
            PktringSourceTask second = start(committed, filter);
            SourceRecord r = pollPackets(second, 1).get(0);
            assertEquals(200, header(r, PacketSchemas.HEADER_SEQ));
            assertEquals(gap, header(r, PacketSchemas.HEADER_LOST), "reported on the next published packet");
            assertEquals(gap, metric(second, "PacketsLost"), "counted once, however many packets the filter dropped");
            assertEquals(200 - overwritten, metric(second, "PacketsFiltered"));
        }
    }

    @Test
    void offsetOfAnotherEpochStartsAfreshAndCountsTheSkippedPackets() throws Exception {
        Map<String, Object> stale = new RingOffset(12345, 4096, 77).toMap();
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 4096, 1, 65535, "eth0")) {
            for (int i = 0; i < 100; i++) { // the oldest packets are overwritten
                ring.write(packet(i, 100), 100, 100, i);
            }
            PktringSourceTask task = start(stale);
            SourceRecord r = pollPackets(task, 1).get(0);
            long seq = header(r, PacketSchemas.HEADER_SEQ);
            assertTrue(seq > 0);
            assertEquals(seq, header(r, PacketSchemas.HEADER_LOST), "packets 0..seq-1 of the epoch were never read");
        }
    }

    @Test
    void readsOnWhenTheRingIsRecreatedAndCountsWhatItMissed() throws Exception {
        TestRingWriter old = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0");
        PktringSourceTask task = start(null);
        old.write(packet(0, 64), 64, 64, 0);
        assertEquals(1, pollPackets(task, 1).size());
        old.end();
        try (TestRingWriter fresh = TestRingWriter.create(ringPath(), 4096, 1, 65535, "eth0")) {
            for (int i = 0; i < 100; i++) {
                fresh.write(packet(i, 100), 100, 100, i);
            }
            SourceRecord r = pollPackets(task, 1).get(0);
            assertEquals(fresh.epoch(), header(r, PacketSchemas.HEADER_EPOCH));
            long seq = header(r, PacketSchemas.HEADER_SEQ);
            assertTrue(seq > 0, "the first packets of the 4 KiB ring were overwritten");
            assertEquals(seq, header(r, PacketSchemas.HEADER_LOST));
            assertEquals(fresh.epoch(), RingOffset.fromMap(r.sourceOffset()).epoch());
        } finally {
            old.close();
        }
    }

    @Test
    void stopWakesAWaitingPollPromptly() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.POLL_TIMEOUT_MS, "500");
            CompletableFuture<List<SourceRecord>> polling = CompletableFuture.supplyAsync(() -> {
                try {
                    return task.poll();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(50);
            long t0 = System.nanoTime();
            task.stop();
            assertNull(polling.get(1, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 200, "stop took " + ms + " ms");
        }
    }

    @Test
    void aVanishedRingFailsTheTaskWithWhatToDo() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.RING_MISSING_TIMEOUT_MS, "0");
            ring.end();
            Files.delete(ringPath());
            long t0 = System.nanoTime();
            ConnectException e = assertThrows(ConnectException.class, () -> {
                for (int i = 0; i < 50; i++) { // 100 ms each: the ring is checked every 500 ms
                    task.poll();
                }
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 400, "an ended, drained ring must not make poll() spin; failed after " + ms + " ms");
            assertTrue(e.getMessage().contains("vanished") && e.getMessage().contains(ringPath().toString()), e.getMessage());
        }
    }

    @Test
    void aRingReplacedByOneOfAnotherAbiFailsTheTaskWithTheReason() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.RING_MISSING_TIMEOUT_MS, "0");
            ring.end();
            try (TestRingWriter next = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
                TestRingWriter.corrupt(ringPath(), RingLayout.OFF_ABI_VERSION, 2);
                ConnectException e = assertThrows(ConnectException.class, () -> {
                    for (int i = 0; i < 50; i++) {
                        task.poll();
                    }
                });
                assertTrue(e.getMessage().contains("ABI v2"), e.getMessage());
            }
        }
    }

    @Test
    void aMissingRingFailsTheStartWithThePath() {
        ConnectException e = assertThrows(ConnectException.class, () -> start(null));
        assertTrue(e.getMessage().contains(ringPath().toString()), e.getMessage());
    }

    /** The packets of a PacketColumns value, each as its fields and bytes, checking the columns line up. */
    private static List<Map<String, Object>> unpack(Struct v) {
        int n = v.getInt32("count");
        byte[] data = v.getBytes("data");
        List<Map<String, Object>> out = new ArrayList<>();
        int next = 0;
        for (int j = 0; j < n; j++) {
            Map<String, Object> p = new HashMap<>();
            for (String column : List.of("ts_ns", "seq", "caplen", "origlen", "ifindex", "direction", "pkttype", "offset")) {
                assertEquals(n, v.getArray(column).size(), column + " has count elements");
                p.put(column, v.getArray(column).get(j));
            }
            int caplen = (Integer) p.get("caplen");
            assertEquals(next, p.get("offset"), "packet " + j + " starts where the one before ends");
            p.put("data", Arrays.copyOfRange(data, next, next + caplen));
            next += caplen;
            out.add(p);
        }
        assertEquals(next, data.length, "data holds the packets and nothing else");
        return out;
    }

    @Test
    void blockModeCarriesConsecutivePacketsAsColumnsAndTheOffsetOfTheLast() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            for (int i = 0; i < 10; i++) {
                ring.write(packet(i, 60 + i), 60 + i, 100 + i, 1_700_000_000_123_456_789L + i);
            }
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.RECORD_MODE, "block",
                    PktringSourceConnectorConfig.BLOCK_MAX_PACKETS, "4");
            List<SourceRecord> blocks = task.poll();
            assertEquals(3, blocks.size());
            List<Long> seqs = new ArrayList<>();
            for (SourceRecord b : blocks) {
                Struct v = (Struct) b.value();
                assertSame(PacketSchemas.PACKET_COLUMNS, b.valueSchema());
                v.validate();
                assertEquals("eth0", v.getString("ifname"));
                assertEquals(1, v.getInt32("linktype"));
                assertEquals(ring.epoch(), v.getInt64("epoch"));
                assertEquals(0, v.getInt64("lost"));
                assertNull(b.key());
                List<Map<String, Object>> packets = unpack(v);
                for (Map<String, Object> p : packets) {
                    int i = (int) (long) (Long) p.get("seq");
                    seqs.add((long) i);
                    assertArrayEquals(packet(i, 60 + i), (byte[]) p.get("data"), "bytes of packet " + i);
                    assertEquals(60 + i, p.get("caplen"));
                    assertEquals(100 + i, p.get("origlen"));
                    assertEquals(1_700_000_000_123_456_789L + i, p.get("ts_ns"));
                    assertEquals(TestRingWriter.IFINDEX, p.get("ifindex"));
                    assertEquals(RingLayout.DIR_IN, p.get("direction"));
                    assertEquals(0, p.get("pkttype"));
                }
                assertEquals(packets.get(0).get("seq"), v.getInt64("first_seq"));
                assertEquals(packets.get(packets.size() - 1).get("seq"), v.getInt64("last_seq"));
                assertEquals(v.getInt64("first_seq"), header(b, PacketSchemas.HEADER_SEQ));
                // a block's latest capture time, so a time lookup of any of its packets finds it or an earlier record
                assertEquals((1_700_000_000_123_456_789L + v.getInt64("last_seq")) / 1_000_000L, b.timestamp());
                assertEquals(v.getInt64("last_seq") + 1, RingOffset.fromMap(b.sourceOffset()).nextSeq());
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seqs);
            assertEquals(ring.head(), RingOffset.fromMap(blocks.get(2).sourceOffset()).position());

            for (SourceRecord b : blocks) {
                task.commitRecord(b, new RecordMetadata(new TopicPartition("t", 0), 0, 0, 0, 0, 0));
            }
            assertEquals(10, metric(task, "PacketsPublished"), "a block counts its packets");
            assertEquals(10 * 60 + 45, metric(task, "BytesPublished"), "and their bytes");
        }
    }

    @Test
    void aBlockCarriesTheLossBeforeAndBetweenItsPackets() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 4096, 1, 65535, "eth0")) {
            ring.write(packet(0, 100), 100, 100, 0);
            String[] block = {PktringSourceConnectorConfig.RECORD_MODE, "block"};
            PktringSourceTask first = start(null, block);
            Map<String, ?> committed = pollPackets(first, 1).get(0).sourceOffset();
            first.stop();
            for (int i = 1; i <= 200; i++) { // laps a 4 KiB ring many times
                ring.write(packet(i, 100), 100, 100, i);
            }
            PktringSourceTask second = start(committed, block);
            SourceRecord b = pollPackets(second, 1).get(0);
            Struct v = (Struct) b.value();
            long firstSeq = v.getInt64("first_seq");
            assertTrue(firstSeq > 1);
            assertEquals(firstSeq - 1, v.getInt64("lost"), "packets 1 .. first_seq-1 were overwritten");
            assertEquals(firstSeq - 1, header(b, PacketSchemas.HEADER_LOST));
            assertEquals(200, v.getInt64("last_seq"));
            assertEquals(201 - firstSeq, (long) v.getInt32("count"));
        }
    }

    @Test
    void blocksAreBoundedInBytesSoTheyFitARequest() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 20, 1, 65535, "eth0")) {
            for (int i = 0; i < 10; i++) {
                ring.write(packet(i, 3000), 3000, 3000, i);
            }
            ring.write(packet(10, 9000), 9000, 9000, 10);
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.RECORD_MODE, "block",
                    PktringSourceConnectorConfig.BLOCK_MAX_BYTES, "8192");
            List<Integer> sizes = new ArrayList<>();
            for (SourceRecord b : pollPackets(task, 6)) {
                sizes.add(((Struct) b.value()).getInt32("count"));
            }
            // two 3000-byte packets fit in 8192 bytes, a third does not; a bigger packet goes alone
            assertEquals(List.of(2, 2, 2, 2, 2, 1), sizes);
        }
    }

    @Test
    void snaplenCutsTheBytesOfABlockButKeepsTheWireLength() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            ring.write(packet(0, 200), 200, 1500, 0);
            ring.write(packet(1, 50), 50, 50, 1);
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.SNAPLEN, "64",
                    PktringSourceConnectorConfig.RECORD_MODE, "block");
            List<Map<String, Object>> packets = unpack((Struct) pollPackets(task, 1).get(0).value());
            assertEquals(64, packets.get(0).get("caplen"));
            assertEquals(1500, packets.get(0).get("origlen"));
            assertArrayEquals(Arrays.copyOf(packet(0, 200), 64), (byte[]) packets.get(0).get("data"));
            assertArrayEquals(packet(1, 50), (byte[]) packets.get(1).get("data"));
        }
    }

    @Test
    void snaplenCutsThePublishedBytesButKeepsTheWireLength() throws Exception {
        try (TestRingWriter ring = TestRingWriter.create(ringPath(), 1 << 16, 1, 65535, "eth0")) {
            ring.write(packet(0, 200), 200, 1500, 0);
            PktringSourceTask task = start(null, PktringSourceConnectorConfig.SNAPLEN, "64");
            Struct v = (Struct) pollPackets(task, 1).get(0).value();
            assertEquals(64, v.getInt32("caplen"));
            assertEquals(1500, v.getInt32("origlen"));
            assertArrayEquals(Arrays.copyOf(packet(0, 200), 64), v.getBytes("data"));
        }
    }
}
