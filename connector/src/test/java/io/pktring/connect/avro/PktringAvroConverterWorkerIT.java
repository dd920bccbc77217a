package io.pktring.connect.avro;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.PktringSourceConnector;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.Replayer;

/**
 * The connector through a real distributed worker whose value converter is PktringAvroConverter
 * (registering in the real registry): every packet of a ring, in packet and in block mode, is a
 * record in Confluent wire format that decodes with the schema the registry serves for its id,
 * the same schema Apicurio's converter registers (the shipped .avsc), and holds the packet's
 * bytes, lengths, timestamps and decoded addresses.
 */
class PktringAvroConverterWorkerIT {

    static final int PACKETS = 600;

    @TempDir
    static Path dir;
    static Path ring;
    static EmbeddedConnectCluster connect;
    static final List<Frame> frames = new ArrayList<>();

    /** A packet as written into the capture. */
    record Frame(long tsNanos, byte[] data, int origlen, String src, String dst, Integer srcPort) {
    }

    @BeforeAll
    static void ringAndWorker() throws Exception {
        Random r = new Random(11);
        long t0 = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < PACKETS; i++) {
            int size = switch (i % 7) {
                case 0 -> 60;
                case 1 -> 1514;
                case 2 -> 9014;
                default -> 60 + r.nextInt(1400);
            };
            boolean v6 = i % 3 == 0;
            size = v6 ? Math.max(size, 62) : size;
            byte[] f = v6 ? udp6(size, i) : udp4(size, i);
            byte[] data = f;
            int origlen = size;
            if (i % 11 == 0) { // captured shorter than on the wire
                data = java.util.Arrays.copyOf(f, 54 + 8);
            }
            frames.add(new Frame(t0 + i * 1_000L + r.nextInt(1000), data, origlen,
                    v6 ? "2001:db8::1" : "10.0.0.1", v6 ? "2001:db8::2" : "10.0.0.2", 10000 + i));
        }
        Path pcap = dir.resolve("frames.pcap");
        Files.write(pcap, pcap(frames));
        ring = dir.resolve("ring");
        assertEquals(0, Replayer.replay(ring, "16M", false, pcap.toString()));

