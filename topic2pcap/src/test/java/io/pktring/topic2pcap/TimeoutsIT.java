package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idle timeout counts from Kafka's first answer, never from the start of the program, and
 * a separate connect timeout bounds the wait for that answer. Kafka is slowed down the way a
 * loaded machine slows it: a proxy in front of the broker holds each new connection for
 * {@link #SLOW_MS} before passing it on. A real KRaft broker and the real registry.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimeoutsIT {

    static final int RECORDS = 69;
    static final long SLOW_MS = 1500;

    static final Schema PACKET = SchemaBuilder.struct().name("io.pktring.Packet")
            .field("timestamp", Timestamp.SCHEMA)
            .field("ts_ns", Schema.INT64_SCHEMA)
            .field("seq", Schema.INT64_SCHEMA)
            .field("caplen", Schema.INT32_SCHEMA)
            .field("origlen", Schema.INT32_SCHEMA)
            .field("linktype", Schema.INT32_SCHEMA)
            .field("data", Schema.BYTES_SCHEMA)
            .build();

    static TestBroker broker;
    static SlowProxy slow;
    static String topic;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start();
        topic = broker.newTopic("timeouts", 1);
        produce(topic, RECORDS);
        String[] hostPort = broker.bootstrapServers().split(",")[0].split(":");
        slow = new SlowProxy(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), SLOW_MS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slow != null) {
            slow.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aShortIdleTimeoutReadsEveryRecordWhenKafkaAnswersSlowly() throws Exception {
        Topic2Pcap tool = tool(slow.address(), "--idle-timeout-ms", "500");
        String log = copy(tool);
        assertEquals(RECORDS, tool.records, log);
        assertEquals(RECORDS, tool.packets, log);
        assertTrue(log.contains(RECORDS + " packets from " + RECORDS + " records"), log);
    }

    @Test
    void theShortestIdleTimeoutStillWaitsForTheFirstFetch() throws Exception {
        Topic2Pcap tool = tool(broker.bootstrapServers(), "--idle-timeout-ms", "1");
        String log = copy(tool);
        assertEquals(RECORDS, tool.packets, log);
    }

    @Test
    void aFollowerStopsOnlyAfterItsIdleTimeOnceKafkaHasAnswered() throws Exception {
        Topic2Pcap tool = tool(slow.address(), "-f", "--idle-timeout-ms", "500");
        long t0 = System.nanoTime();
        String log = copy(tool);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(RECORDS, tool.packets, log);
        assertTrue(log.contains("nothing new for 500 ms, stopping"), log);
        assertTrue(ms >= SLOW_MS + 500, "stopped after " + ms + " ms: " + log);
    }

    @Test
    void noAnswerWithinTheConnectTimeoutNamesTheBroker() {
        // Port 1 on loopback: nothing listens, every connection is refused.
        Topic2Pcap tool = tool("127.0.0.1:1", "--connect-timeout-ms", "1500", "--idle-timeout-ms", "60000");
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, tool::copy);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getMessage().contains("no answer from Kafka at 127.0.0.1:1"), e.getMessage());
        assertTrue(e.getMessage().contains("within 1500 ms"), e.getMessage());
        assertTrue(ms < 15_000, "the connect timeout bounds the wait, not the idle timeout: " + ms + " ms");
    }

    // --- helpers ---

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    private Topic2Pcap tool(String bootstrap, String... args) {
        List<String> all = new ArrayList<>(List.of("-b", bootstrap, "-r", TestBroker.REGISTRY, "-t", topic,
                "-w", tmp.resolve("out.pcap").toString()));
        all.addAll(List.of(args));
        return new Topic2Pcap(Options.parse(all), new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    private String copy(Topic2Pcap tool) throws IOException {
        tool.copy();
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    private static void produce(String topic, int n) throws Exception {
        Converter c = TestBroker.converter();
        try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
            for (int i = 0; i < n; i++) {
                byte[] frame = new byte[60];
                frame[12] = 0x08; // an Ethernet frame, its bytes numbered by the record
                frame[59] = (byte) i;
                long ns = 1_700_000_000_000_000_000L + i * 1_000_000L;
                Struct s = new Struct(PACKET)
                        .put("timestamp", new java.util.Date(ns / 1_000_000L))
                        .put("ts_ns", ns).put("seq", (long) i)
                        .put("caplen", frame.length).put("origlen", frame.length).put("linktype", 1)
                        .put("data", frame);
                p.send(new ProducerRecord<>(topic, c.fromConnectData(topic, PACKET, s))).get();
            }
        }
    }

    /** A TCP proxy on loopback that holds each new connection for a while before connecting it through. */
    static final class SlowProxy implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();

        SlowProxy(InetSocketAddress target, long delayMs) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Thread.sleep(delayMs);
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(upstream);
                        }
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "slow-proxy");
            accept.setDaemon(true);
            accept.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // a side closed: the connection is over
                }
            }, "slow-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
