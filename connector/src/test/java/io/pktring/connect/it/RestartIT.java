package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
 * Restarts mid-stream while pktring-replay writes a ring at a steady rate: stop and resume the
 * connector, restart the worker, delete and re-create the connector under the same name. With
 * exactly-once source support on the worker a read_committed consumer sees every packet exactly
 * once; with it off, no packet is lost and duplicates are confined to the records in flight at
 * each restart. Resetting the offsets through REST starts over.
 */
class RestartIT {

    static final String CAPTURE = "mixed.pcapng";
    /** Packets the replayer writes, in as many copies of the capture as that takes (4 at least). */
    static final int PACKETS = 9000;
    static final int RATE = 1000;
    static final int BATCH = 100;

    @TempDir
    Path dir;

    ConnectStack stack;
    ConnectStack own;
    Process replay;

    @AfterEach
    void stop() {
        if (replay != null) {
            replay.destroyForcibly();
        }
        if (own != null) {
            own.close();
        } else if (stack != null) {
            stack.deleteConnectors("eos", "reset");
        }
    }

    @Test
    void exactlyOnceAcrossStopResumeWorkerRestartAndRecreate() throws Exception {
        stack = ConnectStack.shared();
        Result r = runDisruptedStream("eos", "exactly.once.support", "required");
        assertEquals(0, r.missing.size(), "lost packets " + summary(r.missing));
        assertEquals(0, r.duplicates.size(), "duplicated packets (read_committed, exactly-once on) " + summary(r.duplicates));
    }

    @Test
    void atLeastOnceLosesNothingAndDuplicatesOnlyInFlightRecords() throws Exception {
        stack = own = ConnectStack.start("restart-alo", false);
        Result r = runDisruptedStream("alo");
        assertEquals(0, r.missing.size(), "lost packets " + summary(r.missing));
        // Three restarts; at each only the records sent after the last offset commit may repeat.
        assertTrue(r.duplicates.size() <= 3L * BATCH * 2, "duplicates " + r.duplicates.size());
    }

    static String summary(List<Long> seqs) {
        return seqs.isEmpty() ? "" : seqs.size() + " from seq " + seqs.get(0) + " to " + seqs.get(seqs.size() - 1);
    }

    record Result(List<Long> missing, List<Long> duplicates) {
    }

    private Result runDisruptedStream(String name, String... extra) throws Exception {
        PcapFile.Contents capture = PcapFile.read(TestData.corpus(CAPTURE));
        int loops = Math.max(4, (PACKETS + capture.packets().size() - 1) / capture.packets().size());
        Path ring = dir.resolve("ring-" + name);
        replay = Replayer.startReplay(ring, "16M", "-p", Integer.toString(RATE), "-l", Integer.toString(loops),
                capture.path().toString());
        ConnectStack.await(Duration.ofSeconds(10), "the replayer to create " + ring, () -> Files.exists(ring));
        stack.connect.kafka().createTopic(name, 1);
        // The capture is from 2010: with capture timestamps the topic's 7-day retention would
        // delete the records at once.
        List<String> cfg = new ArrayList<>(List.of("batch.max.packets", Integer.toString(BATCH), "record.timestamp", "publish"));
        cfg.addAll(List.of(extra));
        Map<String, String> config = ConnectStack.connectorConfig(ring.toString(), name, cfg.toArray(String[]::new));
        stack.connect.configureConnector(name, config);

        awaitProgress(name, 500);
        stack.connect.stopConnector(name);
        stack.connect.assertions().assertConnectorIsStopped(name, "connector did not stop");
        Thread.sleep(500);
        stack.connect.resumeConnector(name);
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "connector did not resume");

