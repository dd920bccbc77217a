package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing of the Java reader, the counterpart of kmod/fuzz/ring_reader_fuzz.c: {@link RingMapping#open}
 * and {@link RingReader} over arbitrary bytes (random files, and real rings with their control
 * page, records and length mutated), and a writer racing a reader. Either a ring is refused, or a
 * record is reported corrupt, with a {@link RingException}; or what is read is within the ring's
 * bounds. Any other exception, a packet out of bounds or a read that does not end fails, and the
 * input is kept in target/fuzz-failures with the seed to replay it.
 *
 * <p>The normal test run tries a few thousand inputs; scripts/fuzz-java.sh runs it for longer:
 * {@code -Dpktring.fuzz.inputs=N -Dpktring.fuzz.races=N}, or {@code -Dpktring.fuzz.seconds=S}
 * for each of the two, and {@code -Dpktring.fuzz.seed=S} to replay a run.
 */
class RingFuzzTest {

    static final long SEED = Long.getLong("pktring.fuzz.seed", System.nanoTime());
    static final long SECONDS = Long.getLong("pktring.fuzz.seconds", 0);
    static final long INPUTS = Long.getLong("pktring.fuzz.inputs", SECONDS > 0 ? Long.MAX_VALUE : 3000);
    static final long RACES = Long.getLong("pktring.fuzz.races", SECONDS > 0 ? Long.MAX_VALUE : 4);

    /** Control-page fields, as (offset, width): what the mutations aim at besides random bytes. */
    static final int[][] FIELDS = {
        {RingLayout.OFF_MAGIC, 8}, {RingLayout.OFF_ABI_VERSION, 4}, {RingLayout.OFF_REC_HDR_SIZE, 4},
        {RingLayout.OFF_DATA_OFFSET, 8}, {RingLayout.OFF_DATA_SIZE, 8}, {RingLayout.OFF_EPOCH, 8},
        {RingLayout.OFF_LINKTYPE, 4}, {RingLayout.OFF_SNAPLEN, 4}, {RingLayout.OFF_FLAGS, 4},
        {RingLayout.OFF_IFNAME, 8}, {RingLayout.OFF_RING_INDEX, 4}, {RingLayout.OFF_RING_COUNT, 4},
        {RingLayout.OFF_MAX_RECORD, 4}, {RingLayout.OFF_CTR_COUNT, 4}, {RingLayout.OFF_HEAD, 8},
        {RingLayout.OFF_RECLAIM, 8}, {RingLayout.OFF_STATE, 4}, {RingLayout.OFF_SEQ_NEXT, 8},
        {RingLayout.OFF_HEARTBEAT, 8},
    };
    static final long[] INTERESTING = {0, 1, 7, 8, 39, 40, 48, 4095, 4096, 4097, 8192, 65535, 65536,
        Integer.MAX_VALUE, 0x80000000L, 0xffffffffL, 1L << 32, 1L << 40, (1L << 40) + 4096, Long.MAX_VALUE,
        Long.MIN_VALUE, -1, -8};

    @TempDir
    Path dir;

    /** What the fuzzing saw, printed at the end. */
    long inputs, refusedAtOpen, opened, corruptRecords, packets;

    @Test
    void arbitraryBytesAreRefusedOrReadWithinBoundsNeverCrash() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<byte[]> templates = templates(rnd);
        // shared memory when there is: the file is rewritten for every input
        Path shm = Path.of("/dev/shm");
        Path file = (Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "pktring-fuzz")
                : dir).resolve("fuzz");
        file.getParent().toFile().deleteOnExit();
        file.toFile().deleteOnExit();
        long start = System.nanoTime();
        long deadline = SECONDS > 0 ? start + SECONDS * 1_000_000_000L : Long.MAX_VALUE;
        for (long i = 0; i < INPUTS && System.nanoTime() < deadline; i++) {
            byte[] input = input(rnd, templates);
            Files.write(file, input);
            inputs++;
            try {
                readAll(file, rnd);
            } catch (Throwable t) {
                Path kept = keep(input, i);
                fail("input " + i + " of seed " + SEED + " (kept in " + kept + "): " + t, t);
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("RingFuzzTest bytes: seed %d: %d inputs in %.1f s (%.0f/s): %d refused at open, %d opened, "
                + "%d corrupt records reported, %d packets read within bounds; 0 crashes, 0 hangs%n", SEED, inputs, s,
                inputs / s, refusedAtOpen, opened, corruptRecords, packets);
        assertTrue(opened > 0 && refusedAtOpen > 0, "the inputs reach both the open checks and the reader");
    }

    /** Real rings of a few shapes (wrapped, lapped, empty), as the mutations' starting points. */
    private List<byte[]> templates(SplittableRandom rnd) throws Exception {
        List<byte[]> t = new ArrayList<>();
        long[][] shapes = {{4096, 0}, {4096, 30}, {8192, 200}, {4096, 500}};
        for (int i = 0; i < shapes.length; i++) {
            Path p = dir.resolve("template" + i);
            TestRingWriter w = TestRingWriter.create(p, shapes[i][0], 1, 1500, "fz" + i, RingLayout.WAIT_FUTEX);
            for (int n = 0; n < shapes[i][1]; n++) {
                int caplen = rnd.nextInt(1, 1500);
                w.append(payload(n, caplen), caplen, caplen + rnd.nextInt(0, 50), n);
            }
            if (i % 2 == 1) {
                w.end();
            }
            t.add(Files.readAllBytes(p));
        }
        return t;
    }

    private static byte[] input(SplittableRandom rnd, List<byte[]> templates) {
        if (rnd.nextInt(10) == 0) {
            byte[] b = new byte[rnd.nextInt(0, 3 * RingLayout.CTL_SIZE)];
            rnd.nextBytes(b);
            return b;
        }
        byte[] b = templates.get(rnd.nextInt(templates.size())).clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int mutations = rnd.nextInt(1, 9);
        for (int m = 0; m < mutations; m++) {
            switch (rnd.nextInt(5)) {
                case 0, 1 -> { // a control-page field
                    int[] f = FIELDS[rnd.nextInt(FIELDS.length)];
                    put(buf, f[0], f[1], value(rnd));
                }
                case 2 -> { // a record's length or caplen, at a record boundary of the data area
                    int at = RingLayout.CTL_SIZE + 8 * rnd.nextInt((b.length - RingLayout.CTL_SIZE) / 8);
                    int field = rnd.nextBoolean() ? RingLayout.ROFF_LEN : RingLayout.ROFF_CAPLEN;
                    if (at + field + 4 <= b.length) {
                        put(buf, at + field, 4, value(rnd));
                    }
                }
                case 3 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(); // any byte
                default -> { // shorter than the control page says
                    if (rnd.nextInt(4) == 0) {
                        return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                    }
                }
            }
        }
        return b;
    }

    private static long value(SplittableRandom rnd) {
        long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
        return switch (rnd.nextInt(3)) {
            case 0 -> v;
            case 1 -> v + rnd.nextInt(-16, 17);
            default -> rnd.nextLong();
        };
    }

    private static void put(ByteBuffer b, int off, int width, long v) {
        if (width == 8) {
            b.putLong(off, v);
        } else {
            b.putInt(off, (int) v);
        }
    }

    /** Opens the file as a ring and reads it with three readers; throws only what is a bug. */
    private void readAll(Path file, SplittableRandom rnd) throws Exception {
        RingMapping ring;
        try {
            ring = RingMapping.open(file);
        } catch (RingException e) {
            refusedAtOpen++;
            return;
        }
        opened++;
        try (ring) {
            RingIdentity id = ring.identity();
            List<RingReader> readers = new ArrayList<>();
            readers.add(RingReader.atEarliest(ring));
            readers.add(RingReader.atLatest(ring));
            try {
                long h = ring.head(), r = ring.reclaim();
                long span = Math.max(1, (h - r) / 8);
                long pos = rnd.nextBoolean() ? r + 8 * rnd.nextLong(span) : rnd.nextLong() & ~7L;
                readers.add(RingReader.at(ring, pos, rnd.nextBoolean() ? -1 : rnd.nextLong(0, 1000)));
            } catch (RingException e) {
                // a position beyond the head: refused, as it should be
            }
            for (RingReader reader : readers) {
                read(ring, id, reader, rnd);
            }
        }
    }

    private void read(RingMapping ring, RingIdentity id, RingReader reader, SplittableRandom rnd) throws Exception {
        int stopEvery = rnd.nextInt(1, 64);
        int[] taken = {0};
        PacketSink sink = p -> {
            packets++;
            if (p.caplen < 0 || p.caplen > p.data.length || p.caplen + RingLayout.REC_HDR_SIZE > id.maxRecord()) {
                throw new AssertionError("caplen " + p.caplen + " beyond max_record " + id.maxRecord());
            }
            long len = p.nextPosition - p.position;
            if (len < RingLayout.REC_HDR_SIZE || len > id.maxRecord() || (len & 7) != 0) {
                throw new AssertionError("record length " + len + " at " + p.position);
            }
            if (p.lostBefore < 0) {
                throw new AssertionError("negative loss " + p.lostBefore + " at seq " + p.seq);
            }
            return ++taken[0] % stopEvery != 0;
        };
        try {
            // every read ends at the head or at the sink's stop; the ring holds at most size / 8 records
            long bound = id.dataSize() / 8 / stopEvery + 4;
            for (long n = 0; !reader.read(sink); n++) {
                if (n > bound) {
                    throw new AssertionError("the reader does not reach the head after " + n + " reads");
                }
            }
            reader.await(0);
        } catch (RingFormatException e) {
            corruptRecords++;
            assertTrue(e.getMessage().contains(id.path().toString()), e.getMessage());
        } catch (RingException e) {
            corruptRecords++;
        }
    }

    private static byte[] payload(long seq, int caplen) {
        byte[] b = new byte[caplen];
        for (int i = 0; i < caplen; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    private Path keep(byte[] input, long i) throws Exception {
        Path d = Path.of(System.getProperty("pktring.build.dir", "target"), "fuzz-failures");
        Files.createDirectories(d);
        return Files.write(d.resolve("seed" + SEED + "-input" + i + ".ring"), input);
    }

    /**
     * A writer appending packets of random sizes as fast as it can into a small ring, lapping a
     * reader that checks every packet it gets: its bytes, its length, and that the loss it reports
     * is exactly the gap in sequence numbers, so read + lost = written.
     */
    @Test
    void aWriterRacingTheReaderNeverGivesATornOrMiscountedPacket() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        long start = System.nanoTime();
        long deadline = SECONDS > 0 ? start + SECONDS * 1_000_000_000L : Long.MAX_VALUE;
        long rounds = 0, written = 0, read = 0, lost = 0;
        for (; rounds < RACES && System.nanoTime() < deadline; rounds++) {
            long size = 4096L << rnd.nextInt(0, 5);
            int maxCaplen = rnd.nextInt(1, (int) Math.min(2000, size / 2 - RingLayout.REC_HDR_SIZE));
            int count = rnd.nextInt(2_000, 40_000);
            long seed = rnd.nextLong();
            long[] r = race(dir.resolve("race" + rounds), size, maxCaplen, count, seed);
            assertEquals(count, r[0] + r[1], "read + lost = written (round " + rounds + ", seed " + SEED + ")");
            written += count;
            read += r[0];
            lost += r[1];
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("RingFuzzTest race: seed %d: %d rounds in %.1f s: %d packets written, %d read intact, %d lost "
                + "(counted exactly); 0 torn, 0 miscounted%n", SEED, rounds, s, written, read, lost);
    }

    /** One race; returns {read, lost}. */
    private static long[] race(Path path, long size, int maxCaplen, int count, long seed) throws Exception {
        TestRingWriter w = TestRingWriter.create(path, size, 1, maxCaplen, "race", RingLayout.WAIT_FUTEX);
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        try (RingMapping ring = RingMapping.open(path)) {
            RingReader reader = RingReader.at(ring, 0, 0);
            Thread writer = new Thread(() -> {
                try {
                    for (long seq = 0; seq < count; seq++) {
                        int caplen = caplen(seq, seed, maxCaplen);
                        w.write(payload(seq, caplen), caplen, caplen, seq);
                    }
                    w.end();
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "fuzz-writer");
            writer.start();
            long[] got = new long[2];
            long[] lastSeq = {-1};
            PacketSink check = p -> {
                if (p.seq <= lastSeq[0] || p.lostBefore != p.seq - lastSeq[0] - 1) {
                    throw new AssertionError("seq " + p.seq + " after " + lastSeq[0] + " reports " + p.lostBefore + " lost");
                }
                int caplen = caplen(p.seq, seed, maxCaplen);
                if (p.caplen != caplen || p.tsNanos != p.seq) {
                    throw new AssertionError("seq " + p.seq + ": caplen " + p.caplen + ", expected " + caplen);
                }
                for (int i = 0; i < caplen; i++) {
                    if (p.data[i] != (byte) (p.seq * 31 + i)) {
                        throw new AssertionError("seq " + p.seq + ": torn byte " + i);
                    }
                }
                got[0]++;
                got[1] += p.lostBefore;
                lastSeq[0] = p.seq;
                return true;
            };
            while (true) {
                reader.read(check);
                if (!reader.await(1000)) {
                    if (ring.ended() && reader.position() == ring.head()) {
                        break;
                    }
                    if (!writer.isAlive() && writerFailed.get() != null) {
                        break;
                    }
                }
            }
            writer.join();
            if (writerFailed.get() != null) {
                throw new AssertionError("the test writer failed", writerFailed.get());
            }
            got[1] += count - 1 - lastSeq[0]; // packets after the last read (none: the ring ended)
            return got;
        }
    }

    private static int caplen(long seq, long seed, int maxCaplen) {
        return (int) (((seq ^ seed) * 0x9E3779B97F4A7C15L >>> 33) % maxCaplen) + 1;
    }
}
