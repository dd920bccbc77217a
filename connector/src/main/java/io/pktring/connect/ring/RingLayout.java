package io.pktring.connect.ring;

/**
 * The constants of the ring ABI v1, copied from {@code kmod/include/uapi/pktring.h}, in one place.
 * {@code RingLayoutTest} parses that header and fails if any of these differ from it.
 */
public final class RingLayout {
    private RingLayout() {
    }

    public static final long MAGIC = 0x31474e4952544b50L; // "PKTRING1" little-endian
    public static final int ABI_VERSION = 1;
    public static final int CTL_SIZE = 4096;
    public static final int ALIGN = 8;
    public static final int IFNAMSIZ = 16;
    public static final long MIN_DATA_SIZE = 4096;
    public static final long MAX_DATA_SIZE = 1L << 40;

    // ctl.flags
    public static final int WAIT_MASK = 0x3;
    public static final int WAIT_POLL = 0x1;
    public static final int WAIT_FUTEX = 0x2;
    public static final int F_HW_TSTAMP = 0x4;
    public static final int F_HEARTBEAT = 0x8; // the writer beats: see the header's Liveness
    public static final int HEARTBEAT_MS = 100;
    public static final int EPOCH_BITS = 53; // new epochs are below 2^53: exact in JSON tools
    public static final int F_BY_CPU = 0x10; // ring group member i: what CPU i handled
    public static final int F_BY_FLOW = 0x20; // ring group member: by a symmetric flow hash

    public static final long WAKE_MAX_DELAY_NS = 1_000_000;

    // ctl.state
    public static final int STATE_INIT = 0;
    public static final int STATE_LIVE = 1;
    public static final int STATE_ENDED = 2;

    public static final int CTR_MAX = 32;

    // record types, flags and directions
    public static final int REC_PACKET = 1;
    public static final int REC_PADDING = 2;
    public static final int RF_TRUNCATED = 0x1;
    public static final int RF_HW_TSTAMP = 0x2;
    public static final int DIR_UNKNOWN = 0;
    public static final int DIR_IN = 1;
    public static final int DIR_OUT = 2;

    public static final int REC_HDR_SIZE = 40;
    public static final int REC_MIN = 8;

    // control page offsets
    public static final int OFF_MAGIC = 0;
    public static final int OFF_ABI_VERSION = 8;
    public static final int OFF_REC_HDR_SIZE = 12;
    public static final int OFF_DATA_OFFSET = 16;
    public static final int OFF_DATA_SIZE = 24;
    public static final int OFF_EPOCH = 32;
    public static final int OFF_CREATED_NS = 40;
    public static final int OFF_LINKTYPE = 48;
    public static final int OFF_SNAPLEN = 52;
    public static final int OFF_IFINDEX = 56;
    public static final int OFF_FLAGS = 60;
    public static final int OFF_IFNAME = 64;
    public static final int OFF_RING_INDEX = 80;
    public static final int OFF_RING_COUNT = 84;
    public static final int OFF_MAX_RECORD = 88;
    public static final int OFF_CTR_COUNT = 92;
    public static final int OFF_GROUP_EPOCH = 96;
    public static final int OFF_HEAD = 128;
    public static final int OFF_RECLAIM = 136;
    public static final int OFF_WAKE_SEQ = 144;
    public static final int OFF_STATE = 148;
    public static final int OFF_SEQ_NEXT = 152;
    public static final int OFF_HEARTBEAT = 160;
    public static final int OFF_COUNTERS = 192;

    // record header offsets
    public static final int ROFF_LEN = 0;
    public static final int ROFF_TYPE = 4;
    public static final int ROFF_FLAGS = 6;
    public static final int ROFF_SEQ = 8;
    public static final int ROFF_TS_NS = 16;
    public static final int ROFF_CAPLEN = 24;
    public static final int ROFF_ORIGLEN = 28;
    public static final int ROFF_IFINDEX = 32;
    public static final int ROFF_DIRECTION = 36;
    public static final int ROFF_PKTTYPE = 37;
    public static final int ROFF_PROTOCOL = 38;

    /** PKTRING_REC_ALIGN: rounds a length up to the record alignment. */
    public static long align(long n) {
        return (n + ALIGN - 1) & ~(long) (ALIGN - 1);
    }
}
