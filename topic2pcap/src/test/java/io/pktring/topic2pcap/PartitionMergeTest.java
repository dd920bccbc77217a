package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionMergeTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static CapturedPacket at(long ts) {
        return new CapturedPacket(ts, 0, 0, 1, new byte[0]);
    }

    private static List<Long> drain(PartitionMerge m) {
        List<Long> out = new ArrayList<>();
        m.drain(p -> out.add(p.tsNanos()));
        return out;
    }

    @Test
    void nothingGoesOutWhileAnOpenPartitionHasNothingWaiting() {
        PartitionMerge m = new PartitionMerge(List.of(P1, P0));
        m.add(P0, at(5));
        m.add(P0, at(9));
        assertEquals(List.of(), drain(m), "partition 1 may still bring an earlier packet");
        m.add(P1, at(7));
        assertEquals(List.of(5L, 7L), drain(m), "9 waits: partition 1's next may come before it");
        m.close(P1);
        assertEquals(List.of(9L), drain(m));
    }

    @Test
    void equalTimesGoOutInPartitionOrderAndU64TimesCompareUnsigned() {
        PartitionMerge m = new PartitionMerge(List.of(P0, P1));
        m.add(P1, at(3));
        m.add(P0, at(3));
        m.add(P0, at(-1L)); // 2^64 - 1 ns: the latest time a ring can hold
        m.add(P1, at(4));
        m.closeAll();
        List<CapturedPacket> out = new ArrayList<>();
        m.drain(out::add);
        assertEquals(List.of(3L, 3L, 4L, -1L), out.stream().map(CapturedPacket::tsNanos).toList());
    }

    @Test
    void drainStopsWhenTheWriterHasEnough() {
        PartitionMerge m = new PartitionMerge(List.of(P0));
        m.add(P0, at(1));
        m.add(P0, at(2));
        m.closeAll();
        List<Long> out = new ArrayList<>();
        m.drain(p -> out.add(p.tsNanos()) && out.size() < 1);
        assertEquals(List.of(1L), out);
        assertEquals(1, m.waiting(P0));
    }
}
