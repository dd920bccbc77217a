/**
 * Packet filters in tcpdump syntax: libpcap compiles the expression to classic BPF (as tcpdump
 * does), and {@link io.pktring.connect.filter.PacketFilter} evaluates that program in Java, so
 * filtering a packet needs no native call.
 */
package io.pktring.connect.filter;
