/**
 * Reading pktring rings (ABI v1, {@code kmod/include/uapi/pktring.h}) from Java. Here "record"
 * means a ring record (a packet or a padding record), as in the header.
 *
 * <p>{@link io.pktring.connect.ring.RingReader} is the header's reader protocol R1-R5, whole: one
 * reader's position, walked up to the head with copy-then-validate, counting loss exactly when the
 * writer laps it. Under it, {@link io.pktring.connect.ring.RingMapping} maps a ring file or device
 * read-only through JNA, checks its identity ({@link io.pktring.connect.ring.RingIdentity}, the C
 * readers' checks) and makes the ordered loads and copies; {@link io.pktring.connect.ring.RingWait}
 * sleeps until the writer publishes. A packet comes out as a
 * {@link io.pktring.connect.ring.CopiedPacket}. {@link io.pktring.connect.ring.RingLayout} holds
 * the header's constants (a test parses the header to keep them equal);
 * {@link io.pktring.connect.ring.RingCat} prints a ring's packets for the kernel module's VM test.
 */
package io.pktring.connect.ring;
