package io.pktring.connect.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * What the connector's task gives for a ring, without a worker: a PktringSourceTask started on
 * the ring (from its first packet, no linger) and polled until it has read every packet.
 */
public final class TaskRecords {

    private TaskRecords() {
    }

    /**
     * The records of the ring's packets (it holds exactly that many); settings are more
     * connector settings, key and value in turn (e.g. "record.mode", "block").
     */
    public static List<SourceRecord> of(Path ring, long packets, String... settings) throws InterruptedException {
        Map<String, String> props = new HashMap<>();
        props.put("name", "records-" + ring.getFileName() + "-" + System.nanoTime());
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString());
        props.put(PktringSourceConnectorConfig.POLL_LINGER_MS, "0");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        List<SourceRecord> out = new ArrayList<>();
        try {
            long seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < packets && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                for (SourceRecord r : batch == null ? List.<SourceRecord>of() : batch) {
                    Struct v = (Struct) r.value();
                    seen += v.schema() == PacketSchemas.PACKET_COLUMNS ? v.getInt32(PacketSchemas.F_COUNT) : 1;
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
