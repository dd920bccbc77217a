package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * One ring, read at once by two connectors with different filters and topics and by pktring-dump,
 * while pktring-replay writes it. The dumper's capture holds every packet; each connector
 * publishes exactly the packets tcpdump selects from that capture with the same expression,
 * in order and byte for byte.
 */
class SharedRingIT {

    static final String[] CAPTURES = {"tcp.pcap", "udp.pcap", "icmp.pcap", "ipv6.pcap", "vlan.pcap", "mixed.pcapng"};
    static final int LOOPS = 3;

    @TempDir
    Path dir;

    final ConnectStack stack = ConnectStack.shared();
    Process replay;
    Process dump;

    @AfterEach
    void cleanUp() {
        stack.deleteConnectors("shared-tcp", "shared-udp");
        if (replay != null) {
            replay.destroyForcibly();
        }
        if (dump != null) {
            dump.destroyForcibly();
        }
    }

    @Test
    void twoFilteredConnectorsAndADumperReadOneRingAtOnce() throws Exception {
        Path ring = dir.resolve("ring");
        String[] args = new String[4 + CAPTURES.length];
        args[0] = "-p";
        args[1] = "2000";
        args[2] = "-l";
        args[3] = Integer.toString(LOOPS);
        int expectedTotal = 0;
        for (int i = 0; i < CAPTURES.length; i++) {
            args[4 + i] = TestData.corpus(CAPTURES[i]).toString();
            expectedTotal += PcapFile.read(Path.of(args[4 + i])).packets().size();
        }
        expectedTotal *= LOOPS;
        replay = Replayer.startReplay(ring, "16M", args);
        ConnectStack.await(Duration.ofSeconds(10), "the replayer to create the ring", () -> Files.exists(ring));

        Path dumped = dir.resolve("dump.pcap");
        dump = new ProcessBuilder(Replayer.tool("pktring-dump").toString(), "-q", "-r", ring.toString(), "-w", dumped.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        stack.connect.kafka().createTopic("shared-tcp", 1);
        stack.connect.kafka().createTopic("shared-udp", 1);
        stack.connect.configureConnector("shared-tcp", ConnectStack.connectorConfig(ring.toString(), "shared-tcp",
                "filter", "tcp", "record.timestamp", "publish"));
        stack.connect.configureConnector("shared-udp", ConnectStack.connectorConfig(ring.toString(), "shared-udp",
                "filter", "udp and not port 443", "record.timestamp", "publish"));

        assertTrue(replay.waitFor(60, TimeUnit.SECONDS), "replay finished");
        assertEquals(0, replay.exitValue());
        assertTrue(dump.waitFor(30, TimeUnit.SECONDS), "the dumper stops once the ring has ended and is drained");
        assertEquals(0, dump.exitValue());
        assertEquals(expectedTotal, PcapFile.read(dumped).packets().size(), "the dumper got every packet");

        check("shared-tcp", "tcp", dumped, expectedTotal);
        check("shared-udp", "udp and not port 443", dumped, expectedTotal);
    }

    private void check(String connector, String filter, Path dumped, int total) throws Exception {
        Path selected = dir.resolve(connector + ".pcap");
        // nano: tcpdump writes microsecond files unless told, and the ring keeps nanoseconds
        Replayer.run(30, "tcpdump", "--time-stamp-precision=nano", "-r", dumped.toString(), "-w", selected.toString(), filter);
        List<PcapFile.Packet> want = PcapFile.read(selected).packets();
        assertTrue(want.size() > 0 && want.size() < total, filter + " selects some packets, not all");
        List<Decoded> got = stack.consume(connector, want.size(), 1000, Duration.ofSeconds(30), true);
        assertEquals(want.size(), got.size(), connector + ": packets matching '" + filter + "' (tcpdump's count)");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(ByteBuffer.wrap(want.get(i).data()), got.get(i).value().get("data"), connector + " packet " + i);
            assertEquals(want.get(i).tsNanos(), got.get(i).value().get("ts_ns"), connector + " packet " + i);
        }
        ConnectStack.await(Duration.ofSeconds(10), connector + " metrics", () ->
                ConnectStack.taskMetric(connector, 0, "PacketsFiltered") == total - want.size()
                        && ConnectStack.taskMetric(connector, 0, "PacketsRead") == total
                        && ConnectStack.taskMetric(connector, 0, "PacketsPublished") == want.size());
        assertEquals(0, ConnectStack.taskMetric(connector, 0, "PacketsLost"));
        assertEquals(0, got.get(got.size() - 1).header(PacketSchemas.HEADER_LOST));
    }
}
