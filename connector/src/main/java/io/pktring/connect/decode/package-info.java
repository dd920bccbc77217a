/**
 * The L2-L4 summary of a packet that records carry and users filter on
 * ({@link io.pktring.connect.decode.PacketSummary}), and its symmetric flow key. Tested against
 * tshark's dissection of the shared test captures.
 */
package io.pktring.connect.decode;