        awaitProgress(name, 500);
        stack.connect.removeWorker();
        stack.connect.addWorker();
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "not running after a worker restart");

        awaitProgress(name, 500);
        stack.connect.deleteConnector(name);
        stack.connect.assertions().assertConnectorDoesNotExist(name, "connector not deleted");
        Thread.sleep(500);
        stack.connect.configureConnector(name, config);
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "not running after re-creation");

        assertTrue(replay.waitFor(60, TimeUnit.SECONDS), "replay finished");
        long n = seqNext(ring);
        assertEquals((long) loops * capture.packets().size(), n, "packets the replayer wrote");
        assertTrue(stack.connect.assertions() != null);

        List<Decoded> records = stack.consume(name, (int) n, 3000, Duration.ofSeconds(90), true);
        Map<Long, Integer> seen = new HashMap<>();
        List<Long> duplicates = new ArrayList<>();
        for (Decoded d : records) {
            long seq = d.header(PacketSchemas.HEADER_SEQ);
            assertEquals(0, d.header(PacketSchemas.HEADER_LOST), "no loss reported at seq " + seq);
            PcapFile.Packet p = capture.packets().get((int) (seq % capture.packets().size()));
            assertEquals(ByteBuffer.wrap(p.data()), d.value().get("data"), "bytes of seq " + seq);
            if (seen.merge(seq, 1, Integer::sum) > 1) {
                duplicates.add(seq);
            }
        }
        List<Long> missing = new ArrayList<>();
        for (long s = 0; s < n; s++) {
            if (!seen.containsKey(s)) {
                missing.add(s);
            }
        }
        System.out.printf("RestartIT %s: %d packets, %d records, %d missing, %d duplicates%n", name, n, records.size(),
                missing.size(), duplicates.size());
        return new Result(missing, duplicates);
    }

    @Test
    void resettingOffsetsThroughRestStartsOverAndBadOffsetsAreRefused() throws Exception {
        stack = ConnectStack.shared();
        PcapFile.Contents capture = PcapFile.read(TestData.corpus("udp.pcap"));
        Path ring = dir.resolve("ring-reset");
        assertEquals(0, Replayer.replay(ring, "1M", false, capture.path().toString()));
        int n = capture.packets().size();
        stack.connect.kafka().createTopic("reset", 1);
        stack.connect.configureConnector("reset", ConnectStack.connectorConfig(ring.toString(), "reset",
                "record.timestamp", "publish"));
        assertEquals(n, stack.consume("reset", n, 1000, Duration.ofSeconds(30), true).size());
        // Offsets are committed with the transaction; wait until REST shows the last one.
        ConnectStack.await(Duration.ofSeconds(30), "the committed offset of the last packet", () ->
                stack.connect.connectorOffsets("reset").offsets().stream()
                        .anyMatch(o -> ((Number) o.offset().get("seq")).longValue() == n));

        stack.connect.stopConnector("reset");
        stack.connect.assertions().assertConnectorIsStopped("reset", "connector did not stop");
        ConnectStack.Reply bad = stack.rest("PATCH", "connectors/reset/offsets",
                "{\"offsets\":[{\"partition\":{\"ring\":\"" + ring + "\",\"ring.index\":0},"
                        + "\"offset\":{\"v\":1,\"epoch\":1,\"position\":5,\"seq\":0}}]}");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("record boundary"), bad.body());
        ConnectStack.Reply good = stack.rest("PATCH", "connectors/reset/offsets",
                "{\"offsets\":[{\"partition\":{\"ring\":\"" + ring + "\",\"ring.index\":0},"
                        + "\"offset\":{\"v\":1,\"epoch\":1,\"position\":8,\"seq\":0}}]}");
        assertEquals(200, good.status(), "a well-formed offset (of another epoch) is accepted: " + good.body());

        stack.connect.resetConnectorOffsets("reset");
        stack.connect.resumeConnector("reset");
        List<Decoded> all = stack.consume("reset", 2 * n, 1000, Duration.ofSeconds(30), true);
        assertEquals(2 * n, all.size(), "everything once more after the reset");
        for (int i = 0; i < n; i++) {
            assertEquals(i, all.get(n + i).header(PacketSchemas.HEADER_SEQ));
        }
    }

    static long seqNext(Path ring) throws Exception {
        var stat = new ObjectMapper().readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r", ring.toString(), "--json"));
        return stat.get("seq_next").asLong();
    }

    private void awaitProgress(String connector, long packets) throws InterruptedException {
        long start = Math.max(0, ConnectStack.taskMetric(connector, 0, "PacketsPublished"));
        ConnectStack.await(Duration.ofSeconds(30), connector + " to publish " + packets + " more packets",
                () -> ConnectStack.taskMetric(connector, 0, "PacketsPublished") >= start + packets);
    }
}
