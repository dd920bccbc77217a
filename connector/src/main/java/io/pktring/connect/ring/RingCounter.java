package io.pktring.connect.ring;

/** The writer's counters in the control page (PKTRING_COUNTERS in pktring.h), by index. */
public enum RingCounter {
    SEEN(0, "seen"),
    CAPTURED(1, "captured"),
    BYTES(2, "bytes"),
    WIRE_BYTES(3, "wire_bytes"),
    FILTERED(4, "filtered"),
    TRUNCATED(5, "truncated"),
    RECLAIMED(6, "reclaimed"),
    DROP_TOO_BIG(7, "drop_too_big"),
    DROP_NOMEM(8, "drop_nomem"),
    DROP_SOURCE(9, "drop_source"),
    DROP_INVALID(10, "drop_invalid");

    private final int index;
    private final String label;

    RingCounter(int index, String label) {
        this.index = index;
        this.label = label;
    }

    /** Index in ctl.counters[]. */
    public int index() {
        return index;
    }

    /** The header's string name, e.g. "drop_too_big" (used for metric names). */
    public String label() {
        return label;
    }

    /** True for the drop_* counters: packets the writer lost, as opposed to chose not to keep. */
    public boolean isLoss() {
        return name().startsWith("DROP_");
    }
}
