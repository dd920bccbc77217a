package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * What a capture's link layer decides, through a real worker, in packet and block mode: a
 * 'vlan 100' filter on a ring of the corpus's 802.1Q and 802.1ad (QinQ) captures publishes
 * exactly the packets tcpdump selects from them, and the records of a raw-IP capture carry its
 * link type, LINKTYPE_RAW (101).
 */
class LinkLayerIT {

    @TempDir
    Path dir;

    final ConnectStack stack = ConnectStack.shared();

    @AfterEach
    void deleteConnectors() {
        stack.deleteConnectors("vlan100", "vlan100-blocks", "raw", "raw-blocks");
    }

    @Test
    void aVlanFilterPublishesExactlyWhatTcpdumpSelects() throws Exception {
        List<Path> files = List.of(TestData.corpus("vlan.pcap"), TestData.corpus("qinq.pcap"));
        Path ring = dir.resolve("vlan");
        int all = 0, tcpdumpCount = 0;
        List<PcapFile.Packet> want = new ArrayList<>();
        for (Path f : files) {
            Replayer.replay(ring, "4M", all > 0, f.toString());
            all += PcapFile.read(f).packets().size();
            // tcpdump -r FILE 'vlan 100' | wc -l, and the packets it selects
            tcpdumpCount += Replayer.run(30, "tcpdump", "-n", "-r", f.toString(), "vlan 100").lines().count();
            Path selected = dir.resolve(f.getFileName() + ".vlan100.pcap");
            Replayer.run(30, "tcpdump", "--time-stamp-precision=nano", "-r", f.toString(), "-w", selected.toString(), "vlan 100");
            want.addAll(PcapFile.read(selected).packets());
        }
        assertEquals(tcpdumpCount, want.size(), "tcpdump prints one line per packet it selects");
        assertTrue(tcpdumpCount > 0 && tcpdumpCount < all, "'vlan 100' selects some packets of " + files + ", not all");

        for (String mode : List.of("packet", "block")) {
            String topic = mode.equals("packet") ? "vlan100" : "vlan100-blocks";
            stack.connect.kafka().createTopic(topic, 1);
            stack.connect.configureConnector(topic, ConnectStack.connectorConfig(ring.toString(), topic,
                    "filter", "vlan 100", "record.mode", mode, "record.timestamp", "publish"));
            int min = mode.equals("packet") ? tcpdumpCount : 1;
            List<byte[]> got = packets(stack.consume(topic, min, 2000, Duration.ofSeconds(60), false));
            assertEquals(tcpdumpCount, got.size(), mode + " mode: packets matching 'vlan 100' (tcpdump's count)");
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).data(), got.get(i), mode + " mode, packet " + i);
            }
        }
    }

    @Test
    void recordsOfARawIpCaptureCarryLinktypeRaw() throws Exception {
        Path file = TestData.corpus("tun-raw.pcap");
        Path ring = dir.resolve("raw");
        Replayer.replay(ring, "4M", false, file.toString());
        List<PcapFile.Packet> want = PcapFile.read(file).packets();
        assertFalse(want.isEmpty());

        stack.connect.kafka().createTopic("raw", 1);
        stack.connect.configureConnector("raw", ConnectStack.connectorConfig(ring.toString(), "raw",
                "record.timestamp", "publish"));
        List<Decoded> records = stack.consume("raw", want.size(), 2000, Duration.ofSeconds(60), false);
        assertEquals(want.size(), records.size());
        for (Decoded d : records) {
            assertEquals(101, d.value().get("linktype"), "LINKTYPE_RAW");
            assertNotNull(d.value().get("ip_version"), "the summary is decoded from bare IP");
        }

        stack.connect.kafka().createTopic("raw-blocks", 1);
        stack.connect.configureConnector("raw-blocks", ConnectStack.connectorConfig(ring.toString(), "raw-blocks",
                "record.mode", "block", "record.timestamp", "publish"));
        List<Decoded> blocks = stack.consume("raw-blocks", 1, 2000, Duration.ofSeconds(60), false);
        for (Decoded d : blocks) {
            assertEquals(101, d.value().get("linktype"), "LINKTYPE_RAW");
        }
        List<byte[]> got = packets(blocks);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i).data(), got.get(i), "packet " + i);
        }
    }

    /** The packets' bytes, in order, from Packet or PacketColumns records. */
    private static List<byte[]> packets(List<Decoded> records) {
        List<byte[]> out = new ArrayList<>();
        for (Decoded d : records) {
            GenericRecord v = d.value();
            if (v.getSchema().getField("count") == null) {
                out.add(bytes((ByteBuffer) v.get("data")));
                continue;
            }
            EveryPacketIT.unpack(v).forEach(u -> out.add(u.data()));
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
