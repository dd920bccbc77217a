package io.pktring.connect;

import java.nio.file.Path;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of the packets a task handed to the worker: published (the producer acknowledged
 * their record) or dropped (the worker skipped the record: errors.tolerance=all on a conversion
 * or send error, or a transform dropped it). The worker tells of a dropped record with
 * commitRecord(record, null): an at-least-once worker at once, an exactly-once worker when it
 * commits the transaction the record was in (a poll whose every record was dropped is committed
 * with the next poll's, so its drop shows one record later). Dropped packets are counted in
 * PacketsDropped and passed on, to be reported in the pktring.lost header of the next record.
 */
final class WorkerAcks {

    private static final Logger log = LoggerFactory.getLogger(WorkerAcks.class);
    /** A worker dropping every record logs once per this many packets, not once per record. */
    private static final long LOG_EVERY = 10_000;

    private final Path path;
    private final TaskMetrics metrics;
    private final LongConsumer reportDropped;

    /** reportDropped: takes dropped packets for the loss header of the next record. */
    WorkerAcks(Path path, TaskMetrics metrics, LongConsumer reportDropped) {
        this.path = path;
        this.metrics = metrics;
        this.reportDropped = reportDropped;
    }

    /** The producer acknowledged a record of this many packets (any thread). */
    void published(long packets, long bytes) {
        metrics.packetsPublished.addAndGet(packets);
        metrics.bytesPublished.addAndGet(bytes);
    }

    /** The worker dropped a record of this many packets (any thread); which, for the log. */
    void dropped(long packets, String which) {
        long before = metrics.packetsDropped.getAndAdd(packets);
        reportDropped.accept(packets);
        if (before == 0 || before / LOG_EVERY != (before + packets) / LOG_EVERY) {
            log.warn("{}: the worker dropped a record of {} packet(s) ({}; {} so far): errors.tolerance=all skipped a "
                    + "record it could not convert or send, or a transform dropped it. Counted in PacketsDropped and "
                    + "reported in the loss header of the next record.", path, packets, which, before + packets);
        }
    }
}
