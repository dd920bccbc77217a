package io.pktring.connect.ring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A ring group ({@code kmod/include/uapi/pktring.h}, "Ring groups"): one capture written into
 * several rings, a directory of members {@code 0 .. ring_count - 1} ({@code /dev/pktring/eth0/N}
 * from the kernel module's per-CPU groups, {@code /dev/shm/pktring/NAME/N} from
 * {@code pktring-capd --rings}). Each member is a ring of its own, read by its own task; what
 * makes them one group is the same non-zero {@code group_epoch} and {@code ring_count} in every
 * member's control page, and each member's {@code ring_index}.
 */
public record RingGroup(Path path, long groupEpoch, List<Path> members) {

    /** True when path names a group (a directory), not one ring. */
    public static boolean isGroup(Path path) {
        return Files.isDirectory(path);
    }

    /** The rings path names: the members of the group there, or the ring itself. */
    public static List<Path> rings(Path path) throws RingException {
        return isGroup(path) ? open(path).members() : List.of(path);
    }

    /**
     * Opens every member of the group at dir and checks that they belong together: member 0
     * gives the group epoch and size, every other member must carry the same, at its own index.
     */
    public static RingGroup open(Path dir) throws RingException {
        Path first = dir.resolve("0");
        if (!Files.exists(first)) {
            throw new RingException(dir + " is a directory but not a ring group: it has no member 0 (a ring "
                    + "group's members are " + dir + "/0, " + dir + "/1, ...)");
        }
        RingIdentity id0;
        try (RingMapping m = RingMapping.open(first)) {
            id0 = m.identity();
        } catch (RingException e) {
            throw new RingException("ring group " + dir + ": member 0: " + e.getMessage(), e);
        }
        if (!id0.inGroup() || id0.ringIndex() != 0) {
            throw new RingException(first + " is not a member of a ring group (group epoch "
                    + Long.toHexString(id0.groupEpoch()) + ", member " + id0.ringIndex() + " of " + id0.ringCount()
                    + "), so " + dir + " is not a ring group");
        }
        List<Path> members = new ArrayList<>(List.of(first));
        for (int i = 1; i < id0.ringCount(); i++) {
            Path p = dir.resolve(Integer.toString(i));
            RingIdentity id;
            try (RingMapping m = RingMapping.open(p)) {
                id = m.identity();
            } catch (RingException e) {
                throw new RingException("ring group " + dir + " of " + id0.ringCount() + " members: member " + i + ": "
                        + e.getMessage(), e);
            }
            if (id.groupEpoch() != id0.groupEpoch() || id.ringCount() != id0.ringCount() || id.ringIndex() != i) {
                throw new RingException("ring group " + dir + ": member " + i + " is not of the group member 0 is in "
                        + "(group epoch " + Long.toHexString(id.groupEpoch()) + ", member " + id.ringIndex() + " of "
                        + id.ringCount() + "; member 0: group epoch " + Long.toHexString(id0.groupEpoch()) + ", "
                        + id0.ringCount() + " members): the group is being re-created; retry once its writer is up");
            }
            members.add(p);
        }
        return new RingGroup(dir, id0.groupEpoch(), List.copyOf(members));
    }
}
