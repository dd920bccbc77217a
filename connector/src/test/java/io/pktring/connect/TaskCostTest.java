package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;

import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.FixedOffsetTaskContext;

/**
 * What the task costs per packet on this thread, in CPU nanoseconds and in bytes allocated
 * (ThreadMXBean), in packet and block mode: poll() alone, and poll() plus what the worker's Avro
 * converter does with the value (Apicurio's AvroData, then Avro's binary encoder; no registry).
 * The figures are printed; the bytes are asserted, as an allocation that creeps back in is a
 * regression a test can see (time is left to connector/bench).
 */
class TaskCostTest {

    private static final int PACKETS = 200_000;
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    /** A 64-byte Ethernet/IPv4/UDP frame; ports and addresses vary with n. */
    static byte[] udpFrame(int n) {
        byte[] f = new byte[64];
        f[5] = 1;
        f[11] = 2;
        f[12] = 0x08; // IPv4
        f[14] = 0x45;
        f[17] = 50; // total length
        f[22] = 64; // ttl
        f[23] = 17; // UDP
        f[26] = 10;
        f[29] = (byte) n;
        f[30] = 10;
        f[33] = (byte) (n >> 8);
        f[34] = (byte) (n >> 8);
        f[35] = (byte) n;
        f[36] = 0x1f;
        f[37] = (byte) 0x90;
        return f;
    }

    record Cost(double nsPerPacket, double bytesPerPacket) {
        @Override
        public String toString() {
            return String.format("%7.0f ns/packet %7.0f B/packet", nsPerPacket, bytesPerPacket);
        }
    }

    /**
     * About 700 bytes a packet: the Struct, its boxed numbers, Date and bytes, the flow key, the
     * SourceRecord, its headers and offset. (1.9 KB while the values went through Struct.put,
     * which builds the text of the message it would throw, ~60 bytes, on each of 18 puts.)
     */
    @Test
    void packetModeCost() throws Exception {
        Cost[] c = measure("packet");
        assertTrue(c[0].bytesPerPacket() < 900, "poll() allocates " + c[0] + " in packet mode");
    }

    /** About 110 bytes a packet: its 64 bytes and 40 of columns (180 while Connect's put boxed every element to check it). */
    @Test
    void blockModeCost() throws Exception {
        Cost[] c = measure("block");
        assertTrue(c[0].bytesPerPacket() < 150, "poll() allocates " + c[0] + " in block mode");
    }

