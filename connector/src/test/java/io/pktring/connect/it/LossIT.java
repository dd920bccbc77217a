package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.LogCapture;
import io.pktring.connect.testing.Pcap;
import io.pktring.connect.testing.Replayer;

/**
 * Loss is reported and the connector carries on: a ring re-created under the running connector
 * (new epoch, its oldest packets already overwritten), and a connector paused while the writer
 * laps it. The loss shows, exactly, in the JMX metrics, in the pktring.lost header of the next
 * record, and in the log; every packet not lost arrives.
 */
class LossIT {

    @TempDir
    Path dir;

    final ConnectStack stack = ConnectStack.shared();

    @AfterEach
    void cleanUp() {
        stack.deleteConnectors("recreated", "lapped");
    }

    static JsonNode stat(Path ring) throws Exception {
        return new ObjectMapper().readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r", ring.toString(), "--json"));
    }

    static long epoch(JsonNode stat) {
        return Long.parseUnsignedLong(stat.get("epoch").asText().substring(2), 16);
    }

    @Test
    void ringRecreatedWhileRunning() throws Exception {
        Path ring = dir.resolve("ring");
        Pcap.Capture first = Pcap.read(Replayer.TESTDATA.resolve("LACP.pcap"));
        Pcap.Capture second = Pcap.read(Replayer.TESTDATA.resolve("mptcp-v0.pcap"));
        assertEquals(0, Replayer.replay(ring, "1M", false, first.path().toString()));
        stack.connect.kafka().createTopic("recreated", 1);
        try (LogCapture log = LogCapture.of(PktringSourceTask.class)) {
            stack.connect.configureConnector("recreated", ConnectStack.connectorConfig(ring.toString(), "recreated",
                    "record.timestamp", "publish"));
            int n1 = first.packets().size();
            assertEquals(n1, stack.consume("recreated", n1, 500, Duration.ofSeconds(30), true).size());

            // The new ring is written completely, then put in place: a 256 KiB ring holds only the
            // last of 20 copies of the capture, the others were overwritten before anyone read them.
            Path staging = dir.resolve("staging");
            assertEquals(0, Replayer.replay(staging, "256K", false, "-l", "20", second.path().toString()));
            JsonNode st = stat(staging);
            long seqNext = st.get("seq_next").asLong();
            long overwritten = st.get("counters").get("reclaimed").asLong();
            assertTrue(overwritten > 0 && seqNext == 20L * second.packets().size());
            Files.move(staging, ring, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            long kept = seqNext - overwritten;
            List<Decoded> all = stack.consume("recreated", (int) (n1 + kept), 1000, Duration.ofSeconds(30), true);
            assertEquals(n1 + kept, all.size(), "every packet still in the new ring arrives");
            Decoded firstNew = all.get(n1);
            assertEquals(epoch(st), firstNew.header(PktringSourceTask.HEADER_EPOCH));
            assertEquals(overwritten, firstNew.header(PktringSourceTask.HEADER_SEQ), "first packet still in the ring");
            assertEquals(overwritten, firstNew.header(PktringSourceTask.HEADER_LOST), "lost header");
            for (int i = n1 + 1; i < all.size(); i++) {
                assertEquals(0, all.get(i).header(PktringSourceTask.HEADER_LOST));
            }
            ConnectStack.await(Duration.ofSeconds(10), "metrics", () ->
                    ConnectStack.taskMetric("recreated", 0, "PacketsLost") == overwritten
                            && ConnectStack.taskMetric("recreated", 0, "RingReopens") == 1
                            && ConnectStack.taskMetric("recreated", 0, "RingEpoch") == epoch(st));
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains("ring re-created")), "log: " + log.lines());
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains(overwritten + " packets lost")), "log: " + log.lines());
            stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("recreated", 1, "carries on");
        }
    }

    @Test
    void pausedConnectorLappedByTheWriter() throws Exception {
        Path ring = dir.resolve("lapped");
        Pcap.Capture capture = Pcap.read(Replayer.TESTDATA.resolve("mptcp-v0.pcap"));
        int n = capture.packets().size();
        assertEquals(0, Replayer.replay(ring, "256K", false, capture.path().toString()));
        stack.connect.kafka().createTopic("lapped", 1);
        try (LogCapture log = LogCapture.of(PktringSourceTask.class)) {
            stack.connect.configureConnector("lapped", ConnectStack.connectorConfig(ring.toString(), "lapped",
                    "record.timestamp", "publish"));
            assertEquals(n, stack.consume("lapped", n, 500, Duration.ofSeconds(30), true).size());
            ConnectStack.await(Duration.ofSeconds(30), "offset of the last packet committed", () ->
                    stack.connect.connectorOffsets("lapped").offsets().stream()
                            .anyMatch(o -> ((Number) o.offset().get("seq")).longValue() == n));

            stack.connect.pauseConnector("lapped");
            stack.connect.assertions().assertConnectorAndExactlyNumTasksArePaused("lapped", 1, "paused");
            // 30 more copies of the capture into the 256 KiB ring: the paused reader is lapped.
            assertEquals(0, Replayer.replay(ring, "256K", true, "-l", "30", capture.path().toString()));
            JsonNode st = stat(ring);
            long total = st.get("seq_next").asLong();
            long overwritten = st.get("counters").get("reclaimed").asLong();
            assertEquals(31L * n, total);
            assertTrue(overwritten > n, "the writer overwrote packets the connector had not read");
            stack.connect.resumeConnector("lapped");

            long expectedLost = overwritten - n; // the first n were read before the pause
            List<Decoded> all = stack.consume("lapped", (int) (total - expectedLost), 1000, Duration.ofSeconds(30), true);
            assertEquals(total - expectedLost, all.size(), "every packet still in the ring arrives");
            Decoded afterGap = all.get(n);
            assertEquals(overwritten, afterGap.header(PktringSourceTask.HEADER_SEQ));
            assertEquals(expectedLost, afterGap.header(PktringSourceTask.HEADER_LOST), "lost header");
            TreeSet<Long> seqs = new TreeSet<>();
            all.forEach(d -> seqs.add(d.header(PktringSourceTask.HEADER_SEQ)));
            assertEquals(total - expectedLost, seqs.size(), "no duplicates");
            assertEquals(total - 1, seqs.last());
            ConnectStack.await(Duration.ofSeconds(10), "lost metric", () ->
                    ConnectStack.taskMetric("lapped", 0, "PacketsLost") == expectedLost);
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains(expectedLost + " packets lost")), "log: " + log.lines());
            stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("lapped", 1, "carries on");
        }
    }
}
