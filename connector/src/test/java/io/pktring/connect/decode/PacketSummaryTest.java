package io.pktring.connect.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder agrees with Wireshark (tshark) on every packet of the test captures (every
 * directory of tests/testdata.sh) of the supported link types: ether type, VLAN, IP addresses and
 * protocol, ports, TCP flags.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PacketSummaryTest {
    static final int[] SUPPORTED = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    static final String[] FIELDS = {"frame.protocols", "eth.type", "vlan.id", "vlan.etype", "ip.src", "ip.dst", "ip.proto",
        "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags"};
    /** frame.protocols names of the link layers the decoder walks through to reach IP. */
    static final Set<String> LINK = Set.of("eth", "ethertype", "vlan", "sll", "raw", "null", "loop", "ieee8021ad");

    /** Every whole test capture's packets, grouped by link type. */
    static Map<Integer, List<PcapFile.Packet>> byLinktype = new LinkedHashMap<>();

    @BeforeAll
    static void readCaptures() throws Exception {
        for (Path p : TestData.captures()) {
            PcapFile.Contents c = PcapFile.tryRead(p);
            if (c != null && c.error() == null && Arrays.stream(SUPPORTED).anyMatch(l -> l == c.linktype())) {
                byLinktype.computeIfAbsent(c.linktype(), k -> new ArrayList<>()).addAll(c.packets());
            }
        }
        // The captures have no LOOP, IPV4 or LINUX_SLL2 packets: re-frame the Ethernet ones' IP
        // packets under those link layers (tshark then decodes the new files independently).
        for (PcapFile.Packet pk : byLinktype.get(1)) {
            if (pk.caplen() <= 14) {
                continue;
            }
            int type = (pk.data()[12] & 0xff) << 8 | (pk.data()[13] & 0xff);
            if (type != 0x0800 && type != 0x86dd) {
                continue;
            }
            byte[] ip = Arrays.copyOfRange(pk.data(), 14, pk.caplen());
            byte[] loop = {0, 0, 0, (byte) (type == 0x0800 ? 2 : 24)};
            byte[] sll2 = new byte[20];
            sll2[0] = (byte) (type >> 8);
            sll2[1] = (byte) type;
            sll2[11] = 6;
            System.arraycopy(pk.data(), 6, sll2, 12, 6); // link-layer address: the Ethernet source
            add(108, loop, ip, pk);
            add(276, sll2, ip, pk);
            if (type == 0x0800) {
                add(228, new byte[0], ip, pk);
            }
        }
    }

    private static void add(int linktype, byte[] header, byte[] ip, PcapFile.Packet from) {
        byte[] d = new byte[header.length + ip.length];
        System.arraycopy(header, 0, d, 0, header.length);
        System.arraycopy(ip, 0, d, header.length, ip.length);
        byLinktype.computeIfAbsent(linktype, k -> new ArrayList<>())
                .add(new PcapFile.Packet(from.tsNanos(), d.length, from.origlen() - 14 + header.length, d, from.sec(), from.nsec()));
    }

    /** tshark's fields for each packet, one String[] (FIELDS order, "" when absent) per packet. */
    static List<String[]> tshark(Path file) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(l -> Arrays.copyOf(l.split("\t", -1), FIELDS.length)).toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark on " + file);
        return rows;
    }

    @Test
    void agreesWithTshark(@TempDir Path dir) throws Exception {
        Map<String, Integer> compared = new LinkedHashMap<>();
        List<String> mismatches = new ArrayList<>();
        Set<Integer> ipLinktypeSet = new HashSet<>(); // link types tshark saw IP right under
        for (Map.Entry<Integer, List<PcapFile.Packet>> e : byLinktype.entrySet()) {
            int linktype = e.getKey();
            List<PcapFile.Packet> packets = e.getValue();
            Path merged = dir.resolve("linktype-" + linktype + ".pcap");
            PcapFile.write(merged, linktype, packets);
            List<String[]> rows = tshark(merged);
            assertEquals(packets.size(), rows.size(), "tshark rows for link type " + linktype);
            for (int i = 0; i < packets.size(); i++) {
                PcapFile.Packet pk = packets.get(i);
                PacketSummary s = PacketDecoder.decode(linktype, pk.data(), pk.caplen());
                String where = "link type " + linktype + " packet " + (i + 1) + " " + s;
                int before = compared.getOrDefault("ipv4", 0) + compared.getOrDefault("ipv6", 0);
                compare(rows.get(i), s, linktype, where, compared, mismatches, ipLinktypeSet);
                if (compared.getOrDefault("ipv4", 0) + compared.getOrDefault("ipv6", 0) > before) {
                    compared.merge("IP on link type " + linktype, 1, Integer::sum);
                }
            }
        }
        System.out.println("decode vs tshark comparisons: " + compared);
        long ipLinktypes = ipLinktypeSet.size();
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first: " + mismatches.subList(0, Math.min(25, mismatches.size())));
        // every kind of field was compared, on as many packets as the captures have of it
        for (String kind : List.of("ipv4", "ipv6", "tcp", "udp", "vlan", "ethertype")) {
            assertTrue(compared.getOrDefault(kind, 0) > 0, kind + " compared: " + compared);
        }
        assertEquals(ipLinktypes, compared.keySet().stream().filter(k -> k.startsWith("IP on link type")).count(),
                "IP decoded under every link layer tshark finds IP under: " + compared);
    }

    private static void compare(String[] t, PacketSummary s, int linktype, String where, Map<String, Integer> n,
            List<String> bad, Set<Integer> ipLinktypes) {
        String[] protos = t[0].split(":");
        // Where does the first IP header sit, and does only a link layer the decoder knows precede it?
        int ipAt = -1;
        boolean plainLink = true;
        for (int k = 0; k < protos.length; k++) {
            if (protos[k].equals("ip") || protos[k].equals("ipv6")) {
                ipAt = k;
                break;
            }
            plainLink &= LINK.contains(protos[k]);
        }
        long ipHeaders = Arrays.stream(protos).filter(p -> p.equals("ip") || p.equals("ipv6")).count();

        if (linktype == 1 && !t[1].isEmpty()) {
            int ethType = first(t[1]);
            int expected = ethType;
            if (isVlan(ethType)) {
                expected = -1;
                for (String v : t[3].split(",")) { // the first non-VLAN type after the outer tags
                    if (!v.isEmpty() && !isVlan(Integer.decode(v))) {
                        expected = Integer.decode(v);
                        break;
                    }
                }
            }
            if (expected >= 0x600) {
                check(bad, n, "ethertype", where, expected, s.etherType());
            }
        }
        if (!t[2].isEmpty() && protos.length > 1 && protos[1].equals("ethertype") && protos[2].equals("vlan")) {
            check(bad, n, "vlan", where, first(t[2]), s.vlanId());
        }
        if (ipAt < 0 || !plainLink) {
            return;
        }
        ipLinktypes.add(linktype);
        // tshark names what it could read of a truncated header; the decoder needs the whole header
        if (protos[ipAt].equals("ip") && !t[4].isEmpty() && !t[5].isEmpty()) {
            check(bad, n, "ipv4", where, t[4].split(",")[0], s.srcAddr());
            check(bad, n, "ipv4", where, t[5].split(",")[0], s.dstAddr());
            check(bad, n, "ipv4", where, first(t[6]), s.ipProtocol());
            check(bad, n, "ipv4", where, 4, s.ipVersion());
        } else if (protos[ipAt].equals("ipv6") && !t[7].isEmpty() && !t[8].isEmpty()) {
            String src = t[7].split(",")[0], dst = t[8].split(",")[0];
            if (!src.startsWith("::ffff:") && !dst.startsWith("::ffff:")) { // Wireshark writes mapped v4 its own way
                check(bad, n, "ipv6", where, src, s.srcAddr());
                check(bad, n, "ipv6", where, dst, s.dstAddr());
            }
            check(bad, n, "ipv6", where, 6, s.ipVersion());
        } else {
            return;
        }
        int l4 = ipAt + 1;
        while (l4 < protos.length && protos[l4].startsWith("ipv6.")) {
            l4++; // extension headers
        }
        if (ipHeaders != 1 || l4 >= protos.length) {
            return; // tunnels or ICMP errors quote a second IP header: Wireshark's ports are the inner ones
        }
        if (protos[l4].equals("tcp") && !t[9].isEmpty()) {
            check(bad, n, "tcp", where, first(t[9]), s.srcPort());
            check(bad, n, "tcp", where, first(t[10]), s.dstPort());
            if (!t[13].isEmpty()) {
                check(bad, n, "tcp", where, first(t[13]), s.tcpFlags());
            }
            check(bad, n, "tcp", where, 6, s.ipProtocol());
        } else if (protos[l4].equals("udp") && !t[11].isEmpty()) {
            check(bad, n, "udp", where, first(t[11]), s.srcPort());
            check(bad, n, "udp", where, first(t[12]), s.dstPort());
            check(bad, n, "udp", where, 17, s.ipProtocol());
        }
    }

    private static boolean isVlan(int type) {
        return type == 0x8100 || type == 0x88a8 || type == 0x9100;
    }

    private static int first(String field) {
        return Integer.decode(field.split(",")[0]);
    }

    private static void check(List<String> bad, Map<String, Integer> n, String what, String where, Object tshark, Object ours) {
        n.merge(what, 1, Integer::sum);
        if (!tshark.equals(ours)) {
            bad.add(where + ": " + what + " tshark " + tshark + ", decoder " + ours);
        }
    }

    @Test
    void flowKeyIsTheSameBothWaysAndDiffersBetweenFlows() {
        int flows = 0;
        Set<String> keys = new HashSet<>();
        Map<String, String> keyOfFlow = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<PcapFile.Packet>> e : byLinktype.entrySet()) {
            for (PcapFile.Packet pk : e.getValue()) {
                PacketSummary s = PacketDecoder.decode(e.getKey(), pk.data(), pk.caplen());
                if (s.srcAddr() == null) {
                    continue;
                }
                byte[] key = s.flowKey();
                assertNotNull(key, s.toString());
                // the other direction of the flow: the same packet with its endpoints swapped
                byte[] rev = swapped(s).flowKey();
                assertArrayEquals(key, rev, "both directions of " + s);
                String flow = s.ipProtocol() + " " + s.vlanId() + " " + endpointPair(s);
                String k = Arrays.toString(key);
                String prev = keyOfFlow.putIfAbsent(flow, k);
                if (prev == null) {
                    assertTrue(keys.add(k), "a different flow has the same key: " + flow);
                    flows++;
                } else {
                    assertEquals(prev, k, flow);
                }
            }
        }
        assertTrue(flows > 1, flows + " distinct flows"); // keys are compared between flows
    }

    /** The flow's two endpoints, ordered, as text: an independent statement of "same flow". */
    private static String endpointPair(PacketSummary s) {
        String a = s.srcAddr() + "/" + s.srcPort(), b = s.dstAddr() + "/" + s.dstPort();
        return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
    }

    private static PacketSummary swapped(PacketSummary s) {
        // the same bytes with the endpoints read the other way round
        PacketSummary r = new PacketSummary();
        r.data = s.data;
        r.etherType = s.etherType;
        r.vlanId = s.vlanId;
        r.ipVersion = s.ipVersion;
        r.ipProtocol = s.ipProtocol;
        r.ipLength = s.ipLength;
        r.srcIpAt = s.dstIpAt;
        r.dstIpAt = s.srcIpAt;
        r.srcPort = s.dstPort;
        r.dstPort = s.srcPort;
        r.srcMacAt = s.dstMacAt;
        r.dstMacAt = s.srcMacAt;
        return r;
    }

    @Test
    void neverThrowsOnGarbage() {
        Random rnd = new Random(1);
        for (int linktype : SUPPORTED) {
            for (int i = 0; i < 20_000; i++) {
                byte[] p = new byte[rnd.nextInt(120)];
                rnd.nextBytes(p);
                if (p.length > 14 && rnd.nextBoolean()) {
                    p[12] = (byte) 0x81; // make deeper paths likely: VLAN, then IPv4/IPv6
                    p[13] = 0;
                }
                PacketSummary s = PacketDecoder.decode(linktype, p, p.length + rnd.nextInt(3) - 1);
                s.flowKey();
                s.srcAddr();
            }
        }
        assertFalse(PacketDecoder.decode(1, null, 100).etherType() != null);
        assertEquals(null, PacketDecoder.decode(9999, new byte[64], 64).flowKey());
    }
}
