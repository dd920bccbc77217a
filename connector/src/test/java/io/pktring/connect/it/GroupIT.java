package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * A ring group through a real worker and broker: pktring-replay --rings 2 writes a 2-member group
 * at a steady rate, the connector names the group once in ring.paths and runs one task per member.
 * With exactly-once on, a read_committed consumer sees every packet of every member exactly once,
 * across a worker restart; each member keeps its own offsets (a partition per member ring), its
 * packets stay in order, and a flow's records (one key) are all in one topic partition.
 */
class GroupIT {

    static final String CAPTURE = "mixed.pcapng";
    static final int PACKETS = 6000;
    static final int RATE = 1000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    ConnectStack stack;
    Process replay;

    @AfterEach
    void stop() {
        if (replay != null) {
            replay.destroyForcibly();
        }
        if (stack != null) {
            stack.deleteConnectors("group");
        }
    }

    @Test
    void twoMembersTwoTasksEveryPacketOnceAcrossAWorkerRestart() throws Exception {
        stack = ConnectStack.shared();
        PcapFile.Contents capture = PcapFile.read(TestData.corpus(CAPTURE));
        int loops = Math.max(4, (PACKETS + capture.packets().size() - 1) / capture.packets().size());
        Path group = dir.resolve("group");
        replay = Replayer.startReplay(group, "16M", "--rings", "2", "-p", Integer.toString(RATE), "-l",
                Integer.toString(loops), capture.path().toString());
        ConnectStack.await(Duration.ofSeconds(10), "the replayer to create " + group,
                () -> Files.exists(group.resolve("0")) && Files.exists(group.resolve("1")));
        stack.connect.kafka().createTopic("group", 4);
        Map<String, String> config = ConnectStack.connectorConfig(group.toString(), "group", "tasks.max", "2",
                "batch.max.packets", "100", "record.timestamp", "publish", "exactly.once.support", "required");
        stack.connect.configureConnector("group", config);
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("group", 2, "one task per member");

        awaitProgress(500);
        stack.connect.removeWorker();
        stack.connect.addWorker();
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("group", 2,
                "both tasks running after a worker restart");
        assertTrue(replay.waitFor(60, TimeUnit.SECONDS), "replay finished");
        assertEquals(0, replay.exitValue(), "replay exit status");

        // what each member holds, read by the C reader: its epoch and its packets by seq
        Map<Long, Integer> memberOfEpoch = new HashMap<>();
        List<List<byte[]>> memberPackets = new ArrayList<>();
        long total = 0;
        for (int m = 0; m < 2; m++) {
            JsonNode stat = JSON.readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r",
                    group.resolve(Integer.toString(m)).toString(), "--json"));
            assertEquals(m, stat.get("ring_index").asInt());
            memberOfEpoch.put(Long.parseUnsignedLong(stat.get("epoch").asText().substring(2), 16), m);
            Path pcap = dir.resolve("member" + m + ".pcap");
            Replayer.run(30, Replayer.tool("pktring-dump").toString(), "-q", "-r", group.toString(), "--member",
                    Integer.toString(m), "-w", pcap.toString());
            List<byte[]> data = new ArrayList<>();
            PcapFile.read(pcap).packets().forEach(p -> data.add(p.data()));
            assertEquals(stat.get("seq_next").asLong(), data.size(), "member " + m + " holds all it got (no lap)");
            assertTrue(data.size() > 0, "member " + m + " got packets");
            memberPackets.add(data);
            total += data.size();
        }
        assertEquals((long) loops * capture.packets().size(), total, "packets the replayer wrote");

        List<Decoded> records = stack.consume("group", (int) total, 3000, Duration.ofSeconds(90), true);
        Map<String, Integer> seen = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, Long> lastSeq = new HashMap<>();
        Set<String> splitFlows = new HashSet<>();
        List<String> outOfOrder = new ArrayList<>();
        for (Decoded d : records) {
            Integer m = memberOfEpoch.get(d.header(PacketSchemas.HEADER_EPOCH));
            assertNotNull(m, "record of an epoch of the group: " + d.headers());
            long seq = d.header(PacketSchemas.HEADER_SEQ);
            assertEquals(0, d.header(PacketSchemas.HEADER_LOST), "no loss reported at member " + m + " seq " + seq);
            assertEquals(ByteBuffer.wrap(memberPackets.get(m).get((int) seq)), d.value().get("data"),
                    "bytes of member " + m + " seq " + seq);
            if (seen.merge(m + "/" + seq, 1, Integer::sum) > 1) {
                duplicates.add(m + "/" + seq);
            }
            String stream = d.partition() + "/" + m;
            Long prev = lastSeq.put(stream, seq);
            if (prev != null && seq <= prev) {
                outOfOrder.add("partition " + d.partition() + " member " + m + ": seq " + seq + " after " + prev);
            }
            if (d.key() != null) {
                String key = HexFormat.of().formatHex(d.key());
                Integer p = partitionOfKey.putIfAbsent(key, d.partition());
                if (p != null && p != d.partition()) {
                    splitFlows.add(key);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            for (int s = 0; s < memberPackets.get(m).size(); s++) {
                if (!seen.containsKey(m + "/" + s)) {
                    missing.add(m + "/" + s);
                }
            }
        }
        System.out.printf("GroupIT: %d packets (%d + %d), %d records, %d missing, %d duplicates, %d flows%n", total,
                memberPackets.get(0).size(), memberPackets.get(1).size(), records.size(), missing.size(),
                duplicates.size(), partitionOfKey.size());
        assertEquals(List.of(), missing.subList(0, Math.min(10, missing.size())), missing.size() + " missing");
        assertEquals(List.of(), duplicates.subList(0, Math.min(10, duplicates.size())), duplicates.size() + " duplicated");
        assertEquals(List.of(), outOfOrder.subList(0, Math.min(10, outOfOrder.size())), "each member's packets in order");
        assertEquals(Set.of(), splitFlows, "each flow key in one partition");
        assertTrue(partitionOfKey.size() > 1, "several flows");

        // offsets: one source partition per member ring, with its own epoch and position
        Set<String> partitions = new HashSet<>();
        stack.connect.connectorOffsets("group").offsets().forEach(o -> partitions.add(o.partition().get("ring") + " #"
                + ((Number) o.partition().get("ring.index")).intValue()));
        assertEquals(Set.of(group.resolve("0") + " #0", group.resolve("1") + " #1"), partitions);
    }

    private void awaitProgress(long packets) throws InterruptedException {
        ConnectStack.await(Duration.ofSeconds(30), "the group's tasks to publish " + packets + " packets",
                () -> Math.max(0, ConnectStack.taskMetric("group", 0, "PacketsPublished"))
                        + Math.max(0, ConnectStack.taskMetric("group", 1, "PacketsPublished")) >= packets);
    }
}
