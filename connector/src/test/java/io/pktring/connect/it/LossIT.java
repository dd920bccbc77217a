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

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.LogCapture;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

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

    /**
     * A ring that holds the capture about four times (256 KiB at least), and at least two of the
     * largest records its snap length allows (the replayer's minimum).
     */
    static long ringSize(PcapFile.Contents c) {
        long largest = (40 + (c.snaplen() > 0 ? c.snaplen() : 262144) + 7) & ~7;
        return Math.max(256 << 10, Math.max(Long.highestOneBit(4 * recordBytes(c)), Long.highestOneBit(2 * largest)) << 1);
    }

    /** Copies of the capture that fill a ring of this size at least three times over (20 at least). */
    static int lapsOf(PcapFile.Contents c, long ringSize) {
        return (int) Math.max(20, 3 * ringSize / recordBytes(c) + 1);
    }

    /** Bytes one copy of the capture takes in a ring. */
    static long recordBytes(PcapFile.Contents c) {
        return c.packets().stream().mapToLong(p -> (40 + p.caplen() + 7) & ~7).sum();
    }

    @Test
    void ringRecreatedWhileRunning() throws Exception {
        Path ring = dir.resolve("ring");
        PcapFile.Contents first = PcapFile.read(TestData.corpus("udp.pcap"));
        PcapFile.Contents second = PcapFile.read(TestData.corpus("tcp.pcap"));
        assertEquals(0, Replayer.replay(ring, "1M", false, first.path().toString()));
        stack.connect.kafka().createTopic("recreated", 1);
        try (LogCapture log = LogCapture.of(PktringSourceTask.class.getPackageName())) {
            stack.connect.configureConnector("recreated", ConnectStack.connectorConfig(ring.toString(), "recreated",
                    "record.timestamp", "publish"));
            int n1 = first.packets().size();
            assertEquals(n1, stack.consume("recreated", n1, 500, Duration.ofSeconds(30), true).size());

            // The new ring is written completely, then put in place: a small ring holds only the
            // last copies of the capture, the others were overwritten before anyone read them.
            Path staging = dir.resolve("staging");
            long size = ringSize(second);
            int loops = lapsOf(second, size);
            assertEquals(0, Replayer.replay(staging, Long.toString(size), false, "-l", Integer.toString(loops),
                    second.path().toString()));
            JsonNode st = stat(staging);
            long seqNext = st.get("seq_next").asLong();
            long overwritten = st.get("counters").get("reclaimed").asLong();
            assertTrue(overwritten > 0 && seqNext == (long) loops * second.packets().size());
            Files.move(staging, ring, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            long kept = seqNext - overwritten;
            List<Decoded> all = stack.consume("recreated", (int) (n1 + kept), 1000, Duration.ofSeconds(30), true);
            assertEquals(n1 + kept, all.size(), "every packet still in the new ring arrives");
            Decoded firstNew = all.get(n1);
            assertEquals(epoch(st), firstNew.header(PacketSchemas.HEADER_EPOCH));
            assertEquals(overwritten, firstNew.header(PacketSchemas.HEADER_SEQ), "first packet still in the ring");
            assertEquals(overwritten, firstNew.header(PacketSchemas.HEADER_LOST), "lost header");
            for (int i = n1 + 1; i < all.size(); i++) {
                assertEquals(0, all.get(i).header(PacketSchemas.HEADER_LOST));
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
        PcapFile.Contents capture = PcapFile.read(TestData.corpus("tcp.pcap"));
        int n = capture.packets().size();
        String size = Long.toString(ringSize(capture));
        assertEquals(0, Replayer.replay(ring, size, false, capture.path().toString()));
        stack.connect.kafka().createTopic("lapped", 1);
        try (LogCapture log = LogCapture.of(PktringSourceTask.class.getPackageName())) {
            stack.connect.configureConnector("lapped", ConnectStack.connectorConfig(ring.toString(), "lapped",
                    "record.timestamp", "publish"));
            assertEquals(n, stack.consume("lapped", n, 500, Duration.ofSeconds(30), true).size());
            ConnectStack.await(Duration.ofSeconds(30), "offset of the last packet committed", () ->
                    stack.connect.connectorOffsets("lapped").offsets().stream()
                            .anyMatch(o -> ((Number) o.offset().get("seq")).longValue() == n));

            stack.connect.pauseConnector("lapped");
            stack.connect.assertions().assertConnectorAndExactlyNumTasksArePaused("lapped", 1, "paused");
            // Copies of the capture filling the ring several times over: the paused reader is lapped.
            int loops = lapsOf(capture, ringSize(capture));
            assertEquals(0, Replayer.replay(ring, size, true, "-l", Integer.toString(loops), capture.path().toString()));
            JsonNode st = stat(ring);
            long total = st.get("seq_next").asLong();
            long overwritten = st.get("counters").get("reclaimed").asLong();
            assertEquals((loops + 1L) * n, total);
            assertTrue(overwritten > n, "the writer overwrote packets the connector had not read");
            stack.connect.resumeConnector("lapped");

            long expectedLost = overwritten - n; // the first n were read before the pause
            List<Decoded> all = stack.consume("lapped", (int) (total - expectedLost), 1000, Duration.ofSeconds(30), true);
            assertEquals(total - expectedLost, all.size(), "every packet still in the ring arrives");
            Decoded afterGap = all.get(n);
            assertEquals(overwritten, afterGap.header(PacketSchemas.HEADER_SEQ));
            assertEquals(expectedLost, afterGap.header(PacketSchemas.HEADER_LOST), "lost header");
            TreeSet<Long> seqs = new TreeSet<>();
            all.forEach(d -> seqs.add(d.header(PacketSchemas.HEADER_SEQ)));
            assertEquals(total - expectedLost, seqs.size(), "no duplicates");
            assertEquals(total - 1, seqs.last());
            ConnectStack.await(Duration.ofSeconds(10), "lost metric", () ->
                    ConnectStack.taskMetric("lapped", 0, "PacketsLost") == expectedLost);
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains(expectedLost + " packets lost")), "log: " + log.lines());
            stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("lapped", 1, "carries on");
        }
    }
}