    /**
     * A trickle of 1000 packets/s: the poll thread's CPU per packet (the linger makes one batch of
     * many packets, and the waits between reads are few). Measured after a second of warm-up.
     */
    @Test
    void lowRateCost() throws Exception {
        for (String mode : new String[] {"packet", "block"}) {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            Path ring = dir.resolve("trickle-" + mode);
            try (TestRingWriter w = TestRingWriter.create(ring, 16 << 20, 1, 65535, "eth0")) {
                PktringSourceTask task = start(ring, mode, "trickle", "50");
                try {
                    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
                    Thread writer = new Thread(() -> {
                        long next = System.nanoTime();
                        for (int i = 0; !done.get(); i++) {
                            byte[] f = udpFrame(i);
                            w.write(f, f.length, f.length, 1_700_000_000_000_000_000L + i);
                            next += 1_000_000L;
                            java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                        }
                    });
                    writer.start();
                    int got = 0;
                    long cpu0 = 0, wall0 = 0, warmUntil = System.nanoTime() + 1_000_000_000L, end = warmUntil + 3_000_000_000L;
                    int polls = 0;
                    while (System.nanoTime() < end) {
                        List<SourceRecord> records = task.poll();
                        if (wall0 == 0 && System.nanoTime() >= warmUntil) {
                            cpu0 = threads.getCurrentThreadCpuTime();
                            wall0 = System.nanoTime();
                        } else if (wall0 != 0 && records != null) {
                            polls++;
                            for (SourceRecord r : records) {
                                got += packets(r);
                            }
                        }
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    done.set(true);
                    writer.join();
                    System.out.printf("TaskCostTest %-6s at ~1000 packets/s: %d packets in %d polls, %.1f us CPU/packet, "
                            + "%.2f%% of a core%n", mode, got, polls, cpu / 1000.0 / got,
                            100.0 * cpu / (System.nanoTime() - wall0));
                    assertTrue(got > 1000 && polls < got / 10, got + " packets in " + polls + " polls");
                } finally {
                    task.stop();
                }
            }
        }
    }

    private static PktringSourceTask start(Path ring, String mode, String name, String lingerMs) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "cost-" + mode + "-" + name);
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString());
        props.put(PktringSourceConnectorConfig.RECORD_MODE, mode);
        props.put(PktringSourceConnectorConfig.START_POSITION, "latest");
        props.put(PktringSourceConnectorConfig.POLL_LINGER_MS, lingerMs);
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        return task;
    }

    /** [poll only, poll + conversion], the best of ROUNDS rounds each. */
    private Cost[] measure(String mode) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path ring = dir.resolve("ring-" + mode);
        AvroData avro = new AvroData(new AvroDataConfig(Map.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        BinaryEncoder encoder = null;
        Cost bestPoll = null, bestAll = null;
        try (TestRingWriter w = TestRingWriter.create(ring, 64 << 20, 1, 65535, "eth0")) {
            for (int round = 0; round < ROUNDS * 2; round++) {
                boolean convert = round % 2 == 1;
                // linger 0: the cost of the work, not of waiting for the end of the last batch
                PktringSourceTask task = start(ring, mode, Integer.toString(round), "0");
                try {
                    for (int i = 0; i < PACKETS; i++) {
                        byte[] f = udpFrame(i);
                        w.append(f, f.length, f.length, 1_700_000_000_000_000_000L + i);
                    }
                    w.wake();
                    int got = 0;
                    GenericDatumWriter<Object> writer = null;
                    long bytes0 = threads.getCurrentThreadAllocatedBytes();
                    long t0 = threads.getCurrentThreadCpuTime();
                    while (got < PACKETS) {
                        List<SourceRecord> records = task.poll();
                        for (SourceRecord r : records) {
                            got += packets(r);
                            if (convert) {
                                Object v = avro.fromConnectData(r.valueSchema(), r.value());
                                if (writer == null) {
                                    writer = new GenericDatumWriter<>(avro.fromConnectSchema(r.valueSchema()));
                                }
                                out.reset();
                                encoder = EncoderFactory.get().binaryEncoder(out, encoder);
                                writer.write(v, encoder);
                                encoder.flush();
                            }
                        }
                    }
                    long ns = threads.getCurrentThreadCpuTime() - t0;
                    long bytes = threads.getCurrentThreadAllocatedBytes() - bytes0;
                    assertEquals(PACKETS, got);
                    Cost cost = new Cost((double) ns / PACKETS, (double) bytes / PACKETS);
                    if (convert) {
                        bestAll = bestAll == null || cost.nsPerPacket() < bestAll.nsPerPacket() ? cost : bestAll;
                    } else {
                        bestPoll = bestPoll == null || cost.nsPerPacket() < bestPoll.nsPerPacket() ? cost : bestPoll;
                    }
                } finally {
                    task.stop();
                }
            }
        }
        System.out.printf("TaskCostTest %-6s poll:              %s%n", mode, bestPoll);
        System.out.printf("TaskCostTest %-6s poll + AvroData + encode: %s%n", mode, bestAll);
        return new Cost[] {bestPoll, bestAll};
    }

    private static int packets(SourceRecord r) {
        org.apache.kafka.connect.data.Struct v = (org.apache.kafka.connect.data.Struct) r.value();
        return v.schema() == PacketSchemas.PACKET_COLUMNS ? v.getInt32(PacketSchemas.F_COUNT) : 1;
    }
}
