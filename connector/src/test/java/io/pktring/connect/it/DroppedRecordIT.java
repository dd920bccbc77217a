package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.RejectingAvroConverter;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * errors.tolerance=all on a real worker, with a converter that rejects one packet's record: the
 * worker drops that record; the task counts it in PacketsDropped (not PacketsLost) and the next
 * record's pktring.lost header carries it, counted once. Both with exactly-once on (the worker
 * tells at the transaction commit) and off (at once).
 */
class DroppedRecordIT {

    static final long REJECTED = 3;

    @TempDir
    Path dir;

    ConnectStack stack;
    ConnectStack own;

    @AfterEach
    void cleanUp() {
        if (own != null) {
            own.close();
        } else if (stack != null) {
            stack.deleteConnectors("dropped");
        }
    }

    @Test
    void exactlyOnce() throws Exception {
        stack = ConnectStack.shared();
        aRecordTheConverterRejectsIsCountedAndReportedOnTheNextRecord(true);
    }

    @Test
    void atLeastOnce() throws Exception {
        stack = own = ConnectStack.start("dropped-alo", false);
        aRecordTheConverterRejectsIsCountedAndReportedOnTheNextRecord(false);
    }

    private void aRecordTheConverterRejectsIsCountedAndReportedOnTheNextRecord(boolean exactlyOnce) throws Exception {
        PcapFile.Contents capture = PcapFile.read(TestData.corpus("udp.pcap"));
        int n = capture.packets().size();
        assertTrue(n > REJECTED + 1, "the capture has packets after the rejected one");
        Path ring = dir.resolve("ring");
        assertEquals(0, Replayer.replay(ring, "1M", false, capture.path().toString()));
        stack.connect.kafka().createTopic("dropped", 1);
        Map<String, String> config = ConnectStack.connectorConfig(ring.toString(), "dropped",
                "record.timestamp", "publish", "errors.tolerance", "all",
                "value.converter", RejectingAvroConverter.class.getName(),
                "value.converter." + RejectingAvroConverter.REJECT_SEQ, Long.toString(REJECTED),
                // one packet per poll: the drop is known before the next record is made
                "batch.max.packets", "1");
        ConnectStack.valueConverterConfig().forEach((k, v) -> config.put("value.converter." + k, v));
        stack.connect.configureConnector("dropped", config);

        List<Decoded> all = stack.consume("dropped", n - 1, 1000, Duration.ofSeconds(30), true);
        all.sort(java.util.Comparator.comparingLong(d -> d.header(PacketSchemas.HEADER_SEQ)));
        assertEquals(n - 1, all.size(), "every packet but the rejected one");
        List<Decoded> reporting = all.stream().filter(d -> d.header(PacketSchemas.HEADER_LOST) != 0).toList();
        assertEquals(1, reporting.size(), "one record reports the drop");
        assertEquals(1, reporting.get(0).header(PacketSchemas.HEADER_LOST), "one packet dropped");
        // At least once, the worker tells at once (commitRecord(record, null)): the next record says
        // so. Exactly once, it tells when it commits the transaction, and a poll whose every record
        // was dropped is committed with the next poll's: the record after that says so.
        long seq = reporting.get(0).header(PacketSchemas.HEADER_SEQ);
        assertTrue(seq == REJECTED + 1 || exactlyOnce && seq == REJECTED + 2, "reported on seq " + seq);
        ConnectStack.await(Duration.ofSeconds(10), "metrics", () ->
                ConnectStack.taskMetric("dropped", 0, "PacketsDropped") == 1
                        && ConnectStack.taskMetric("dropped", 0, "PacketsLost") == 0
                        && ConnectStack.taskMetric("dropped", 0, "PacketsPublished") == n - 1);
        stack.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("dropped", 1, "carries on");
    }
}
