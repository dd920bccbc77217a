package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ring group written by pktring-replay --rings, opened as one: its members and their identity. */
class RingGroupTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsTheReplayer() {
        assumeTrue(Replayer.built("pktring-replay"), "pktring-replay not built (make -C kmod): skipping");
    }

    private Path group(String name, int members) throws Exception {
        Path g = dir.resolve(name);
        assertEquals(0, Replayer.replay(g, "1M", false, "--rings", Integer.toString(members),
                TestData.corpus("mixed.pcapng").toString()));
        return g;
    }

    @Test
    void aGroupIsItsMembersInOrderWithOneGroupEpoch() throws Exception {
        Path g = group("g", 3);
        RingGroup group = RingGroup.open(g);
        assertEquals(List.of(g.resolve("0"), g.resolve("1"), g.resolve("2")), group.members());
        assertNotEquals(0, group.groupEpoch());
        assertEquals(group.members(), RingGroup.rings(g));
        Set<Long> epochs = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            try (RingMapping m = RingMapping.open(group.members().get(i))) {
                RingIdentity id = m.identity();
                assertEquals(group.groupEpoch(), id.groupEpoch());
                assertEquals(i, id.ringIndex());
                assertEquals(3, id.ringCount());
                assertTrue((id.flags() & RingLayout.F_BY_FLOW) != 0, "split by flow");
                epochs.add(id.epoch());
            }
        }
        assertEquals(3, epochs.size(), "each member is a ring of its own epoch");
    }

    @Test
    void aPlainRingIsItselfAndNotInAGroup() throws Exception {
        Path ring = dir.resolve("plain");
        assertEquals(0, Replayer.replay(ring, "1M", false, TestData.corpus("tcp.pcap").toString()));
        assertEquals(List.of(ring), RingGroup.rings(ring));
        try (RingMapping m = RingMapping.open(ring)) {
            assertEquals(0, m.identity().groupEpoch());
            assertEquals(1, m.identity().ringCount());
        }
    }

    @Test
    void aMemberOfAnotherGroupIsNamed() throws Exception {
        Path g = group("mixed", 2);
        Path other = group("other", 2);
        Files.move(other.resolve("1"), g.resolve("1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        RingException e = assertThrows(RingException.class, () -> RingGroup.open(g));
        assertTrue(e.getMessage().contains("member 1 is not of the group member 0 is in"), e.getMessage());
        assertTrue(e.getMessage().contains("re-created"), e.getMessage());
    }

    @Test
    void aMissingMemberOrAnEmptyDirectoryIsNamed() throws Exception {
        Path g = group("short", 3);
        Files.delete(g.resolve("2"));
        RingException e = assertThrows(RingException.class, () -> RingGroup.open(g));
        assertTrue(e.getMessage().contains("of 3 members: member 2"), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(RingException.class, () -> RingGroup.rings(empty));
        assertTrue(e.getMessage().contains("not a ring group: it has no member 0"), e.getMessage());
    }

    @Test
    void aPlainRingInAGroupDirectoryIsNotAGroup() throws Exception {
        Path g = Files.createDirectory(dir.resolve("fake"));
        assertEquals(0, Replayer.replay(g.resolve("0"), "1M", false, TestData.corpus("tcp.pcap").toString()));
        RingException e = assertThrows(RingException.class, () -> RingGroup.open(g));
        assertTrue(e.getMessage().contains("is not a member of a ring group"), e.getMessage());
    }
}
