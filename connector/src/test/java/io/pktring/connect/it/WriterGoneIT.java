package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * A real writer (pktring-replay at a steady rate) killed with -9 under a running connector: it
 * cannot end its ring, only stop beating. The task fails with "writer gone" within
 * ring.writer.timeout.ms, its status says so, and every packet the writer published arrives
 * exactly once with its offset committed.
 */
class WriterGoneIT {

    static final long WRITER_TIMEOUT_MS = 1000;

    @TempDir
    Path dir;

    final ConnectStack stack = ConnectStack.shared();
    Process replay;

    @AfterEach
    void cleanUp() {
        if (replay != null) {
            replay.destroyForcibly();
        }
        stack.deleteConnectors("gone");
    }

    @Test
    void aWriterKilledWithSigkillFailsTheTaskAsGoneAndNothingReadIsLost() throws Exception {
        Path ring = dir.resolve("ring");
        PcapFile.Contents capture = PcapFile.read(TestData.corpus("udp.pcap"));
        replay = Replayer.startReplay(ring, "1M", "-p", "200", "-l", "100000", capture.path().toString());
        ConnectStack.await(Duration.ofSeconds(10), "the replayer to create " + ring, () -> Files.exists(ring));
        stack.connect.kafka().createTopic("gone", 1);
        stack.connect.configureConnector("gone", ConnectStack.connectorConfig(ring.toString(), "gone",
                "record.timestamp", "publish", "ring.writer.timeout.ms", Long.toString(WRITER_TIMEOUT_MS)));
        ConnectStack.await(Duration.ofSeconds(30), "100 packets published",
                () -> ConnectStack.taskMetric("gone", 0, "PacketsPublished") >= 100);

        replay.destroyForcibly(); // SIGKILL: no chance to end the ring
        assertTrue(replay.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, replay.exitValue(), "killed by signal 9");
        long killedAt = System.nanoTime();
        var stat = new ObjectMapper().readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r",
                ring.toString(), "--json", "--writer-timeout", "0"));
        assertEquals("live", stat.get("state").asText(), "a killed writer leaves its ring live");
        long published = stat.get("seq_next").asLong();

        ConnectStack.await(Duration.ofSeconds(20), "the task to fail", () -> taskState().equals("FAILED"));
        long ms = (System.nanoTime() - killedAt) / 1_000_000;
        String trace = stack.connect.connectorStatus("gone").tasks().get(0).trace();
        assertTrue(trace.contains("writer gone") && trace.contains(ring.toString())
                && trace.contains("seq " + published), trace);
        assertTrue(ms < WRITER_TIMEOUT_MS + 5000, "reported " + ms + " ms after the kill");

        List<Decoded> all = stack.consume("gone", (int) published, 1000, Duration.ofSeconds(30), true);
        TreeSet<Long> seqs = new TreeSet<>();
        all.forEach(d -> seqs.add(d.header(PacketSchemas.HEADER_SEQ)));
        assertEquals(published, all.size(), "every packet published once (read_committed)");
        assertEquals(published, seqs.size());
        assertEquals(published - 1, seqs.last());
        ConnectStack.await(Duration.ofSeconds(30), "the offset of the last packet committed", () ->
                stack.connect.connectorOffsets("gone").offsets().stream()
                        .anyMatch(o -> ((Number) o.offset().get("seq")).longValue() == published));
        System.out.printf("WriterGoneIT: %d packets published by the killed writer, all delivered; task failed %d ms after the kill%n",
                published, ms);
    }

    private String taskState() {
        List<ConnectorStateInfo.TaskState> tasks = stack.connect.connectorStatus("gone").tasks();
        return tasks.isEmpty() ? "" : tasks.get(0).state();
    }
}
