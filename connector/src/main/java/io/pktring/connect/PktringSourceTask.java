package io.pktring.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.PktringSourceConnectorConfig.RecordMode;
import io.pktring.connect.PktringSourceConnectorConfig.StartPosition;
import io.pktring.connect.decode.PacketSummary;
import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.ring.PacketRecord;
import io.pktring.connect.ring.Ring;
import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingIdentity;
import io.pktring.connect.ring.RingReader;

/**
 * Reads one ring and turns its packets into records.
 *
 * <p>The poll thread reads the ring directly; there is no reader thread and queue in between (as
 * Debezium has). The ring already is a bounded queue that decouples the writer from this reader,
 * and copying out of it is a bulk memory copy, so a second queue would only add a copy, a thread
 * hand-off and a second place to lose packets. The benchmark (connector/bench) shows the ring
 * read is a small part of the time per record next to conversion and producing.
 *
 * <p>Offsets: see {@link RingOffset}. On start the task resumes from the committed offset when it
 * is of the ring's current epoch and still at or below the head; the reader then reports exactly
 * how many packets were overwritten meanwhile. Otherwise it starts where start.position says and
 * counts the packets of the current epoch it skipped as lost.
 */
public class PktringSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(PktringSourceTask.class);

    public static final String HEADER_EPOCH = "pktring.epoch";
    public static final String HEADER_SEQ = "pktring.seq";
    public static final String HEADER_LOST = "pktring.lost";

    /** How often an idle task checks whether its ring was re-created or removed. */
    private static final long RING_CHECK_INTERVAL_MS = 500;

    private final ReentrantLock lock = new ReentrantLock();
    private final PacketRecord rec = new PacketRecord();

    private PktringSourceConnectorConfig config;
    private Path path;
    private TaskMetrics metrics;

    // The ring being read; replaced when the ring is re-created. Guarded by lock.
    private Ring ring;
    private volatile RingReader reader;
    private RingIdentity identity;
    private Object fileKey;
    private Map<String, Object> partition;
    private String topic;
    private PacketConverter converter;
    private PacketFilter filter;
    /** Lost packets not yet reported in a record header. */
    private long pendingLoss;
    /** After a fresh start that left a gap: the first packet's seq counts as lost. */
    private boolean countSkippedFromEpochStart;
    private long nextRingCheck;
    private long missingSince = -1;
    private long unreadableSince = -1;
    private String lastReopenProblem;
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
        String connector = props.getOrDefault("name", "pktring");
        int taskIndex = Integer.parseInt(props.getOrDefault(PktringSourceConnectorConfig.TASK_INDEX, "0"));
        metrics = new TaskMetrics(connector, taskIndex);
        metrics.ringPath = path.toString();
        metrics.lag = () -> {
            RingReader r = reader;
            try {
                return r == null ? 0 : r.lag();
            } catch (RuntimeException e) {
                return 0; // the ring was closed under us: no lag to report
            }
        };
        lock.lock();
        try {
            Ring opened;
            try {
                opened = Ring.open(path);
            } catch (RingException e) {
                throw new ConnectException("pktring task for " + path + " cannot start: " + e.getMessage()
                        + ". Fix '" + PktringSourceConnectorConfig.RING_PATHS + "' or start the ring's writer, "
                        + "then restart the task.", e);
            }
            useRing(opened);
            startReader(RingOffset.fromMap(context.offsetStorageReader().offset(partition)));
        } catch (RuntimeException e) {
            closeResources(); // the worker does not call stop() after a failed start
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a freshly opened ring into use: topic, converter and filter follow its identity. */
    private void useRing(Ring opened) {
        ring = opened;
        identity = opened.identity();
        fileKey = fileKey(path);
        partition = RingOffset.partition(path.toString(), identity.ringIndex());
        topic = PktringSourceConnectorConfig.topicFor(config.topicTemplate(), identity.ifname());
        converter = new PacketConverter(identity.ifname(), identity.linktype(), config.snaplen());
        filter = null;
        if (!config.filter().isEmpty()) {
            try {
                filter = PacketFilter.compile(config.filter(), identity.linktype(), identity.snaplen());
            } catch (FilterException e) {
                throw new ConnectException("filter '" + config.filter() + "' does not compile for " + path
                        + " (link type " + identity.linktype() + "): " + e.getMessage(), e);
            }
        }
        metrics.ringEpoch = identity.epoch();
        nextRingCheck = System.currentTimeMillis() + RING_CHECK_INTERVAL_MS;
    }

    private void startReader(RingOffset committed) {
        try {
            long epoch = identity.epoch();
            if (committed != null && committed.epoch() == epoch
                    && Long.compareUnsigned(committed.position(), ring.head()) <= 0) {
                reader = ring.reader(committed.position(), committed.nextSeq());
                countSkippedFromEpochStart = false;
                log.info("{}: resuming epoch {} at position {} (next seq {})", path, Long.toUnsignedString(epoch),
                        committed.position(), committed.nextSeq());
                return;
            }
            StartPosition start = config.startPosition();
            if (committed != null) {
                log.warn("{}: the committed offset {} is not in the ring (epoch {}, reclaim {}, head {}): the ring "
                        + "was re-created or reset since; packets after that offset are lost. Starting at {} and "
                        + "counting the packets of this epoch skipped as lost.", path, committed,
                        Long.toUnsignedString(epoch), ring.reclaim(), ring.head(), start);
            } else {
                log.info("{}: no committed offset; starting at {} of epoch {}", path, start, Long.toUnsignedString(epoch));
            }
            reader = start == StartPosition.EARLIEST ? ring.readerAtEarliest() : ring.readerAtLatest();
            countSkippedFromEpochStart = committed != null;
        } catch (RingException e) {
            throw new ConnectException(path + ": cannot position a reader: " + e.getMessage(), e);
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        lock.lock();
        try {
            if (stopping) {
                return null;
            }
            return readBatch();
        } catch (RingException e) {
            throw new ConnectException(path + ": " + e.getMessage()
                    + ". The ring's writer or memory is broken; recreate the ring, then restart the task.", e);
        } finally {
            lock.unlock();
        }
    }

    private List<SourceRecord> readBatch() throws RingException, InterruptedException {
        List<SourceRecord> records = new ArrayList<>();
        List<Struct> block = new ArrayList<>();
        BlockState bs = new BlockState();
        long deadline = System.nanoTime() + config.pollTimeoutMs() * 1_000_000L;
        int maxPackets = config.batchMaxPackets();
        long maxBytes = config.batchMaxBytes();
        int packets = 0;
        long bytes = 0;
        boolean blockMode = config.recordMode() == RecordMode.BLOCK;

        while (packets < maxPackets && bytes < maxBytes && !stopping) {
            // Bounded in time even when the filter rejects a steady stream of packets.
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // Wait for the first packet only; after that take what is there and return.
            long wait = packets == 0 ? left / 1_000_000L : 0;
            if (!reader.next(rec, wait)) {
                if (packets == 0 && !stopping) {
                    idleUntil(deadline);
                    checkRing();
                }
                break;
            }
            metrics.packetsRead.incrementAndGet();
            metrics.bytesRead.addAndGet(rec.caplen);
            long lost = rec.lostBefore + pendingLoss;
            if (countSkippedFromEpochStart) {
                lost += rec.seq; // packets 0..seq-1 of this epoch were never read
                countSkippedFromEpochStart = false;
            }
            pendingLoss = 0;
            if (lost > 0) {
                metrics.packetsLost.addAndGet(lost);
                log.warn("{}: {} packets lost before seq {} of epoch {} (reader lapped by the writer, "
                        + "or the ring was re-created); reported in header {} of the next record",
                        path, lost, rec.seq, Long.toUnsignedString(identity.epoch()), HEADER_LOST);
            }
            if (filter != null && !filter.matches(rec.data, rec.caplen, rec.origlen)) {
                metrics.packetsFiltered.incrementAndGet();
                pendingLoss = lost; // report it on the next published record
                continue;
            }
            RingOffset offset = new RingOffset(identity.epoch(), rec.nextPosition, rec.seq + 1);
            PacketSummary summary = converter.summarize(rec);
            Struct packet = converter.packet(rec, summary);
            int length = converter.publishedLength(rec);
            packets++;
            bytes += length;
            if (!blockMode) {
                records.add(packetRecord(offset, rec.seq, lost, summary.flowKey(), packet, rec.tsNanos));
                continue;
            }
            // A block must stay below the producer's max.request.size: close it before it grows past.
            if (!block.isEmpty() && bs.bytes + length > config.blockMaxBytes()) {
                records.add(blockRecord(bs, block));
                block = new ArrayList<>();
            }
            if (block.isEmpty()) {
                bs.firstSeq = rec.seq;
                bs.firstTsNanos = rec.tsNanos;
                bs.lost = 0;
                bs.bytes = 0;
            }
            block.add(packet);
            bs.bytes += length;
            bs.lost += lost;
            bs.lastSeq = rec.seq;
            bs.offset = offset;
            if (block.size() >= config.blockMaxPackets()) {
                records.add(blockRecord(bs, block));
                block = new ArrayList<>();
            }
        }
        if (!block.isEmpty()) {
            records.add(blockRecord(bs, block));
        }
        return records.isEmpty() ? null : records;
    }

    private static final class BlockState {
        long firstSeq;
        long lastSeq;
        long firstTsNanos;
        long lost;
        long bytes;
        RingOffset offset;
    }

    private SourceRecord packetRecord(RingOffset offset, long seq, long lost, byte[] key, Struct value, long tsNanos) {
        return new SourceRecord(partition, offset.toMap(), topic, null, PacketSchemas.KEY, key,
                PacketSchemas.PACKET, value, kafkaTimestamp(tsNanos), headers(seq, lost));
    }

    /** Records more than this far in the future are rejected by brokers by default (1 hour). */
    private static final long MAX_FUTURE_MS = 50 * 60 * 1000L;

    /**
     * The Kafka timestamp of a record: the capture time, so time-based lookups work, unless a
     * broker would reject it (beyond log.message.timestamp.after.max.ms, 1 hour by
     * default): a replayed capture or a bad clock must not fail the task. Then null, so the
     * producer's send time is used; the value's timestamp and ts_ns always hold the capture time.
     */
    private Long kafkaTimestamp(long tsNanos) {
        if (config.recordTimestamp() == PktringSourceConnectorConfig.RecordTimestamp.PUBLISH) {
            return null;
        }
        long ms = Long.divideUnsigned(tsNanos, 1_000_000L); // ts_ns is a u64 in the ring
        return ms > System.currentTimeMillis() + MAX_FUTURE_MS ? null : ms;
    }

    private SourceRecord blockRecord(BlockState bs, List<Struct> packets) {
        Struct value = converter.block(identity.epoch(), bs.firstSeq, bs.lastSeq, bs.lost, packets);
        return new SourceRecord(partition, bs.offset.toMap(), topic, null, PacketSchemas.KEY, null,
                PacketSchemas.PACKET_BLOCK, value, kafkaTimestamp(bs.firstTsNanos),
                headers(bs.firstSeq, bs.lost));
    }

    private ConnectHeaders headers(long seq, long lost) {
        ConnectHeaders h = new ConnectHeaders();
        h.addLong(HEADER_EPOCH, identity.epoch());
        h.addLong(HEADER_SEQ, seq);
        h.addLong(HEADER_LOST, lost);
        return h;
    }

    /**
     * An ended, drained ring returns at once from next(): wait out the poll timeout here instead,
     * so the worker does not spin on empty polls. Sliced so stop() is noticed quickly.
     */
    private void idleUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while (!stopping && (left = deadlineNanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(20, left / 1_000_000L)));
        }
    }

    /**
     * Called when the reader is idle: has the ring ended, been re-created (a new file or a new
     * epoch at the path) or vanished? A re-created ring is re-opened and read from its earliest
     * packet; what could not be read is counted as lost. A ring that stays gone fails the task.
     */
    private void checkRing() {
        long now = System.currentTimeMillis();
        if (now < nextRingCheck) {
            return;
        }
        nextRingCheck = now + RING_CHECK_INTERVAL_MS;
        Object key = fileKey(path);
        boolean ended = ring.ended();
        if (key == null) {
            if (missingSince < 0) {
                missingSince = now;
                log.warn("{}: the ring file is gone{}; waiting up to {} ms for it to be re-created", path,
                        ended ? " and the ring has ended" : "", config.ringMissingTimeoutMs());
            } else if (now - missingSince > config.ringMissingTimeoutMs()) {
                throw new ConnectException(path + ": the ring vanished (no file for " + (now - missingSince)
                        + " ms). Start its writer again (pktring-capd/pktring-replay, or create the kernel "
                        + "ring), or remove it from '" + PktringSourceConnectorConfig.RING_PATHS
                        + "', then restart the task.");
            }
            return;
        }
        missingSince = -1;
        if (!ended && Objects.equals(key, fileKey)) {
            return;
        }
        Ring fresh;
        try {
            fresh = Ring.open(path);
        } catch (RingException e) {
            if (!Objects.equals(e.getMessage(), lastReopenProblem)) {
                log.warn("{}: the ring {}, but the ring now at the path cannot be opened yet: {}", path,
                        ended ? "ended" : "was replaced", e.getMessage());
                lastReopenProblem = e.getMessage();
            }
            if (unreadableSince < 0) {
                unreadableSince = now; // a ring that never becomes readable fails the task like a vanished one
            } else if (now - unreadableSince > config.ringMissingTimeoutMs()) {
                throw new ConnectException(path + ": the ring " + (ended ? "ended" : "was replaced")
                        + " and what is at the path now cannot be read (for " + (now - unreadableSince) + " ms): "
                        + e.getMessage() + ". Fix or restart the ring's writer, then restart the task.", e);
            }
            return;
        }
        lastReopenProblem = null;
        unreadableSince = -1;
        if (fresh.identity().epoch() == identity.epoch()) {
            fresh.close(); // same ring (ended and drained, or the file was only renamed)
            fileKey = key;
            return;
        }
        // The old ring is drained up to its head; packets it published after that are lost.
        long unread = Math.max(0, ring.seqNext() - Math.max(0, reader.expectedSeq()));
        log.warn("{}: ring re-created (epoch {} -> {}); {} packets of the old epoch were not read; reading the "
                + "new ring from its earliest packet", path, Long.toUnsignedString(identity.epoch()),
                Long.toUnsignedString(fresh.identity().epoch()), reader.expectedSeq() < 0 ? "an unknown number of" : unread);
        pendingLoss += reader.expectedSeq() < 0 ? 0 : unread;
        Ring old = ring;
        useRing(fresh);
        old.close();
        try {
            reader = ring.reader(ring.reclaim(), 0); // packets before the earliest count as lost
        } catch (RingException e) {
            throw new ConnectException(path + ": cannot read the re-created ring: " + e.getMessage(), e);
        }
        countSkippedFromEpochStart = false;
        metrics.ringReopens.incrementAndGet();
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Counts what the producer acknowledged. */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (metadata == null || !(record.value() instanceof Struct value)) {
            return; // filtered out by a transform or dropped by the error handler
        }
        if (value.schema() == PacketSchemas.PACKET_BLOCK) {
            List<Struct> packets = value.getArray(PacketSchemas.F_PACKETS);
            metrics.packetsPublished.addAndGet(packets.size());
            long bytes = 0;
            for (Struct p : packets) {
                bytes += p.getInt32(PacketSchemas.F_CAPLEN);
            }
            metrics.bytesPublished.addAndGet(bytes);
        } else {
            metrics.packetsPublished.incrementAndGet();
            metrics.bytesPublished.addAndGet(value.getInt32(PacketSchemas.F_CAPLEN));
        }
    }

    /** Prompt: wakes a waiting poll(), which returns within 100 ms, then unmaps the ring. */
    @Override
    public void stop() {
        stopping = true;
        RingReader r = reader;
        if (r != null) {
            r.wakeup();
        }
        lock.lock();
        try {
            closeResources();
        } finally {
            lock.unlock();
        }
    }

    private void closeResources() {
        if (ring != null) {
            ring.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
