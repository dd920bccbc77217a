package io.pktring.connect.ring;

import java.nio.file.Path;

/**
 * What a ring is, read once from its control page when it is opened. Positions and sequence
 * numbers are meaningful only within one {@code epoch}.
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
        long createdNs,
        int maxRecord,
        int counterCount) {

    /** PKTRING_WAIT_POLL or PKTRING_WAIT_FUTEX. */
    public int waitMethod() {
        return flags & RingLayout.WAIT_MASK;
    }

    /** True when the writer's timestamps come from the NIC. */
    public boolean hardwareTimestamps() {
        return (flags & RingLayout.F_HW_TSTAMP) != 0;
    }
}
