package io.pktring.connect;

/**
 * Per-task metrics over JMX, as
 * {@code io.pktring:type=connector-task-metrics,connector=<name>,task=<n>}.
 */
public interface TaskMetricsMBean {
    /** Packets copied out of the ring (before the filter). */
    long getPacketsRead();

    /** Captured bytes copied out of the ring. */
    long getBytesRead();

    /** Packets in records the producer acknowledged. */
    long getPacketsPublished();

    /** Packet bytes (published length) in records the producer acknowledged. */
    long getBytesPublished();

    /** Packets the filter rejected. */
    long getPacketsFiltered();

    /** Packets lost: lapped by the writer, missed while stopped, or in an earlier epoch's ring. */
    long getPacketsLost();

    /**
     * Packets the worker did not publish after this task handed them over: a record the converter
     * or producer failed on with errors.tolerance=all, or one a transform dropped. Carried in the
     * pktring.lost header of the next record, like PacketsLost; not counted in PacketsLost.
     */
    long getPacketsDropped();

    /** The ring writer's drop_source counter: packets lost before the ring (socket/tp_drops). Of the ring being read (a re-created ring starts at 0). */
    long getRingDropSource();

    /** The ring writer's drop_too_big counter: packets larger than the ring's max_record. */
    long getRingDropTooBig();

    /** The ring writer's drop_nomem counter: packets it had no memory to copy. */
    long getRingDropNomem();

    /** The ring writer's drop_invalid counter: malformed input packets. */
    long getRingDropInvalid();

    /** Bytes between this task's read position and the ring's head. */
    long getRingLag();

    /** Epoch of the ring being read. */
    long getRingEpoch();

    /** Times the ring was re-opened because it was re-created (new epoch). */
    long getRingReopens();

    /** The ring being read. */
    String getRingPath();
}
