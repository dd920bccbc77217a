package io.pktring.connect.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every test capture (every directory of tests/testdata.sh) replayed by pktring-replay into
 * rings, one ring per link type (a ring has one), and for each ring the packets libpcap reads
 * from its captures, in ring order: what the every-packet tests compare what arrives against.
 */
public final class CorpusRings {

    /** A ring, libpcap's link type (DLT) of its captures, its epoch, and the packets it holds. */
    public record Ring(Path path, int linktype, long epoch, List<PcapFile.Packet> packets) {
    }

    private CorpusRings() {
    }

    /** Replays every test capture into rings in dir; each ring has ended when this returns. */
    public static List<Ring> replay(Path dir) throws Exception {
        List<Path> files = TestData.captures();
        for (Path d : TestData.directories()) {
            assertTrue(files.stream().anyMatch(f -> f.startsWith(d)), "test captures in " + d);
        }
        Map<Integer, List<PcapFile.Contents>> byLinktype = new TreeMap<>();
        for (Path f : files) {
            PcapFile.Contents c = PcapFile.read(f);
            if (!c.packets().isEmpty()) {
                byLinktype.computeIfAbsent(c.linktype(), k -> new ArrayList<>()).add(c);
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<Ring> rings = new ArrayList<>();
        for (var group : byLinktype.entrySet()) {
            // The ring takes its snap length (so its largest record) from the capture that creates it.
            List<PcapFile.Contents> captures = new ArrayList<>(group.getValue());
            captures.sort(Comparator.comparingInt(PcapFile.Contents::snaplen).reversed());
            Path ring = dir.resolve("ring-lt" + group.getKey());
            for (int i = 0; i < captures.size(); i++) {
                // A damaged capture: the replayer writes what libpcap reads before the damage and
                // exits non-zero; the expectation is what libpcap read, so the status is not used.
                Replayer.replay(ring, "32M", i > 0, captures.get(i).path().toString());
            }
            JsonNode stat = json.readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r",
                    ring.toString(), "--json"));
            long maxRecord = stat.get("max_record").asLong();
            List<PcapFile.Packet> want = new ArrayList<>();
            for (PcapFile.Contents c : captures) {
                for (PcapFile.Packet p : c.packets()) {
                    // What the ABI cannot hold is skipped (and counted) by the writer: a record
                    // larger than the ring's max_record, a timestamp outside u64 nanoseconds.
                    if (40 + p.caplen() <= maxRecord && p.representable()) {
                        want.add(p);
                    } else {
                        System.out.printf("CorpusRings: %s: a packet the ring cannot hold (caplen %d, max record %d, "
                                + "ts %d.%09d)%n", c.path().getFileName(), p.caplen(), maxRecord, p.sec(), p.nsec());
                    }
                }
            }
            assertEquals(want.size(), stat.get("seq_next").asLong(),
                    ring + ": pktring-replay wrote a different number of packets than libpcap reads");
            long epoch = Long.parseUnsignedLong(stat.get("epoch").asText().substring(2), 16);
            rings.add(new Ring(ring, group.getKey(), epoch, List.copyOf(want)));
        }
        System.out.printf("CorpusRings: %d captures -> %d packets in %d rings%n", files.size(),
                rings.stream().mapToInt(r -> r.packets().size()).sum(), rings.size());
        return rings;
    }
}
