package io.pktring.topic2pcap;

import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.PacketFilter;
import java.util.HashMap;
import java.util.Map;

/**
 * Which packets a read writes: those captured within --start and --end that the --filter
 * expression selects. libpcap compiles the expression once per link type, as tcpdump does for a
 * file of that type.
 */
final class PacketSelection {

    /** A link type the expression cannot be compiled for (e.g. "vlan" on raw IP). */
    static final class Uncompilable extends Exception {
        private static final long serialVersionUID = 1L;

        Uncompilable(String message) {
            super(message);
        }
    }

    private final Options options;
    private final Map<Integer, Object> compiled = new HashMap<>();

    /** @throws IllegalArgumentException when the expression is not valid tcpdump syntax */
    PacketSelection(Options options) {
        this.options = options;
        if (options.filter() != null) {
            try {
                compiled.put(1, PacketFilter.compile(options.filter(), 1, options.snaplen()));
            } catch (FilterException e) {
                if (e.getMessage() != null && e.getMessage().contains("syntax error")) {
                    throw new IllegalArgumentException("--filter '" + options.filter() + "': " + e.getMessage());
                }
                compiled.put(1, e.getMessage());
            }
        }
    }

    boolean inRange(CapturedPacket p) {
        return options.inRange(p.tsNanos());
    }

    /** True when the filter (if any) selects the packet. */
    boolean selects(CapturedPacket p) throws Uncompilable {
        if (options.filter() == null) {
            return true;
        }
        Object f = compiled.computeIfAbsent(p.linktype(), lt -> {
            try {
                return PacketFilter.compile(options.filter(), lt, options.snaplen());
            } catch (FilterException e) {
                return e.getMessage();
            }
        });
        if (f instanceof PacketFilter filter) {
            return filter.matches(p.data(), p.caplen(), p.origlen());
        }
        throw new Uncompilable("--filter '" + options.filter() + "' cannot be compiled for link type " + p.linktype()
                + ": " + f);
    }
}
