package io.pktring.connect.bench;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.pktring.connect.testing.ConnectStack;

/**
 * Which packets of a ring a capture topic holds, by sequence number: reads the topic from the
 * beginning (every partition), decodes each record with its writer schema from the registry
 * (Confluent wire format), and collects the seq of every packet in it, whatever the record
 * form: a packet record's seq, a block's packets' seqs, or a columnar block's seq column. Prints
 * one JSON line for tests/line_rate.sh:
 *
 * <pre>
 * {"records":R,"packets":P,"distinct":D,"duplicates":U,"min_seq":A,"max_seq":B,"lost":L,"first_ts":T0,"last_ts":T1}
 * </pre>
 *
 * lost is the sum of the records' own loss counts (the pktring.lost header, a block's lost
 * field); first_ts/last_ts are the first and last record timestamps (ms). Reads until
 * EXPECT distinct packets arrived or nothing new came for QUIET_MS.
 *
 * <pre>
 * java -cp (the bench jar and its classpath) io.pktring.connect.bench.TopicSeqs BOOTSTRAP TOPIC EXPECT [QUIET_MS]
 * </pre>
 */
public final class TopicSeqs {

    private final BitSet seen = new BitSet();
    private long records;
    private long packets;
    private long duplicates;
    private long lost;
    private long minSeq = Long.MAX_VALUE;
    private long maxSeq = -1;
    private long firstTs = Long.MAX_VALUE;
    private long lastTs = Long.MIN_VALUE;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TopicSeqs BOOTSTRAP TOPIC EXPECT [QUIET_MS]");
            System.exit(2);
        }
        System.out.println(read(args[0], args[1], Long.parseLong(args[2]), args.length > 3 ? Long.parseLong(args[3]) : 20_000)
                .json());
    }

    /** Reads the topic until expect distinct packets arrived or nothing new came for quietMs. */
    static TopicSeqs read(String bootstrap, String topic, long expect, long quietMs) {
        TopicSeqs t = new TopicSeqs();
        t.consume(bootstrap, topic, expect, quietMs);
        return t;
    }

    long distinct() {
        return seen.cardinality();
    }

    String json() {
        return String.format("{\"records\":%d,\"packets\":%d,\"distinct\":%d,\"duplicates\":%d,\"min_seq\":%d,\"max_seq\":%d,"
                + "\"lost\":%d,\"first_ts\":%d,\"last_ts\":%d}", records, packets, distinct(), duplicates,
                maxSeq < 0 ? -1 : minSeq, maxSeq, lost, records == 0 ? 0 : firstTs, records == 0 ? 0 : lastTs);
    }

    private void consume(String bootstrap, String topic, long expect, long quietMs) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long lastNew = System.nanoTime();
            while (seen.cardinality() < expect && (System.nanoTime() - lastNew) / 1_000_000 < quietMs) {
                var batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    add(r);
                }
                if (!batch.isEmpty()) {
                    lastNew = System.nanoTime();
                }
            }
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        ConnectStack.Decoded d = ConnectStack.decode(r);
        records++;
        firstTs = Math.min(firstTs, r.timestamp());
        lastTs = Math.max(lastTs, r.timestamp());
        String headerLost = d.headers().get("pktring.lost");
        GenericRecord v = d.value();
        if (v.getSchema().getField("lost") != null) {
            lost += ((Number) v.get("lost")).longValue();
        } else if (headerLost != null) {
            lost += Long.parseLong(headerLost);
        }
        collectSeqs(v);
    }

    /** Every "seq" in the record: a long, an array of longs (a column), or inside an array of packets. */
    private void collectSeqs(GenericRecord v) {
        for (org.apache.avro.Schema.Field f : v.getSchema().getFields()) {
            Object x = v.get(f.pos());
            if (f.name().equals("seq") && x instanceof Number n) {
                seq(n.longValue());
            } else if (x instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof GenericRecord g) {
                        collectSeqs(g);
                    } else if (f.name().equals("seq") && e instanceof Number n) {
                        seq(n.longValue());
                    }
                }
            }
        }
    }

    private void seq(long s) {
        packets++;
        if (s < 0 || s > Integer.MAX_VALUE) {
            throw new IllegalStateException("seq " + s + " out of the range this check covers");
        }
        if (seen.get((int) s)) {
            duplicates++;
        }
        seen.set((int) s);
        minSeq = Math.min(minSeq, s);
        maxSeq = Math.max(maxSeq, s);
    }
}
