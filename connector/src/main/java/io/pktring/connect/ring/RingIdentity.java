package io.pktring.connect.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What a ring is, read once from its control page when it is opened, and the checks a ring must
 * pass before anything in it is trusted. Positions and sequence numbers are meaningful only within
 * one {@code epoch}.
 */
public record RingIdentity(
        Path path,
        long epoch,
        int abiVersion,
        long dataSize,
        long dataOffset,
        int linktype,
        int snaplen,
        String ifname,
        int ifindex,
        int flags,
        int ringIndex,
        int ringCount,
        long groupEpoch,
        long createdNs,
        long maxRecord,
        int counterCount) {

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** Largest data offset a writer may choose (the C readers' limit, pktring_check_ctl). */
    static final long MAX_DATA_OFFSET = 1 << 24;
    /** Largest packet a Java reader can copy out: a byte[] holds a little under 2 GiB. */
    static final long MAX_JAVA_CAPLEN = Integer.MAX_VALUE - 8;

    /** PKTRING_WAIT_POLL or PKTRING_WAIT_FUTEX. */
    public int waitMethod() {
        return flags & RingLayout.WAIT_MASK;
    }

    /** True when the writer beats (PKTRING_F_HEARTBEAT): a killed writer can then be told from a quiet link. */
    public boolean beats() {
        return (flags & RingLayout.F_HEARTBEAT) != 0;
    }

    /** True when the ring is a member of a ring group ({@link RingGroup}). */
    public boolean inGroup() {
        return groupEpoch != 0;
    }

    /** True when the writer's timestamps come from the NIC. */
    public boolean hardwareTimestamps() {
        return (flags & RingLayout.F_HW_TSTAMP) != 0;
    }

    /** The most bytes one packet of this ring carries: what a reader allocates once. */
    public int maxCaplen() {
        return (int) (maxRecord - RingLayout.REC_HDR_SIZE);
    }

    /**
     * Reads and checks the identity in a mapped control page. The checks are the C readers'
     * (pktring_check_ctl in kmod/lib/ring_common.c), in the same order, so a ring that one reader
     * refuses the other refuses too; head and reclaim, the last of them, are checked by
     * {@link RingReader} against the mapping. Java adds: a ring still being set up is retried, not
     * called corrupt; the ring group's index; and a packet must fit a Java array.
     *
     * @param fileSize the file's size, or -1 for a device (whose size reads as 0)
     */
    static RingIdentity check(Path path, ByteBuffer c, long fileSize) throws RingException {
        long magic = (long) LONGS.get(c, RingLayout.OFF_MAGIC);
        if (magic != RingLayout.MAGIC) {
            throw new RingFormatException(path + " is not a pktring ring (magic 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(RingLayout.MAGIC) + " \"PKTRING1\")");
        }
        int abi = (int) INTS.get(c, RingLayout.OFF_ABI_VERSION);
        if (abi != RingLayout.ABI_VERSION) {
            throw new RingFormatException(path + ": ring ABI v" + Integer.toUnsignedString(abi) + ", this connector reads v"
                    + RingLayout.ABI_VERSION + ": upgrade " + (abi > RingLayout.ABI_VERSION ? "the connector" : "the ring writer")
                    + " so both speak the same ring ABI");
        }
        int recHdrSize = (int) INTS.get(c, RingLayout.OFF_REC_HDR_SIZE);
        if (recHdrSize != RingLayout.REC_HDR_SIZE) {
            throw corrupt(path, "record header size " + Integer.toUnsignedString(recHdrSize) + ", ABI v1 defines "
                    + RingLayout.REC_HDR_SIZE);
        }
        long dataOffset = (long) LONGS.get(c, RingLayout.OFF_DATA_OFFSET);
        if (Long.compareUnsigned(dataOffset, RingLayout.CTL_SIZE) < 0 || dataOffset % RingLayout.CTL_SIZE != 0
                || Long.compareUnsigned(dataOffset, MAX_DATA_OFFSET) > 0) {
            throw corrupt(path, "data offset " + Long.toUnsignedString(dataOffset) + " out of range (a multiple of "
                    + RingLayout.CTL_SIZE + " up to " + MAX_DATA_OFFSET + " expected)");
        }
        long dataSize = (long) LONGS.get(c, RingLayout.OFF_DATA_SIZE);
        if (Long.bitCount(dataSize) != 1 || dataSize < RingLayout.MIN_DATA_SIZE || dataSize > RingLayout.MAX_DATA_SIZE) {
            throw corrupt(path, "data size " + Long.toUnsignedString(dataSize) + " is not a power of two between "
                    + RingLayout.MIN_DATA_SIZE + " and " + RingLayout.MAX_DATA_SIZE);
        }
        if (fileSize >= 0 && fileSize < dataOffset + dataSize) {
            throw new RingFormatException(path + " is " + fileSize + " bytes but its control page describes a ring of "
                    + (dataOffset + dataSize) + " bytes (data offset " + dataOffset + " + data size " + dataSize
                    + "): the file is truncated or not a pktring ring");
        }
        long maxRecord = Integer.toUnsignedLong((int) INTS.get(c, RingLayout.OFF_MAX_RECORD));
        if (maxRecord < RingLayout.REC_HDR_SIZE || maxRecord % RingLayout.ALIGN != 0 || maxRecord > dataSize / 2) {
            throw corrupt(path, "max record " + maxRecord + " is not a multiple of " + RingLayout.ALIGN + " in ["
                    + RingLayout.REC_HDR_SIZE + ", data size / 2 = " + dataSize / 2 + "]");
        }
        int flags = (int) INTS.get(c, RingLayout.OFF_FLAGS);
        int wait = flags & RingLayout.WAIT_MASK;
        if (wait != RingLayout.WAIT_POLL && wait != RingLayout.WAIT_FUTEX) {
            throw corrupt(path, "flags 0x" + Integer.toHexString(flags)
                    + " name no wait method (PKTRING_WAIT_POLL or PKTRING_WAIT_FUTEX)");
        }
        int state = (int) INTS.getAcquire(c, RingLayout.OFF_STATE);
        if (state == RingLayout.STATE_INIT) {
            throw new RingException(path + ": the ring is still being set up by its writer (state INIT); retry shortly");
        }
        if (state != RingLayout.STATE_LIVE && state != RingLayout.STATE_ENDED) {
            throw corrupt(path, "unknown ring state " + Integer.toUnsignedString(state));
        }
        int ctrCount = (int) INTS.get(c, RingLayout.OFF_CTR_COUNT);
        if (ctrCount < 0 || ctrCount > RingLayout.CTR_MAX) {
            throw corrupt(path, "counter count " + Integer.toUnsignedString(ctrCount) + " exceeds " + RingLayout.CTR_MAX);
        }
        int ringIndex = (int) INTS.get(c, RingLayout.OFF_RING_INDEX);
        int ringCount = (int) INTS.get(c, RingLayout.OFF_RING_COUNT);
        if (ringCount < 1 || ringIndex < 0 || ringIndex >= ringCount) {
            throw corrupt(path, "ring index " + ringIndex + " of " + ringCount + " is out of range");
        }
        if (maxRecord - RingLayout.REC_HDR_SIZE > MAX_JAVA_CAPLEN) {
            throw new RingException(path + ": the ring holds packets of up to " + (maxRecord - RingLayout.REC_HDR_SIZE)
                    + " bytes, more than a Java reader can copy (" + MAX_JAVA_CAPLEN + "): give the ring a smaller snap length");
        }
        byte[] name = new byte[RingLayout.IFNAMSIZ];
        c.get(RingLayout.OFF_IFNAME, name);
        int nameLen = 0;
        while (nameLen < name.length && name[nameLen] != 0) {
            nameLen++;
        }
        return new RingIdentity(path, (long) LONGS.get(c, RingLayout.OFF_EPOCH), abi, dataSize, dataOffset,
                (int) INTS.get(c, RingLayout.OFF_LINKTYPE), (int) INTS.get(c, RingLayout.OFF_SNAPLEN),
                new String(name, 0, nameLen, StandardCharsets.UTF_8), (int) INTS.get(c, RingLayout.OFF_IFINDEX), flags,
                ringIndex, ringCount, (long) LONGS.get(c, RingLayout.OFF_GROUP_EPOCH),
                (long) LONGS.get(c, RingLayout.OFF_CREATED_NS), maxRecord, ctrCount);
    }

    private static RingFormatException corrupt(Path path, String what) {
        return new RingFormatException(path + ": " + what + ": corrupt control page");
    }
}
