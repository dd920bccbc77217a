package io.pktring.connect.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.pktring.connect.testing.ConnectStack;

/**
 * The Kafka side of tests/line_rate.sh: a real KRaft broker and a real Connect worker in this
 * JVM (ConnectStack: no fixed ports; Avro values through the registry at PKTRING_REGISTRY_URL),
 * the connector in block mode reading the live ring from its earliest packet. Writes READY once
 * its task runs; then waits for the file DONE, which holds the number of packets the ring
 * captured (written after the capture has ended), for the connector to publish them, and prints
 * one JSON line after "line-rate-result: ": what the topic holds by seq (TopicSeqs) plus the task's PacketsLost and
 * PacketsPublished.
 *
 * <pre>
 * LineRate RING READY DONE
 * </pre>
 */
public final class LineRate {

    private LineRate() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LineRate RING READY DONE");
            System.exit(2);
        }
        Path ring = Path.of(args[0]);
        Path ready = Path.of(args[1]);
        Path done = Path.of(args[2]);
        Map<String, Object> producer = new HashMap<>();
        ConnectorBenchmark.PRODUCER.forEach((k, v) -> producer.put("producer." + k, v));
        String name = "line-rate";
        try (ConnectStack stack = ConnectStack.start("line-rate", false, producer)) {
            stack.connect.kafka().createTopic(name, 1);
            stack.connect.configureConnector(name, ConnectStack.connectorConfig(ring.toString(), name, "record.mode", "block",
                    "record.timestamp", "publish", "start.position", "earliest"));
            ConnectStack.await(Duration.ofSeconds(120), "the line-rate connector's task", () -> metric(name, "PacketsRead") >= 0);
            Files.writeString(ready, "ready\n");
            ConnectStack.await(Duration.ofMinutes(10), "the capture to end (" + done + ")", () -> Files.exists(done));
            long captured = Long.parseLong(Files.readString(done).trim());
            // Until every captured packet is published, or nothing more is for 30 s.
            long last = -1;
            long lastChange = System.nanoTime();
            while (metric(name, "PacketsPublished") < captured && (System.nanoTime() - lastChange) < 30_000_000_000L) {
                long p = metric(name, "PacketsPublished");
                if (p != last) {
                    last = p;
                    lastChange = System.nanoTime();
                }
                Thread.sleep(100);
            }
            long lost = metric(name, "PacketsLost");
            long published = metric(name, "PacketsPublished");
            TopicSeqs seqs = TopicSeqs.read(stack.connect.kafka().bootstrapServers(), name, captured, 10_000);
            String json = seqs.json();
            System.out.println("line-rate-result: " + json.substring(0, json.length() - 1) + ",\"task_lost\":" + lost + ",\"task_published\":"
                    + published + "}");
            stack.deleteConnectors(name);
        }
    }

    private static long metric(String connector, String attribute) {
        return ConnectStack.taskMetric(connector, 0, attribute);
    }
}
