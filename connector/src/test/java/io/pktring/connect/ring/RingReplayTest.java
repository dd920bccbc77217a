package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktring.connect.filter.PcapFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real writer, real reader: kmod's pktring-replay writes the test captures into a shared-memory
 * ring and the Java reader must return exactly the packets libpcap reads from the files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingReplayTest {
    static final Path REPLAY = Path.of("..", "kmod", "bin", "pktring-replay");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTheReplayer() {
        assumeTrue(Files.isExecutable(REPLAY), REPLAY + " not built (make -C kmod): skipping the real-writer tests");
    }

    /** A spread of the test captures that libpcap reads completely: every 6th, plus the odd link types. */
    static List<PcapFile.Contents> sample() throws Exception {
        List<PcapFile.Contents> out = new ArrayList<>();
        List<Path> all = PcapFile.all();
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i).getFileName().toString();
            if (i % 6 != 0 && !name.startsWith("LINKTYPE_")) {
                continue;
            }
            PcapFile.Contents c = PcapFile.read(all.get(i));
            if (c != null && c.error() == null && !c.packets().isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    private static void replay(Path ring, String size, String loops, Path file) throws Exception {
        Process p = new ProcessBuilder(REPLAY.toString(), "-q", "-r", ring.toString(), "-s", size, "-l", loops, file.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "pktring-replay finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "pktring-replay " + file + ": " + out);
    }

    @Test
    void readsTheSamePacketsLibpcapReadsFromTheFile() throws Exception {
        List<PcapFile.Contents> files = sample();
        assertTrue(files.size() > 40, "sampled " + files.size() + " captures");
        long packets = 0;
        PacketRecord rec = new PacketRecord();
        for (PcapFile.Contents c : files) {
            Path ringPath = dir.resolve("ring");
            replay(ringPath, "16M", "1", c.path());
            try (Ring ring = Ring.open(ringPath)) {
                assertEquals(c.linktype(), ring.identity().linktype(), c.path() + " link type");
                assertTrue(ring.ended(), "the replayer ends the ring");
                RingReader reader = ring.readerAtEarliest();
                for (int i = 0; i < c.packets().size(); i++) {
                    PcapFile.Packet want = c.packets().get(i);
                    String what = c.path() + " packet " + (i + 1);
                    assertTrue(reader.next(rec, 1000), what + " is in the ring");
                    assertEquals(i, rec.seq, what);
                    assertEquals(0, rec.lostBefore, what);
                    if (want.tsNanos() >= 0) {
                        // libpcap sign-extends the file's 32-bit seconds, the replayer does not: compare
                        // only timestamps both read the same way
                        assertEquals(want.tsNanos(), rec.tsNanos, what + " timestamp");
                    }
                    assertEquals(want.caplen(), rec.caplen, what + " caplen");
                    assertEquals(want.origlen(), rec.origlen, what + " origlen");
                    assertEquals(want.caplen() < want.origlen(), rec.truncated(), what + " truncated flag");
                    assertArrayEquals(want.data(), Arrays.copyOf(rec.data, rec.caplen), what + " bytes");
                    packets++;
                }
                assertFalse(reader.next(rec, 1000), c.path() + ": nothing after the file's packets");
            }
            Files.delete(ringPath);
        }
        System.out.printf("replay: %d packets from %d captures read back identical%n", packets, files.size());
    }

    /** The replayer laps a reader on a small ring: delivered packets are the file's, loss is exact. */
    @Test
    void lappedByTheRealWriterCountsLossExactly() throws Exception {
        PcapFile.Contents c = PcapFile.read(PcapFile.named("LINKTYPE_RAW_ipv4.pcap"));
        List<Path> all = PcapFile.all();
        for (Path p : all) { // the capture with the most packets that libpcap reads completely, for a busy ring
            if (Files.size(p) > 100_000 && Files.size(p) < 2_000_000) {
                PcapFile.Contents x = PcapFile.read(p);
                if (x != null && x.error() == null && x.packets().size() > c.packets().size()) {
                    c = x;
                }
            }
        }
        int n = c.packets().size();
        int loops = Math.max(2, 200_000 / n);
        Path ringPath = dir.resolve("lapped");
        Process writer = new ProcessBuilder(REPLAY.toString(), "-q", "-r", ringPath.toString(), "-s", "256k",
                "-l", Integer.toString(loops), c.path().toString()).redirectErrorStream(true).start();
        try {
            Ring ring = openWhenReady(ringPath, writer);
            try (ring) {
                RingReader reader = ring.reader(0, 0); // the epoch's very first packet: all loss is counted
                PacketRecord rec = new PacketRecord();
                long delivered = 0;
                while (reader.next(rec, 5000)) {
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
        PcapFile.Contents c = PcapFile.read(PcapFile.named("LINKTYPE_RAW_ipv6.pcap"));
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

    private static Ring openWhenReady(Path path, Process writer) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return Ring.open(path);
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
