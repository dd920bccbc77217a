package io.pktring.topic2pcap;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * The packets of a topic's partitions, each partition in its own capture order, merged into one
 * capture-time order (a k-way merge, as mergecap merges files): a packet is given out only when
 * every partition that may still add one has a packet waiting, so nothing earlier can follow it.
 * Equal times go out in partition order, so a read is repeatable.
 */
final class PartitionMerge {

    private final Map<TopicPartition, ArrayDeque<CapturedPacket>> waiting = new LinkedHashMap<>();
    /** The partitions that may still add packets. */
    private final Set<TopicPartition> open = new HashSet<>();

    PartitionMerge(List<TopicPartition> partitions) {
        for (TopicPartition tp : partitions.stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList()) {
            waiting.put(tp, new ArrayDeque<>());
            open.add(tp);
        }
    }

    void add(TopicPartition tp, CapturedPacket p) {
        waiting.get(tp).add(p);
    }

    /** The partition adds no more packets. */
    void close(TopicPartition tp) {
        open.remove(tp);
    }

    void closeAll() {
        open.clear();
    }

    int waiting(TopicPartition tp) {
        return waiting.get(tp).size();
    }

    /**
     * Gives out, earliest first, every packet that can be ordered now, until out returns false
     * (e.g. at --max-packets).
     */
    void drain(Predicate<CapturedPacket> out) {
        while (true) {
            ArrayDeque<CapturedPacket> first = null;
            for (Map.Entry<TopicPartition, ArrayDeque<CapturedPacket>> e : waiting.entrySet()) {
                ArrayDeque<CapturedPacket> q = e.getValue();
                if (q.isEmpty()) {
                    if (open.contains(e.getKey())) {
                        return; // that partition's next packet may be the earliest
                    }
                    continue;
                }
                if (first == null || Long.compareUnsigned(q.peek().tsNanos(), first.peek().tsNanos()) < 0) {
                    first = q;
                }
            }
            if (first == null || !out.test(first.poll())) {
                return;
            }
        }
    }
}
