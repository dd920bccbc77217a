package io.pktring.connect.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * Does the connector scale with the members of a ring group? One run publishes member 0 of a
 * 2-member group with 1 task; the next publishes the whole group, 2 tasks, to the same broker in
 * the same JVM; both print packets/s, and the ratio. The group is filled beforehand by
 * kmod/bench/group_writers (64 UDP flows per member), so its writers are not what is measured.
 * Not a test: run by kmod/bench/groups.sh (connector/bench/run.sh GroupBenchmark).
 *
 * <p>The broker, the worker, both tasks and the registry share this machine's cores: on a 2-core
 * machine the ratio says how much of the second core the second task could get, not what two
 * tasks do with cores of their own.
 */
public final class GroupBenchmark {

    record Run(String what, int tasks, long packets, double seconds) {
        double packetsPerSec() {
            return packets / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.getInteger("bench.size", 64);
        int perMember = Integer.getInteger("bench.packets", 300_000);
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp"),
                "pktring-group-bench");
        Map<String, Object> workerProducer = new HashMap<>();
        ConnectorBenchmark.PRODUCER.forEach((k, v) -> workerProducer.put("producer." + k, v));
        try (ConnectStack stack = ConnectStack.start("groupbench", false, workerProducer)) {
            Path warm = fill(dir.resolve("warm"), size, 50_000);
            publish(stack, warm.resolve("0").toString(), 1, "warm-1");
            publish(stack, warm.toString(), 2, "warm-2");
            Path group = fill(dir.resolve("group"), size, perMember);
            Run one = publish(stack, group.resolve("0").toString(), 1, "1 task: member 0");
            Run two = publish(stack, group.toString(), 2, "2 tasks: the group, a task per member");
            System.out.printf("%nconnector, %d-byte packets, a 2-member group of %d packets per member (%d flows each)%n",
                    size, perMember, 64);
            System.out.printf("%-42s %6s %10s %12s%n", "run", "tasks", "packets", "packets/s");
            for (Run r : new Run[] {one, two}) {
                System.out.printf("%-42s %6d %10d %12.0f%n", r.what, r.tasks, r.packets, r.packetsPerSec());
            }
            System.out.printf("ratio 2 tasks / 1 task: %.2fx packets/s (the broker, the worker and both tasks share "
                    + "this machine's %d cores)%n", two.packetsPerSec() / one.packetsPerSec(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            ConnectorBenchmark.delete(dir);
        }
    }

    /** A 2-member group at path, perMember packets in each, ended. */
    static Path fill(Path path, int size, int perMember) throws Exception {
        Path writer = TestData.REPO.resolve("kmod/build/release/bench/group_writers");
        if (!Files.isExecutable(writer)) {
            throw new IllegalStateException(writer + " is missing: make -C kmod");
        }
        long need = (long) perMember * ((40 + size + 7) & ~7);
        ProcessBuilder pb = new ProcessBuilder(writer.toString(), "fill", path.toString(), "2", Integer.toString(size),
                Integer.toString(perMember)).redirectErrorStream(true);
        pb.environment().put("RING_SIZE", Long.toString(Long.highestOneBit(need) << 1));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("group_writers fill: " + out);
        }
        return path;
    }

    /** Publishes every packet of ring.paths with the given tasks; the time from the first to the last. */
    static Run publish(ConnectStack stack, String ringPaths, int tasks, String name) throws Exception {
        long total = 0;
        for (String ring : tasks == 1 ? new String[] {ringPaths} : new String[] {ringPaths + "/0", ringPaths + "/1"}) {
            total += new ObjectMapper().readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r", ring,
                    "--json", "-W", "0")).get("seq_next").asLong();
        }
        String topic = "bench-" + name.replaceAll("[^a-z0-9]+", "-");
        stack.connect.kafka().createTopic(topic, 4);
        stack.connect.configureConnector(topic, ConnectStack.connectorConfig(ringPaths, topic, "tasks.max",
                Integer.toString(tasks), "record.timestamp", "publish", "batch.max.packets", "8192"));
        long start = -1;
        long first = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            long p = 0;
            for (int t = 0; t < tasks; t++) {
                p += Math.max(0, ConnectStack.taskMetric(topic, t, "PacketsPublished"));
            }
            long now = System.nanoTime();
            if (start < 0 && p > 0) {
                start = now;
                first = p; // published before the first look: not timed
            }
            if (p >= total) {
                stack.deleteConnectors(topic);
                return new Run(name, tasks, total - first, (now - start) / 1e9);
            }
            if (now > deadline) {
                throw new IllegalStateException(topic + " published only " + p + " of " + total + " in 5 minutes");
            }
            Thread.sleep(10);
        }
    }
}
