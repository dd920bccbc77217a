package io.pktring.connect.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.pktring.connect.testing.ConnectStack;

/**
 * What users script today without pktring: {@code tshark -T ek -r PCAP | kcat -P}, one JSON line
 * per packet (and one Elasticsearch "index" line before each) into a topic of the same broker.
 */
final class TsharkKcat {

    record Result(double seconds, long records) {
    }

    private TsharkKcat() {
    }

    /** Null when tshark or kcat is missing (scripts/install-deps.sh installs both). */
    static String missingTool() {
        for (String tool : List.of("tshark", "kcat")) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                found |= Path.of(dir, tool).toFile().canExecute();
            }
            if (!found) {
                return tool;
            }
        }
        return null;
    }

    /** Runs the pipeline over the pcap into a new topic; its wall time and the records the topic got. */
    static Result run(ConnectStack stack, Path pcap, String topic) throws Exception {
        stack.connect.kafka().createTopic(topic, 1);
        String bootstrap = stack.connect.kafka().bootstrapServers();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -o pipefail; tshark -T ek -r \"$1\" | kcat -P -b \"$2\" -t \"$3\"",
                "tshark-kcat", pcap.toString(), bootstrap, topic).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("tshark | kcat did not finish in 10 minutes");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("tshark -T ek -r " + pcap + " | kcat -P -b " + bootstrap + " exited " + p.exitValue());
        }
        try (KafkaConsumer<byte[], byte[]> c = stack.connect.kafka().createConsumer(Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long records = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            return new Result(seconds, records);
        }
    }
}
