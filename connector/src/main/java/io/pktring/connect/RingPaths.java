package io.pktring.connect;

import static io.pktring.connect.PktringSourceConnectorConfig.RING_PATHS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingGroup;

/**
 * The rings {@code ring.paths} names, one task each: a ring as itself, a ring group
 * ({@link RingGroup}) as each of its members, in the order listed.
 */
record RingPaths(List<Entry> entries) {

    /** One entry of ring.paths and the rings it stands for. */
    record Entry(String configured, boolean group, List<String> rings) {
        String describe() {
            return group ? configured + " is a ring group of " + rings.size() + " members" : configured + " is 1 ring";
        }
    }

    /** Lists the members of each group now; a group that cannot be read is an error naming it. */
    static RingPaths expand(List<String> configured) throws RingException {
        List<Entry> entries = new ArrayList<>();
        for (String c : configured) {
            String p = c.trim();
            List<String> rings = new ArrayList<>();
            for (Path r : RingGroup.rings(Path.of(p))) {
                rings.add(r.toString());
            }
            entries.add(new Entry(p, RingGroup.isGroup(Path.of(p)), List.copyOf(rings)));
        }
        return new RingPaths(List.copyOf(entries));
    }

    List<String> rings() {
        List<String> all = new ArrayList<>();
        entries.forEach(e -> all.addAll(e.rings()));
        return all;
    }

    boolean hasGroup() {
        return entries.stream().anyMatch(Entry::group);
    }

    /** Why these rings do not fit tasks.max (one ring per task), or null when they do. */
    String misfit(int tasksMax) {
        int n = rings().size();
        if (n <= tasksMax) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        entries.forEach(e -> parts.add(e.describe()));
        return "'" + RING_PATHS + "' names " + n + " rings (" + String.join("; ", parts) + ") and each ring is read by "
                + "one task, so they need tasks.max >= " + n + "; tasks.max is " + tasksMax
                + (hasGroup() ? ". A ring group is read whole, one task per member: a member without a task "
                        + "would never be read, so raise tasks.max" : "");
    }
}
