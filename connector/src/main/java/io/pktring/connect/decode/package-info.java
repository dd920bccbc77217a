/**
 * The L2-L4 summary of a packet that records carry and users filter on: bytes in,
 * {@link io.pktring.connect.decode.PacketSummary} and its symmetric flow key out, made by
 * {@link io.pktring.connect.decode.PacketDecoder}. Tested against tshark's dissection of the test
 * captures.
 */
package io.pktring.connect.decode;
