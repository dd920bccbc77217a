package io.pktring.connect;

import static io.pktring.connect.PktringSourceConnectorConfig.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;

import io.pktring.connect.filter.FilterException;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingFormatException;
import io.pktring.connect.ring.RingMapping;

/**
 * The checks of a connector config that need the rings themselves: each path is an openable ring
 * of this ABI, or a ring group whose members are, there are enough tasks for one ring (one
 * member) each, and the filter compiles for the rings' link type on this worker. Errors are attached to the field they are about, so the REST validate
 * endpoint names the field and the reason.
 */
final class RingConfigValidator {

    /** Link type used to check a filter when no ring could be opened (pcap's DLT_EN10MB). */
    private static final int LINKTYPE_ETHERNET = 1;

    private RingConfigValidator() {
    }

    static Config validate(Map<String, String> props, Config config) {
        ConfigValue paths = find(config, RING_PATHS);
        ConfigValue filter = find(config, FILTER);
        Integer linktype = null;
        Integer snaplen = null;

        if (paths != null && paths.errorMessages().isEmpty() && paths.value() instanceof List<?> list) {
            Set<String> seen = new HashSet<>();
            List<RingPaths.Entry> entries = new ArrayList<>();
            for (Object o : list) {
                String p = String.valueOf(o).trim();
                List<String> rings;
                try {
                    RingPaths.Entry e = RingPaths.expand(List.of(p)).entries().get(0);
                    entries.add(e);
                    rings = e.rings();
                } catch (RingException e) {
                    paths.addErrorMessage(p + ": " + e.getMessage());
                    continue;
                } catch (RuntimeException e) {
                    paths.addErrorMessage(p + ": cannot open: " + e);
                    continue;
                }
                for (String r : rings) {
                    if (!seen.add(Path.of(r).normalize().toString())) {
                        paths.addErrorMessage((r.equals(p) ? p : r + " (of ring group " + p + ")")
                                + ": listed twice; each ring is read by one task");
                        continue;
                    }
                    try (RingMapping ring = RingMapping.open(Path.of(r))) {
                        if (linktype == null) {
                            linktype = ring.identity().linktype();
                            snaplen = ring.identity().snaplen();
                        }
                    } catch (RingFormatException e) {
                        paths.addErrorMessage(r + ": not a usable pktring ring: " + e.getMessage());
                    } catch (RingException e) {
                        paths.addErrorMessage(r + ": " + e.getMessage());
                    } catch (RuntimeException e) {
                        paths.addErrorMessage(r + ": cannot open: " + e);
                    }
                }
            }
            String tasksMax = props.get("tasks.max");
            try {
                String misfit = tasksMax == null ? null
                        : new RingPaths(entries).misfit(Integer.parseInt(tasksMax.trim()));
                if (misfit != null) {
                    paths.addErrorMessage(misfit);
                }
            } catch (NumberFormatException e) {
                // tasks.max itself is reported by the worker's own validation
            }
        }

        if (filter != null && filter.errorMessages().isEmpty() && filter.value() != null
                && !filter.value().toString().isBlank()) {
            String expr = filter.value().toString().trim();
            if (!PacketFilter.libpcapAvailable()) {
                filter.addErrorMessage("libpcap cannot be loaded on this worker, so filters cannot "
                        + "be compiled: install libpcap (Debian: libpcap0.8) or leave 'filter' empty");
            } else {
                try {
                    PacketFilter.compile(expr, linktype == null ? LINKTYPE_ETHERNET : linktype,
                            snaplen == null ? 262144 : snaplen);
                } catch (FilterException e) {
                    filter.addErrorMessage("'" + expr + "' does not compile: " + e.getMessage());
                }
            }
        }
        return config;
    }

    private static ConfigValue find(Config config, String name) {
        Optional<ConfigValue> v = config.configValues().stream().filter(c -> c.name().equals(name)).findFirst();
        return v.orElse(null);
    }
}