        Map<String, String> worker = new HashMap<>();
        worker.put("plugin.discovery", "hybrid_warn");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("value.converter", PktringAvroConverter.class.getName());
        worker.put("value.converter.schema.registry.url", ConnectStack.REGISTRY_URL);
        java.util.Properties broker = new java.util.Properties();
        broker.put("auto.create.topics.enable", "false");
        broker.put("offsets.topic.replication.factor", "1");
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        connect = new EmbeddedConnectCluster.Builder().name("pktring-avro-it").numWorkers(1).numBrokers(1)
                .workerProps(worker).brokerProps(broker).build();
        connect.start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.stop();
        }
    }

    static Map<String, String> connector(String topic, String... extra) {
        Map<String, String> c = new HashMap<>(Map.of("connector.class", PktringSourceConnector.class.getName(),
                "tasks.max", "1", "ring.paths", ring.toString(), "topic", topic, "poll.timeout.ms", "100"));
        for (int i = 0; i < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return c;
    }

    @Test
    void everyPacketDecodesWithTheRegistrysSchema() throws Exception {
        String topic = "avro-packets";
        connect.kafka().createTopic(topic, 1, 1, Map.of());
        connect.configureConnector("avro-packets", connector(topic));
        List<Decoded> records = consume(topic, PACKETS);
        assertEquals(PACKETS, records.size());
        org.apache.avro.Schema shipped = new org.apache.avro.Schema.Parser().parse(Path.of("src/main/avro/Packet.avsc").toFile());
        for (int i = 0; i < PACKETS; i++) {
            Decoded d = records.get(i);
            assertEquals(shipped, d.schema(), "the registry's schema for id " + d.schemaId() + " is the shipped Packet.avsc");
            check(frames.get(i), i, d.value());
        }
        connect.deleteConnector("avro-packets");
    }

    @Test
    void blocksDecodeWithTheRegistrysSchema() throws Exception {
        String topic = "avro-blocks";
        connect.kafka().createTopic(topic, 1, 1, Map.of());
        connect.configureConnector("avro-blocks", connector(topic, "record.mode", "block", "block.max.packets", "50"));
        List<Decoded> blocks = consume(topic, PACKETS / 50);
        org.apache.avro.Schema shipped = new org.apache.avro.Schema.Parser().parse(Path.of("src/main/avro/PacketColumns.avsc").toFile());
        int seen = 0;
        for (Decoded d : blocks) {
            assertEquals(shipped, d.schema());
            GenericRecord b = d.value();
            int count = (Integer) b.get("count");
            ByteBuffer data = (ByteBuffer) b.get("data");
            assertEquals(b.get("first_seq"), column(b, "seq").get(0));
            for (int j = 0; j < count; j++) {
                int seq = ((Long) column(b, "seq").get(j)).intValue();
                assertEquals(seen, seq, "the blocks hold every packet in order");
                Frame f = frames.get(seq);
                int offset = (Integer) column(b, "offset").get(j);
                int caplen = (Integer) column(b, "caplen").get(j);
                byte[] bytes = new byte[caplen];
                data.duplicate().position(data.position() + offset).get(bytes);
                assertArrayEquals(f.data(), bytes, "seq " + seq + ": bytes");
                assertEquals(f.origlen(), column(b, "origlen").get(j), "seq " + seq);
                assertEquals(f.tsNanos(), column(b, "ts_ns").get(j), "seq " + seq);
                seen++;
            }
            assertEquals(1, b.get("linktype"));
        }
        assertEquals(PACKETS, seen);
        connect.deleteConnector("avro-blocks");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> column(GenericRecord block, String name) {
        return (List<Object>) block.get(name);
    }

    private static void check(Frame f, int seq, GenericRecord v) {
        String where = "seq " + seq;
        assertEquals((long) seq, v.get("seq"), where);
        assertEquals(ByteBuffer.wrap(f.data()), v.get("data"), where + ": bytes");
        assertEquals(f.data().length, v.get("caplen"), where);
        assertEquals(f.origlen(), v.get("origlen"), where);
        assertEquals(f.tsNanos(), v.get("ts_ns"), where);
        assertEquals(f.tsNanos() / 1_000_000L, v.get("timestamp"), where);
        assertEquals(1, v.get("linktype"), where);
        assertEquals(f.src(), String.valueOf(v.get("src_addr")), where);
        assertEquals(f.dst(), String.valueOf(v.get("dst_addr")), where);
        assertEquals(17, v.get("ip_proto"), where);
        assertEquals(f.srcPort(), v.get("src_port"), where);
        assertNull(v.get("tcp_flags"), where);
    }

    static List<Decoded> consume(String topic, int n) {
        Map<String, Object> props = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "avro-it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<Decoded> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(ConnectStack.decode(r));
                }
                if (out.size() >= n && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // and nothing more after
                }
            }
        }
        return out;
    }

    static byte[] udp4(int size, int i) {
        byte[] f = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.position(12);
        b.putShort((short) 0x0800).put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putInt(0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2})
                .putShort((short) (10000 + i)).putShort((short) 53).putShort((short) (size - 34)).putShort((short) 0);
        fill(f, 42, i);
        return f;
    }

    static byte[] udp6(int size, int i) {
        byte[] f = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.position(12);
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        src[0] = dst[0] = 0x20;
        src[1] = dst[1] = 0x01;
        src[2] = dst[2] = 0x0d;
        src[3] = dst[3] = (byte) 0xb8;
        src[15] = 1;
        dst[15] = 2;
        b.putShort((short) 0x86dd).putInt(0x60000000).putShort((short) (size - 54)).put((byte) 17).put((byte) 64)
                .put(src).put(dst).putShort((short) (10000 + i)).putShort((short) 53).putShort((short) (size - 54))
                .putShort((short) 0);
        fill(f, 62, i);
        return f;
    }

    private static void fill(byte[] f, int from, int i) {
        for (int k = from; k < f.length; k++) {
            f[k] = (byte) (k * 31 + i);
        }
    }

    /** A nanosecond pcap (magic a1b23c4d) of Ethernet frames. */
    static byte[] pcap(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
        for (Frame f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (f.tsNanos() / 1_000_000_000L)).putInt((int) (f.tsNanos() % 1_000_000_000L))
                    .putInt(f.data().length).putInt(f.origlen());
            out.writeBytes(r.array());
            out.writeBytes(f.data());
        }
        return out.toByteArray();
    }
}
