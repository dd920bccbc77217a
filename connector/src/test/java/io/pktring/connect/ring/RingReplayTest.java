package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktring.connect.filter.LibPcap;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real writer, real reader: kmod's pktring-replay writes the test captures of every test-data
 * directory into a shared-memory ring and the Java reader must return exactly the packets libpcap
 * reads from the files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingReplayTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsTheReplayer() {
        assumeTrue(Replayer.built("pktring-replay"), "pktring-replay not built (make -C kmod): skipping the real-writer tests");
    }

    /**
     * From each directory a spread of the captures libpcap reads completely, plus one of each
     * link type the spread missed.
     */
    static List<PcapFile.Contents> sample() {
        List<PcapFile.Contents> out = new ArrayList<>();
        Set<Path> sampled = new HashSet<>(TestData.sample(75));
        Set<Integer> linktypes = new HashSet<>();
        List<PcapFile.Contents> others = new ArrayList<>();
        for (Path p : TestData.captures()) {
            PcapFile.Contents c = PcapFile.tryRead(p);
            if (c == null || c.error() != null || c.packets().isEmpty()) {
                continue;
            }
            if (sampled.contains(p)) {
                out.add(c);
                linktypes.add(c.linktype());
            } else {
                others.add(c);
            }
        }
        for (PcapFile.Contents c : others) {
            if (linktypes.add(c.linktype())) {
                out.add(c);
            }
        }
        return out;
    }

    private static void replay(Path ring, String size, String loops, Path file) throws Exception {
        Process p = new ProcessBuilder(Replayer.tool("pktring-replay").toString(), "-q", "-r", ring.toString(), "-s", size,
                "-l", loops, file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "pktring-replay finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "pktring-replay " + file + ": " + out);
    }

    @Test
    void readsTheSamePacketsLibpcapReadsFromTheFile() throws Exception {
        List<PcapFile.Contents> files = sample();
        for (Path d : TestData.directories()) {
            assertTrue(files.stream().anyMatch(c -> c.path().startsWith(d)), "sampled captures of " + d);
        }
        long packets = 0;
        for (PcapFile.Contents c : files) {
            Path ringPath = dir.resolve("ring");
            replay(ringPath, "16M", "1", c.path());
            try (RingMapping ring = RingMapping.open(ringPath)) {
                assertEquals(c.linktype(), LibPcap.dlt(ring.identity().linktype()), c.path() + " link type");
                assertTrue(ring.ended(), "the replayer ends the ring");
                // What the ABI cannot hold the writer skips (and counts): a record larger than the
                // ring's max_record, a timestamp outside u64 nanoseconds.
                long maxRecord = ring.identity().maxRecord();
                List<PcapFile.Packet> wanted = c.packets().stream()
                        .filter(p -> p.representable() && RingLayout.REC_HDR_SIZE + p.caplen() <= maxRecord).toList();
                assertEquals(wanted.size(), ring.seqNext(), c.path() + ": packets in the ring");
                RingReader reader = RingReader.atEarliest(ring);
                for (int i = 0; i < wanted.size(); i++) {
                    PcapFile.Packet want = wanted.get(i);
                    String what = c.path() + " packet " + (i + 1);
                    CopiedPacket rec = reader.next(1000);
                    assertNotNull(rec, what + " is in the ring");
                    assertEquals(i, rec.seq, what);
                    assertEquals(0, rec.lostBefore, what);
                    assertEquals(want.tsNanos(), rec.tsNanos, what + " timestamp");
                    assertEquals(want.caplen(), rec.caplen, what + " caplen");
                    assertEquals(want.origlen(), rec.origlen, what + " origlen");
                    assertEquals(want.caplen() < want.origlen(), rec.truncated(), what + " truncated flag");
                    assertArrayEquals(want.data(), Arrays.copyOf(rec.data, rec.caplen), what + " bytes");
                    packets++;
                }
                assertNull(reader.next(1000), c.path() + ": nothing after the file's packets");
            }
            Files.delete(ringPath);
        }
        System.out.printf("replay: %d packets from %d captures read back identical%n", packets, files.size());
    }

    /** The replayer laps a reader on a small ring: delivered packets are the file's, loss is exact. */
    @Test
    void lappedByTheRealWriterCountsLossExactly() throws Exception {
        PcapFile.Contents c = null;
        for (Path p : TestData.captures()) { // the capture with the most packets the ring takes whole, for a busy ring
            if (Files.size(p) < 2_000_000) {
                PcapFile.Contents x = PcapFile.tryRead(p);
                if (x != null && x.error() == null && x.packets().stream().allMatch(PcapFile.Packet::representable)
                        && (c == null || x.packets().size() > c.packets().size())) {
                    c = x;
                }
            }
        }
        assertNotNull(c, "a capture to replay");
        int n = c.packets().size();
        int loops = Math.max(2, 200_000 / n);
        // the smallest ring the replayer takes for the file's snap length (two of its largest records), 256 KiB at least
        long need = 2 * RingLayout.align(RingLayout.REC_HDR_SIZE + (c.snaplen() > 0 ? c.snaplen() : 262144));
        long size = Math.max(256 << 10, Long.highestOneBit(need - 1) << 1);
        Path ringPath = dir.resolve("lapped");
        Process writer = new ProcessBuilder(Replayer.tool("pktring-replay").toString(), "-q", "-r", ringPath.toString(),
                "-s", Long.toString(size), "-l", Integer.toString(loops), c.path().toString()).redirectErrorStream(true).start();
        try {
            RingMapping ring = openWhenReady(ringPath, writer);
            try (ring) {
                RingReader reader = RingReader.at(ring, 0, 0); // the epoch's very first packet: all loss is counted
                CopiedPacket rec;
                long delivered = 0;
                while ((rec = reader.next(5000)) != null) {
                    PcapFile.Packet want = c.packets().get((int) (rec.seq % n));
                    assertEquals(want.caplen(), rec.caplen, "seq " + rec.seq);
                    assertArrayEquals(want.data(), Arrays.copyOf(rec.data, rec.caplen), "seq " + rec.seq + " intact");
                    delivered++;
                    if ((delivered & 1023) == 0) {
                        Thread.sleep(1); // fall behind so the writer laps us
                    }
                }
                assertTrue(ring.ended(), "stopped because the ring ended, not a timeout");
                assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, writer.exitValue());
                long written = (long) n * loops;
                assertEquals(written, ring.counter(RingCounter.CAPTURED));
                assertEquals(written, delivered + reader.lostTotal(), "every packet delivered or counted lost");
                assertTrue(reader.lostTotal() > 0, "the writer lapped the reader");
                System.out.printf("real-writer lapping: %d written, %d delivered, %d lost%n", written, delivered,
                        reader.lostTotal());
            }
        } finally {
            writer.destroy();
            writer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void ringCatPrintsThePacketsOfTheFile() throws Exception {
        PcapFile.Contents c = PcapFile.read(TestData.corpus("tun-raw.pcap"));
        Path ringPath = dir.resolve("cat");
        replay(ringPath, "1M", "3", c.path());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = RingCat.run(new String[] {"--ring", ringPath.toString()}, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString());
        List<String> lines = out.toString(StandardCharsets.US_ASCII).lines().toList();
        assertEquals(3 * c.packets().size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            PcapFile.Packet p = c.packets().get(i % c.packets().size());
            assertEquals(i + " " + p.tsNanos() + " " + p.caplen() + " " + p.origlen() + " " + HexFormat.of().formatHex(p.data()),
                    lines.get(i));
        }
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(1, RingCat.run(new String[] {"--ring", dir.resolve("none").toString()}, new PrintStream(out),
                new PrintStream(err2, true)));
        assertTrue(err2.toString().contains("none"), err2.toString());
    }

    private static RingMapping openWhenReady(Path path, Process writer) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return RingMapping.open(path);
            } catch (RingException e) {
                if (!writer.isAlive() && writer.exitValue() != 0) {
                    throw new AssertionError("pktring-replay failed: "
                            + new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8), e);
                }
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(5); // not created or still INIT
            }
        }
    }
}
