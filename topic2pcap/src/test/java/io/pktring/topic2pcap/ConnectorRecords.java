package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.FixedOffsetTaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** What the connector's task gives for a ring: a PktringSourceTask polls it from its first packet to its last. */
final class ConnectorRecords {

    private ConnectorRecords() {
    }

    /** The records of every packet of the ring (it holds exactly that many), in this record.mode. */
    static List<SourceRecord> of(Path ring, long packets, String mode) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("name", "t2p-" + ring.getFileName());
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString());
        props.put(PktringSourceConnectorConfig.RECORD_MODE, mode);
        props.put(PktringSourceConnectorConfig.POLL_LINGER_MS, "0");
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        List<SourceRecord> out = new ArrayList<>();
        try {
            long seen = 0, deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < packets && System.nanoTime() < deadline) {
                List<SourceRecord> records = task.poll();
                for (SourceRecord r : records == null ? List.<SourceRecord>of() : records) {
                    Struct v = (Struct) r.value();
                    seen += v.schema() == PacketSchemas.PACKET_COLUMNS ? v.getInt32("count") : 1;
                    out.add(r);
                }
            }
            assertEquals(packets, seen, ring + ": packets the task read");
        } finally {
            task.stop();
        }
        return out;
    }
}
