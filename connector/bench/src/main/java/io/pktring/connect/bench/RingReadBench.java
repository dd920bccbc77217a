package io.pktring.connect.bench;

import io.pktring.connect.decode.PacketDecoder;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.ring.CopiedPacket;
import io.pktring.connect.ring.RingMapping;
import io.pktring.connect.ring.RingReader;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How fast the Java reader drains a ring, next to the C reader (kmod's pktring-dump writing pcap
 * to /dev/null) on the same ring in the same run. CAPTURE defaults to the project corpus's
 * mixed.pcapng; the C tools must be built (make -C kmod).
 *
 * <pre>
 * connector/bench/run.sh RingReadBench [CAPTURE] [LOOPS]
 * </pre>
 */
public final class RingReadBench {
    private RingReadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path capture = args.length > 0 ? Path.of(args[0]) : TestData.corpus("mixed.pcapng");
        String loops = args.length > 1 ? args[1] : "400";
        Path dir = Files.createTempDirectory("pktring-bench");
        Path ring = dir.resolve("ring");
        try {
            run(Replayer.tool("pktring-replay").toString(), "-q", "-r", ring.toString(), "-s", "1G", "-l", loops, capture.toString());
            long packets;
            try (RingMapping r = RingMapping.open(ring)) {
                packets = r.head() == 0 ? 0 : r.seqNext();
                System.out.printf("ring: %d packets, %d MiB, from %s x %s%n", packets, r.head() >> 20, capture, loops);
            }
            for (int round = 0; round < 5; round++) { // the first rounds warm up the JIT and the page cache
                double c = seconds(() -> run(Replayer.tool("pktring-dump").toString(), "-q", "-r", ring.toString(), "-w", "/dev/null"));
                double plain = seconds(() -> drain(ring, null, false));
                double decoded = seconds(() -> drain(ring, null, true));
                double filtered = seconds(() -> drain(ring, "tcp or udp port 53", true));
                System.out.printf("round %d: C pktring-dump %.2f Mpkt/s | Java read %.2f Mpkt/s (%.2fx C) | "
                        + "+decode %.2f Mpkt/s (%.2fx C) | +filter+decode %.2f Mpkt/s (%.2fx C)%n", round,
                        packets / c / 1e6, packets / plain / 1e6, c / plain, packets / decoded / 1e6, c / decoded,
                        packets / filtered / 1e6, c / filtered);
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(dir);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work w) throws Exception {
        long t0 = System.nanoTime();
        w.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void drain(Path path, String filter, boolean decode) throws Exception {
        try (RingMapping ring = RingMapping.open(path)) {
            PacketFilter f = filter == null ? null : PacketFilter.compile(filter, ring.identity().linktype(), 262144);
            RingReader reader = RingReader.atEarliest(ring);
            CopiedPacket rec;
            long sink = 0;
            while ((rec = reader.next(0)) != null) {
                if (f != null && !f.matches(rec.data, rec.caplen, rec.origlen)) {
                    continue;
                }
                if (decode) {
                    byte[] key = PacketDecoder.decode(ring.identity().linktype(), rec.data, rec.caplen).flowKey();
                    sink += key == null ? 0 : key.length;
                }
                sink += rec.caplen;
            }
            if (sink == 42) {
                System.out.print(""); // keep the work observable to the JIT
            }
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }
}
