/**
 * Reading pktring rings (ABI v1, {@code kmod/include/uapi/pktring.h}) from Java.
 *
 * <p>{@link io.pktring.connect.ring.Ring} maps a ring file or device read-only through JNA and
 * checks its identity; {@link io.pktring.connect.ring.RingReader} walks one reader's position up
 * to the head with the header's copy-then-validate protocol, counting loss exactly when the
 * writer laps it; {@link io.pktring.connect.ring.RingLayout} holds the header's constants (a test
 * parses the header to keep them equal); {@link io.pktring.connect.ring.RingCat} prints a ring's
 * packets for the kernel module's VM test.
 */
package io.pktring.connect.ring;
