package io.pktring.topic2pcap;

/**
 * One packet as it goes into a pcap file: capture time in nanoseconds since the epoch,
 * captured and original (wire) lengths, the pcap link type and the captured bytes.
 */
public record CapturedPacket(long tsNanos, int caplen, int origlen, int linktype, byte[] data) {
}
