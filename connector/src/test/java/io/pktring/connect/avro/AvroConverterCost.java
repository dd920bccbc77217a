package io.pktring.connect.avro;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.storage.Converter;

import io.apicurio.registry.utils.converter.AvroConverter;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;

/**
 * Cost per record of PktringAvroConverter against Apicurio's AvroConverter on the same Structs,
 * both writing to the real registry (scripts/stack.sh start registry): time and bytes allocated
 * (com.sun.management.ThreadMXBean) per record, for the connector's Packet record with 64-byte
 * packets and for a columnar block of 256 such packets (arrays of int64/int32 and one bytes
 * field). Apicurio's converter runs in its fast setting (schema registered first, find-latest).
 * Not a test and asserts nothing; connector/bench/README.md holds a run's table.
 *
 * <pre>
 *   mvn -B -q -f connector/pom.xml test-compile dependency:build-classpath \
 *       -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
 *   cd connector && java -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt) \
 *       io.pktring.connect.avro.AvroConverterCost [passes] [seconds per pass]
 * </pre>
 */
public final class AvroConverterCost {

    static final int PACKET_SIZE = 64;
    static final int BLOCK_PACKETS = 256;

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        String run = Long.toHexString(System.currentTimeMillis());
        List<Object> packets = packets(2048); // one poll's worth (batch.max.packets), converted after the poll
        List<Object> blocks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            blocks.add(columnarBlock(i));
        }
        System.out.printf("%-24s %-8s %14s %14s %16s %14s%n", "converter", "record", "ns/record", "ns/packet",
                "alloc B/record", "record B");
        for (String kind : List.of("packet", "columnar")) {
            Schema schema = kind.equals("packet") ? PacketSchemas.PACKET : SampleValues.COLUMNAR_BLOCK;
            List<Object> values = kind.equals("packet") ? packets : blocks;
            int perRecord = kind.equals("packet") ? 1 : BLOCK_PACKETS;
            String topic = "avro-cost-" + kind + "-" + run;
            ConnectStack.registerValueSchema(topic + "-apicurio", schema);
            Map<String, Converter> converters = new java.util.LinkedHashMap<>();
            converters.put("PktringAvroConverter", pktring());
            converters.put("Apicurio AvroConverter", apicurio());
            for (var c : converters.entrySet()) {
                String t = c.getKey().startsWith("Apicurio") ? topic + "-apicurio" : topic;
                double[] best = null;
                for (int p = 0; p < passes; p++) {
                    double[] r = pass(c.getValue(), t, schema, values, seconds);
                    if (p > 0 && (best == null || r[0] < best[0])) { // pass 0 warms up
                        best = r;
                    }
                }
                System.out.printf("%-24s %-8s %14.0f %14.1f %16.0f %14.0f%n", c.getKey(), kind, best[0], best[0] / perRecord,
                        best[1], best[2]);
            }
        }
    }

    static Converter pktring() {
        PktringAvroConverter c = new PktringAvroConverter();
        c.configure(Map.of("schema.registry.url", ConnectStack.REGISTRY_URL), false);
        return c;
    }

    static Converter apicurio() {
        AvroConverter<Object> c = new AvroConverter<>();
        c.configure(new HashMap<>(ConnectStack.valueConverterConfig()), false);
        return c;
    }

    /** ns per record, bytes allocated per record, bytes per record written: over at least {@code seconds}. */
    static double[] pass(Converter c, String topic, Schema schema, List<Object> values, double seconds) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        RecordHeaders headers = new RecordHeaders();
        long records = 0;
        long written = 0;
        long a0 = mx.getThreadAllocatedBytes(tid);
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        do {
            for (Object v : values) {
                written += c.fromConnectData(topic, headers, schema, v).length;
            }
            records += values.size();
        } while (System.nanoTime() < end);
        long ns = System.nanoTime() - t0;
        long alloc = mx.getThreadAllocatedBytes(tid) - a0;
        return new double[] {(double) ns / records, (double) alloc / records, (double) written / records};
    }

    /** Packet Structs as the connector makes them: 64-byte IPv4/UDP frames, the summary decoded. */
    static List<Object> packets(int n) {
        List<Object> out = new ArrayList<>(n);
        long t = System.currentTimeMillis() * 1_000_000L;
        String ifname = "bench64";
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[PACKET_SIZE];
            data[12] = 0x08;
            data[14] = 0x45;
            data[23] = 17;
            data[34] = (byte) (i >> 8);
            data[35] = (byte) i;
            long ts = t + i * 1_000L;
            out.add(new Struct(PacketSchemas.PACKET)
                    .put("timestamp", new java.util.Date(ts / 1_000_000L)).put("ts_ns", ts).put("seq", (long) i)
                    .put("ifname", ifname).put("ifindex", 0).put("direction", "unknown").put("pkttype", 0)
                    .put("caplen", PACKET_SIZE).put("origlen", PACKET_SIZE).put("linktype", 1).put("data", data)
                    .put("eth_type", 0x0800).put("ip_version", 4).put("src_addr", "10.0.0." + (1 + i % 200))
                    .put("dst_addr", "10.0.0.2").put("ip_proto", 17).put("src_port", i & 0xffff).put("dst_port", 5001));
        }
        return out;
    }

    /** 256 64-byte packets as columns: arrays of int64/int32 and their bytes in one field. */
    static Struct columnarBlock(int b) {
        List<Long> ts = new ArrayList<>(BLOCK_PACKETS);
        List<Integer> caplen = new ArrayList<>(BLOCK_PACKETS);
        List<Integer> origlen = new ArrayList<>(BLOCK_PACKETS);
        List<Integer> flags = new ArrayList<>(BLOCK_PACKETS);
        byte[] data = new byte[BLOCK_PACKETS * PACKET_SIZE];
        long t = System.currentTimeMillis() * 1_000_000L + b * 1_000_000L;
        for (int i = 0; i < BLOCK_PACKETS; i++) {
            ts.add(t + i * 1_000L);
            caplen.add(PACKET_SIZE);
            origlen.add(PACKET_SIZE);
            flags.add(0);
            data[i * PACKET_SIZE + 12] = 0x08;
            data[i * PACKET_SIZE + 35] = (byte) i;
        }
        return new Struct(SampleValues.COLUMNAR_BLOCK).put("ifname", "bench64").put("linktype", 1).put("epoch", 42L)
                .put("first_seq", (long) b * BLOCK_PACKETS).put("ts_ns", ts).put("caplen", caplen).put("origlen", origlen)
                .put("flags", flags).put("data", data);
    }
}
