package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PcapWriterTest {

    @TempDir
    Path tmp;

    /** Whole, non-empty captures from every test-data directory, up to 20 of each. */
    static List<Path> captures() {
        return TestData.sample(20).stream().filter(p -> {
            PcapFile.Contents c = PcapFile.tryRead(p);
            return c != null && c.error() == null && !c.packets().isEmpty();
        }).toList();
    }

    /** Packets written by PcapWriter read back the same in libpcap, tshark and tcpdump. */
    @ParameterizedTest
    @MethodSource("captures")
    void rewritesTestCapturesExactly(Path original) throws Exception {
        String name = original.toString();
        List<CapturedPacket> packets = Captures.read(original);
        assertFalse(packets.isEmpty(), name + " has packets");
        Path out = tmp.resolve("out.pcap");
        try (PcapWriter w = new PcapWriter(out.toString(), packets.get(0).linktype(), 262_144)) {
            packets.forEach(w::write);
        }
        assertSamePackets(packets, Captures.read(out));
        List<PcapFile.Packet> stored = PcapFile.read(original).packets();
        if (stored.stream().allMatch(p -> p.nsec() < 1_000_000_000L)) {
            assertEquals(Captures.tsharkFields(original), Captures.tsharkFields(out), "tshark's view of " + name);
            assertEquals(Captures.tcpdumpHex(original), Captures.tcpdumpHex(out), "tcpdump's view of " + name);
        } else {
            // A fraction of a second or more, which tshark and tcpdump misread in the original: the
            // rewritten file holds the time it stands for, and the same packets.
            List<String> times = stored.stream().map(p -> Long.divideUnsigned(p.tsNanos(), 1_000_000_000L) + "."
                    + String.format("%09d", Long.remainderUnsigned(p.tsNanos(), 1_000_000_000L)) + "\t" + p.origlen()
                    + "\t" + p.caplen()).toList();
            assertEquals(times, Captures.tsharkFields(out), "tshark's view of the rewritten " + name);
            assertEquals(withoutTimes(Captures.tcpdumpHex(original)), withoutTimes(Captures.tcpdumpHex(out)),
                    "tcpdump's view of " + name + " but for the times");
        }
    }

    /** tcpdump's lines with the time that starts each packet's first line taken off. */
    private static List<String> withoutTimes(List<String> lines) {
        return lines.stream().map(l -> l.startsWith("\t") ? l : l.replaceFirst("^\\S+ ", "")).toList();
    }

    /**
     * Records carry link types as files and rings store them (LINKTYPE_RAW = 101 for tun-raw.pcap);
     * libpcap writes a file only for the DLT_ value (DLT_RAW = 12), and reads it back as that.
     */
    @Test
    void aRecordsLinkTypeThatLibpcapNumbersOtherwiseIsWritten() throws Exception {
        List<CapturedPacket> raw = Captures.read(TestData.corpus("tun-raw.pcap"));
        Path out = tmp.resolve("raw.pcap");
        try (PcapWriter w = new PcapWriter(out.toString(), 101, 262_144)) {
            raw.forEach(p -> w.write(new CapturedPacket(p.tsNanos(), p.caplen(), p.origlen(), 101, p.data())));
        }
        assertEquals(12, raw.get(0).linktype(), "libpcap's DLT_RAW for the capture's LINKTYPE_RAW");
        assertSamePackets(raw, Captures.read(out));
    }

    /** A pcap's seconds are 32 bits: times up to 2106-02-07 06:28:15 UTC, none after (the ring's u64 goes on). */
    @Test
    void aPcapHoldsTimesUpTo2106() {
        assertTrue(PcapWriter.holds(0));
        assertTrue(PcapWriter.holds(0xffff_ffffL * 1_000_000_000L + 999_999_999L));
        assertFalse(PcapWriter.holds(0x1_0000_0000L * 1_000_000_000L));
        assertFalse(PcapWriter.holds(-1), "a u64 time past 2262");
    }

    @Test
    void unwritableTargetIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> new PcapWriter(tmp.resolve("no/such/dir/x.pcap").toString(), 1, 65535));
        assertTrue(e.getMessage().contains("no/such/dir/x.pcap"), e.getMessage());
    }

    static void assertSamePackets(List<CapturedPacket> expected, List<CapturedPacket> actual) {
        assertEquals(expected.size(), actual.size(), "packet count");
        for (int i = 0; i < expected.size(); i++) {
            CapturedPacket e = expected.get(i);
            CapturedPacket a = actual.get(i);
            assertEquals(e.tsNanos(), a.tsNanos(), "timestamp of packet " + i);
            assertEquals(e.caplen(), a.caplen(), "caplen of packet " + i);
            assertEquals(e.origlen(), a.origlen(), "origlen of packet " + i);
            assertEquals(e.linktype(), a.linktype(), "linktype of packet " + i);
            assertArrayEquals(e.data(), a.data(), "bytes of packet " + i);
        }
    }
}
