package io.pktring.connect.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java BPF interpreter gives libpcap's verdict on every packet of every test capture (every
 * directory of tests/testdata.sh), and the match counts equal what tcpdump itself selects from the
 * file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketFilterTest {
    static final String[] EXPRESSIONS = {
        "tcp", "udp port 53", "ip6", "vlan and tcp", "tcp[tcpflags] & tcp-syn != 0", "net 10.0.0.0/8", "icmp or arp",
        "ip and udp and not port 53", "greater 200", "less 64", "ip[6:2] & 0x1fff != 0", "ether broadcast",
        "ip6 and tcp portrange 1-1024", "ip proto 47 or ip6 proto 47", "tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420",
        "len % 3 = 1", "ip[2:2] * 2 > 400 and ip[2:2] / 3 < 1000 and (ip[8] ^ 0xff) > 10 and (ip[8] << 1) - 1 != 0",
        // arithmetic between two loads: the X-register ALU forms, NEG, and division by a packet byte
        "ip[2:2] - (ip[0] & 0xf) * 4 > 20 and ip[2:2] / ip[8] > 1 and ip[1] % (ip[9] + 1) >= 0",
        "ip[1] / (ip[9] - 6) >= 0", // TCP packets divide by zero: libpcap rejects them, so must we
        "ip[9] << (ip[0] & 3) != 0 and ip[9] >> (ip[0] & 1) != 1 and ip[8] ^ ip[9] != 7 and ip[8] | ip[9] != 0",
        "(-len & 3) = 0 and len + ip[0] > 100",
        "mpls", "pppoes or pppoed", "ip host 192.168.1.1 or ip6 net 2001:db8::/32", "ether proto 0x88cc", "sctp", "igmp",
    };

    static List<PcapFile.Contents> captures = new ArrayList<>();
    static long packets;

    @BeforeAll
    static void readCaptures() throws Exception {
        for (Path p : TestData.captures()) {
            PcapFile.Contents c = PcapFile.tryRead(p);
            if (c != null) {
                captures.add(c); // a file libpcap stops reading early still gives its first packets
                packets += c.packets().size();
            }
        }
        for (Path d : TestData.directories()) {
            assertTrue(captures.stream().anyMatch(c -> c.path().startsWith(d) && !c.packets().isEmpty()),
                    "read captures of " + d);
        }
    }

    @Test
    void everyPacketGetsLibpcapsOwnVerdict() throws Exception {
        int compared = 0;
        List<String> selectNothing = new ArrayList<>();
        for (String expr : EXPRESSIONS) {
            int matched = 0;
            for (PcapFile.Contents c : captures) {
                boolean[] want = PcapFile.offlineFilter(expr, c);
                if (want == null) {
                    // libpcap does not compile this for the link type: neither may we
                    assertThrows(FilterException.class, () -> PacketFilter.compile(expr, c.linktype(), snaplen(c)),
                            expr + " on " + c.path());
                    continue;
                }
                PacketFilter f = PacketFilter.compile(expr, c.linktype(), snaplen(c));
                for (int i = 0; i < want.length; i++) {
                    PcapFile.Packet p = c.packets().get(i);
                    assertEquals(want[i], f.matches(p.data(), p.caplen(), p.origlen()),
                            "'" + expr + "' on " + c.path() + " packet " + (i + 1));
                    matched += want[i] ? 1 : 0;
                    compared++;
                }
            }
            if (matched == 0) {
                selectNothing.add(expr); // the own corpus has no GRE, SCTP, MPLS, PPPoE, LLDP or DNS
            }
        }
        // the verdicts mean something: most expressions select some packets of the captures
        assertTrue(selectNothing.size() <= EXPRESSIONS.length / 2, "these select no packet of "
                + TestData.directories() + ", so too little is compared: " + selectNothing);
        // most expressions compile for most link types: the comparison is not vacuous
        assertTrue(compared > EXPRESSIONS.length * packets / 2, "compared " + compared + " verdicts on " + packets
                + " packets");
    }

    /** tcpdump -r FILE -w OUT EXPR, counted with libpcap: the independent command-line oracle. */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp port 53", "ip6", "vlan and tcp", "tcp[tcpflags] & tcp-syn != 0",
        "net 10.0.0.0/8", "icmp or arp"})
    void matchCountEqualsTcpdumps(String expr, @TempDir Path dir) throws Exception {
        Map<Path, Integer> files = new HashMap<>(); // per directory
        for (PcapFile.Contents c : captures) {
            if (c.error() != null || c.packets().size() < 5 || files.getOrDefault(c.path().getParent(), 0) >= 20) {
                continue; // tcpdump stops at a read error; keep to whole files
            }
            Path out = dir.resolve("out.pcap");
            Process p = new ProcessBuilder("tcpdump", "-r", c.path().toString(), "-w", out.toString(), expr)
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            if (p.exitValue() != 0) {
                assertThrows(FilterException.class, () -> PacketFilter.compile(expr, c.linktype(), snaplen(c)), log);
                continue;
            }
            int tcpdumpCount = PcapFile.read(out).packets().size();
            PacketFilter f = PacketFilter.compile(expr, c.linktype(), snaplen(c));
            int ours = 0;
            for (PcapFile.Packet pk : c.packets()) {
                ours += f.matches(pk.data(), pk.caplen(), pk.origlen()) ? 1 : 0;
            }
            assertEquals(tcpdumpCount, ours, "'" + expr + "' on " + c.path());
            Files.delete(out);
            files.merge(c.path().getParent(), 1, Integer::sum);
        }
        for (Path d : TestData.directories()) {
            assertTrue(files.getOrDefault(d, 0) > 0, "compared with tcpdump on files of " + d + ": " + files);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp port 99999", "tcp and and", "port nosuchservice", "ip proto bogus", "vlan 5000"})
    void badExpressionGivesLibpcapsMessage(String expr) throws Exception {
        // no host names: resolving one would send DNS queries off the machine
        Path file = captures.stream().filter(c -> c.linktype() == 1).findFirst().orElseThrow().path();
        Process p = new ProcessBuilder("tcpdump", "-n", "-r", file.toString(), expr).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String tcpdumpSays = lines.get(lines.size() - 1).replaceFirst("^tcpdump: ", "");
        FilterException e = assertThrows(FilterException.class, () -> PacketFilter.compile(expr, 1, 262144));
        assertEquals(tcpdumpSays, e.getMessage());
    }

    @Test
    void outOfBoundsLoadsRejectThePacket() throws Exception {
        PacketFilter f = PacketFilter.compile("tcp[100] = 0", 1, 262144);
        byte[] pkt = new byte[60]; // a TCP/IPv4 frame cut short of byte 100 of the TCP header
        pkt[12] = 0x08;
        pkt[14] = 0x45;
        pkt[23] = 6;
        assertEquals(false, f.matches(pkt, pkt.length, 1500));
        PacketFilter any = PacketFilter.compile("", 1, 262144);
        assertTrue(any.matches(new byte[0], 0, 0), "the empty expression accepts everything");
    }

    @Test
    void acceptsLinktypeRawAsStoredInFiles() throws Exception {
        // LINKTYPE_RAW (101) in a file or ring is DLT_RAW (12) to libpcap: both compile the same
        PcapFile.Contents c = PcapFile.read(TestData.corpus("tun-raw.pcap"));
        boolean[] want = PcapFile.offlineFilter("ip and udp", c);
        PacketFilter f = PacketFilter.compile("ip and udp", 101, 65535);
        for (int i = 0; i < want.length; i++) {
            PcapFile.Packet p = c.packets().get(i);
            assertEquals(want[i], f.matches(p.data(), p.caplen(), p.origlen()));
        }
    }

    private static int snaplen(PcapFile.Contents c) {
        return c.snaplen() > 0 ? c.snaplen() : 262144;
    }
}
