package io.pktring.connect.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;

import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.ring.RingMapping;
import io.pktring.connect.ring.RingReader;
import io.pktring.connect.testing.FixedOffsetTaskContext;

/**
 * Where the time per packet of one record mode goes, each step alone in this JVM on the same
 * ring: the ring read alone (RingReader.next, packet by packet), the task's poll() (its own ring
 * read, decoding, Connect data, SourceRecords), each value converter's fromConnectData. Also the
 * bytes each step allocates per packet, and a record of the mode as the converter writes it (what
 * the plain producer then sends). poll() is reported whole, not less the ring read: a task that
 * reads the ring in batches reads it faster than RingReader.next does.
 */
final class StageCost {

    /** One step: ns and bytes allocated per packet. */
    record Step(double ns, double allocBytes) {
    }

    record Result(String mode, int size, long packets, int recordCount, Step ringRead, Step poll,
            Map<String, Step> converters, Schema valueSchema, byte[] key, byte[] value, RecordHeaders headers) {

        double packetsPerRecord() {
            return packets / (double) recordCount;
        }
    }

    private StageCost() {
    }

    /** RingReader.next over the first m packets of the ring. */
    static Step ringRead(Path ring, int m) throws Exception {
        try (RingMapping r = RingMapping.open(ring)) {
            RingReader reader = RingReader.atEarliest(r);
            long a0 = ConnectorThreads.allocatedByThisThread();
            long t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                if (reader.next(1000) == null) {
                    throw new IllegalStateException("ring " + ring + " ended after " + i + " of " + m + " packets");
                }
            }
            return new Step((System.nanoTime() - t0) / (double) m, (ConnectorThreads.allocatedByThisThread() - a0) / (double) m);
        }
    }

    /**
     * The mode's records for at least m packets of the ring, timed, then each converter on them
     * (two passes, the second timed).
     */
    static Result measure(Path ring, int size, int m, String mode, Map<String, String> modeSettings, Step ringRead,
            List<ValueConverters> converters) throws Exception {
        long a0 = ConnectorThreads.allocatedByThisThread();
        long t0 = System.nanoTime();
        List<SourceRecord> records = poll(ring, m, mode, modeSettings);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double pollAlloc = ConnectorThreads.allocatedByThisThread() - a0;
        long packets = records.stream().mapToLong(StageCost::packetsIn).sum();
        double pollNs = seconds * 1e9 / packets;
        pollAlloc /= packets;
        Step pollStep = new Step(pollNs, pollAlloc);

        SourceRecord first = records.get(0);
        Map<String, Step> costs = new LinkedHashMap<>();
        byte[] value = null;
        for (ValueConverters vc : converters) {
            String topic = "bench-stages-" + mode + "-" + vc.name();
            Converter c = vc.standalone(topic, first.valueSchema());
            Step s = null;
            for (int pass = 0; pass < 2; pass++) {
                long b0 = ConnectorThreads.allocatedByThisThread();
                long c0 = System.nanoTime();
                for (SourceRecord r : records) {
                    byte[] v = c.fromConnectData(topic, new RecordHeaders(), r.valueSchema(), r.value());
                    if (value == null) {
                        value = v;
                    }
                }
                s = new Step((System.nanoTime() - c0) / (double) packets,
                        (ConnectorThreads.allocatedByThisThread() - b0) / (double) packets);
            }
            costs.put(vc.name(), s);
            c.close();
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header h : first.headers()) {
            headers.add(h.key(), String.valueOf(h.value()).getBytes());
        }
        return new Result(mode, size, packets, records.size(), ringRead, pollStep, costs, first.valueSchema(),
                (byte[]) first.key(), value, headers);
    }

    /**
     * The task's records for at least m packets of the ring, as the worker receives them (a task
     * outside a worker, started and stopped here).
     */
    static List<SourceRecord> poll(Path ring, long m, String mode, Map<String, String> modeSettings) throws Exception {
        Map<String, String> props = new HashMap<>(modeSettings);
        props.put("name", "bench-poll-" + mode);
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString());
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        List<SourceRecord> records = new ArrayList<>();
        long packets = 0;
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            while (packets < m) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    for (SourceRecord r : batch) {
                        packets += packetsIn(r);
                    }
                    records.addAll(batch);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(mode + ": only " + packets + " of " + m + " packets read from " + ring
                            + " in 120 s");
                }
            }
        } finally {
            task.stop();
        }
        return records;
    }

    /**
     * Packets in a record: 1 for a packet record; for a block, the length of its first array field
     * (the array of packets of a PacketBlock, or any column of a columnar block).
     */
    static int packetsIn(SourceRecord r) {
        if (!(r.value() instanceof Struct s) || s.schema().type() != Schema.Type.STRUCT) {
            throw new IllegalStateException("not a Struct value: " + r);
        }
        for (Field f : s.schema().fields()) {
            if (f.schema().type() == Schema.Type.ARRAY) {
                List<?> a = s.getArray(f.name());
                return a == null ? 0 : a.size();
            }
        }
        return 1;
    }
}
