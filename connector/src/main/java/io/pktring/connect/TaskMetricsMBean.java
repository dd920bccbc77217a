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

    /** Bytes between this task's read position and the ring's head. */
    long getRingLag();

    /** Epoch of the ring being read. */
    long getRingEpoch();

    /** Times the ring was re-opened because it was re-created (new epoch). */
    long getRingReopens();

    /** The ring being read. */
    String getRingPath();
}
