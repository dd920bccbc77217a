package io.pktring.connect.ring;

/**
 * What {@link RingReader#read} hands each packet to. Beside {@link CopiedPacket}, not inside
 * the reader: a sink (the record factory) sees copied packets, never the ring.
 */
@FunctionalInterface
public interface PacketSink {
    /** Takes the reader's one copy (valid until the reader reads again); false stops the read. */
    boolean accept(CopiedPacket packet);
}
