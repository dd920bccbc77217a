package io.pktring.connect;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.PacketFilter;

/**
 * Reads one ring and hands its packets to the worker as records: a thin loop over a
 * {@link RingFollower} (ring life, positions, loss) and a {@link SourceRecordFactory} (records,
 * keys, headers, offsets), as Kafka's FileStreamSourceTask reads through its buffer.
 *
 * <p>The poll thread reads the ring directly; there is no reader thread and queue in between (as
 * Debezium has). The ring already is a bounded queue that decouples the writer from this reader,
 * and copying out of it is a bulk memory copy, so a second queue would only add a copy, a thread
 * hand-off and a second place to lose packets. The benchmark (connector/bench) shows the ring
 * read is a small part of the time per record next to conversion and producing.
 *
 * <p>Offsets: see {@link RingOffset}; where a task starts and how it resumes: {@link RingFollower#resume}.
 */
public class PktringSourceTask extends SourceTask {

    private final ReentrantLock lock = new ReentrantLock();

    private PktringSourceConnectorConfig config;
    private Path path;
    private TaskMetrics metrics;
    private volatile RingFollower follower;
    // Made for the ring the follower reads; made anew when it re-opens a re-created ring.
    private SourceRecordFactory records;
    private PacketFilter filter;
    private volatile boolean stopping;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new PktringSourceConnectorConfig(props);
        path = Path.of(Objects.requireNonNull(props.get(PktringSourceConnectorConfig.TASK_RING_PATH),
                "task config has no ring path; tasks are configured by PktringSourceConnector"));
        int taskIndex = Integer.parseInt(props.getOrDefault(PktringSourceConnectorConfig.TASK_INDEX, "0"));
        metrics = new TaskMetrics(props.getOrDefault("name", "pktring"), taskIndex);
        lock.lock();
        try {
            follower = RingFollower.open(path, config.startPosition(), config.ringMissingTimeoutMs(), metrics);
            Map<String, Object> partition = RingOffset.partition(path.toString(), follower.ringIndex());
            follower.resume(RingOffset.fromMap(context.offsetStorageReader().offset(partition)));
            followRing();
        } catch (RuntimeException e) {
            closeResources(); // the worker does not call stop() after a failed start
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Records and the filter follow the ring being read: its epoch, interface and link type. */
    private void followRing() {
        records = new SourceRecordFactory(config, path.toString(), follower.ringIndex(), follower.epoch(),
                follower.ifname(), follower.linktype());
        filter = null;
        if (!config.filter().isEmpty()) {
            try {
                filter = PacketFilter.compile(config.filter(), follower.linktype(), follower.snaplen());
            } catch (FilterException e) {
                throw new ConnectException("filter '" + config.filter() + "' does not compile for " + path
                        + " (link type " + follower.linktype() + "): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Waits up to poll.timeout.ms for the first packet, then takes what arrives for up to
     * poll.linger.ms more, until batch.max.packets or batch.max.bytes; never longer than
     * poll.timeout.ms in all, even while the filter rejects every packet.
     */
    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        lock.lock();
        try {
            if (stopping) {
                return null;
            }
            if (records.epoch() != follower.epoch()) {
                followRing(); // the follower re-opened a re-created ring in the last poll
            }
            long deadline = System.nanoTime() + config.pollTimeoutMs() * 1_000_000L;
            SourceRecordFactory.Batch batch = records.batch();
            follower.fill(batch, filter, deadline, config.pollLingerMs() * 1_000_000L, config.batchMaxPackets());
            return batch.records();
        } finally {
            lock.unlock();
        }
    }

    /** Counts what the producer acknowledged: a block's count and data length, not its packets. */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (metadata == null || !(record.value() instanceof Struct value)) {
            return; // filtered out by a transform or dropped by the error handler
        }
        if (value.schema() == PacketSchemas.PACKET_COLUMNS) {
            metrics.packetsPublished.addAndGet(value.getInt32(PacketSchemas.F_COUNT));
            metrics.bytesPublished.addAndGet(value.getBytes(PacketSchemas.F_DATA).length);
        } else {
            metrics.packetsPublished.incrementAndGet();
            metrics.bytesPublished.addAndGet(value.getInt32(PacketSchemas.F_CAPLEN));
        }
    }

    /** Prompt: wakes a waiting poll(), which returns within 100 ms, then unmaps the ring. */
    @Override
    public void stop() {
        stopping = true;
        RingFollower f = follower;
        if (f != null) {
            f.stop();
        }
        lock.lock();
        try {
            closeResources();
        } finally {
            lock.unlock();
        }
    }

    private void closeResources() {
        if (follower != null) {
            follower.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
