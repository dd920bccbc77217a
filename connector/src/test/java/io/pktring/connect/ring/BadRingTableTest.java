package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * The one table of bad rings (kmod/tests/bad_rings.tsv), read by the C tools' tests too: a good
 * ring with one edit, refused by the Java reader with a RingFormatException at the stage the table
 * names (open or the first record read) -- never a crash, a hang or a silent read.
 */
class BadRingTableTest {

    static final Path TABLE = TestData.REPO.resolve("kmod/tests/bad_rings.tsv");

    @TempDir
    Path dir;

    static Stream<Arguments> cases() throws IOException {
        return Files.readAllLines(TABLE).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t"))
                .map(f -> Arguments.of(f[0], f[1], f[2]));
    }

    @ParameterizedTest(name = "{0}: {1} (refused at {2})")
    @MethodSource("cases")
    void refused(String name, String edit, String at) throws Exception {
        Path ring = dir.resolve(name);
        assertEquals(0, Replayer.replay(ring, "1M", false, TestData.corpus("vlan.pcap").toString()));
        apply(ring, edit.split(" "));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            if (at.equals("open")) {
                assertThrows(RingException.class, () -> RingMapping.open(ring).close(), name);
                return;
            }
            try (RingMapping m = RingMapping.open(ring)) {
                RingReader r = RingReader.atEarliest(m);
                assertThrows(RingFormatException.class, () -> r.read(p -> true), name);
            }
        });
    }

    /** truncate SIZE | poke OFFSET VALUE BYTES (little-endian), as bad_rings.sh does. */
    private static void apply(Path ring, String[] edit) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(ring.toFile(), "rw")) {
            if (edit[0].equals("truncate")) {
                f.setLength(Long.decode(edit[1]));
                return;
            }
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.decode(edit[2]));
            f.seek(Long.decode(edit[1]));
            f.write(b.array(), 0, Integer.parseInt(edit[3]));
        }
    }
}
