package io.pktring.connect;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of the packets a task handed to the worker: published (the producer acknowledged
 * their record) or dropped (the worker skipped the record: errors.tolerance=all on a conversion
 * or send error, or a transform dropped it). Dropped packets are counted in PacketsDropped and
 * passed on, to be reported in the pktring.lost header of the next record.
 *
 * <p>An at-least-once worker tells of a dropped record with commitRecord(record, null). An
 * exactly-once worker (ExactlyOnceWorkerSourceTask) tells nothing, but it commits a transaction on
 * the poll thread, after every record handed over before has been sent or dropped, and then calls
 * commit() there: the packets handed over but not settled by then were dropped. They are counted
 * at the next poll, so an at-least-once worker's last commit() before it stops the task (on the
 * poll thread, possibly with records in flight) counts nothing. A poll whose every record was
 * dropped opens no transaction: it is committed with the next poll's, so such a drop shows one
 * record later.
 */
final class WorkerAcks {

    private static final Logger log = LoggerFactory.getLogger(WorkerAcks.class);
    /** A worker dropping every record logs once per this many packets, not once per record. */
    private static final long LOG_EVERY = 10_000;

    private final Path path;
    private final TaskMetrics metrics;
    private final LongConsumer reportDropped;
    /** Packets published or dropped (any thread). */
    private final AtomicLong settled = new AtomicLong();
    // poll thread only
    private Thread pollThread;
    private long handed;
    private long unsettledAtCommit;

    /** reportDropped: takes dropped packets for the loss header of the next record. */
    WorkerAcks(Path path, TaskMetrics metrics, LongConsumer reportDropped) {
        this.path = path;
        this.metrics = metrics;
        this.reportDropped = reportDropped;
    }

    /** Poll thread, before a poll reads: counts what an exactly-once commit found unsettled. */
    void beforePoll() {
        pollThread = Thread.currentThread();
        if (unsettledAtCommit > 0) {
            long n = unsettledAtCommit;
            unsettledAtCommit = 0;
            dropped(n, "the exactly-once worker committed its transaction without them");
        }
    }

    /** Poll thread: a poll returned records of this many packets. */
    void handedOver(long packets) {
        handed += packets;
    }

    /** The producer acknowledged a record of this many packets (any thread). */
    void published(long packets, long bytes) {
        metrics.packetsPublished.addAndGet(packets);
        metrics.bytesPublished.addAndGet(bytes);
        settled.addAndGet(packets);
    }

    /** The worker said it dropped a record of this many packets: commitRecord(record, null). */
    void dropped(long packets, String how) {
        settled.addAndGet(packets);
        long before = metrics.packetsDropped.getAndAdd(packets);
        reportDropped.accept(packets);
        if (before == 0 || before / LOG_EVERY != (before + packets) / LOG_EVERY) {
            log.warn("{}: the worker dropped {} packet(s) this task handed over ({}; {} so far): errors.tolerance=all "
                    + "skipped a record it could not convert or send, or a transform dropped it. Counted in "
                    + "PacketsDropped and reported in the loss header of the next record.", path, packets, how,
                    before + packets);
        }
    }

    /** SourceTask.commit(): on the poll thread only an exactly-once worker's transaction commit. */
    void committed() {
        if (Thread.currentThread() == pollThread) {
            unsettledAtCommit = handed - settled.get();
        }
    }
}
