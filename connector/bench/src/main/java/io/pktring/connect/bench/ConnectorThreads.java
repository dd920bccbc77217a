package io.pktring.connect.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The two worker threads that carry one connector's task in this JVM: the task thread (ring
 * read, records, converter, producer.send) and its producer's network thread (batches to the
 * broker). Their CPU time and allocated bytes, read from the JVM's ThreadMXBean, are what the
 * connector costs the worker; the broker's and the worker's other threads are left out.
 */
final class ConnectorThreads {

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        MX.setThreadCpuTimeEnabled(true);
        MX.setThreadAllocatedMemoryEnabled(true);
    }

    /** CPU time and allocation of the threads at one instant, and when. */
    record Sample(long nanoTime, long cpuNs, long allocatedBytes) {
        Sample minus(Sample earlier) {
            return new Sample(nanoTime - earlier.nanoTime, cpuNs - earlier.cpuNs, allocatedBytes - earlier.allocatedBytes);
        }
    }

    private final String connector;
    private final long[] ids;

    private ConnectorThreads(String connector, long[] ids) {
        this.connector = connector;
        this.ids = ids;
    }

    /**
     * Finds the task thread ("task-thread-NAME-0", named by Connect's WorkerTask) and the
     * producer's network thread ("kafka-producer-network-thread | connector-producer-NAME-0") of
     * a running connector with one task; fails naming what it found when either is missing.
     */
    static ConnectorThreads of(String connector) {
        String task = "task-thread-" + connector + "-0";
        String network = "kafka-producer-network-thread | connector-producer-" + connector + "-0";
        long taskId = -1;
        long networkId = -1;
        List<String> near = new ArrayList<>();
        for (ThreadInfo t : MX.getThreadInfo(MX.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            if (t.getThreadName().equals(task)) {
                taskId = t.getThreadId();
            } else if (t.getThreadName().equals(network)) {
                networkId = t.getThreadId();
            } else if (t.getThreadName().contains(connector)) {
                near.add(t.getThreadName());
            }
        }
        if (taskId < 0 || networkId < 0) {
            throw new IllegalStateException("connector " + connector + ": threads '" + task + "' and '" + network
                    + "' not both found; threads naming it: " + near);
        }
        return new ConnectorThreads(connector, new long[] {taskId, networkId});
    }

    /** Both threads' CPU time and allocated bytes now; fails if either thread has ended. */
    Sample sample() {
        long now = System.nanoTime();
        long[] alloc = MX.getThreadAllocatedBytes(ids);
        long cpu = 0;
        for (long id : ids) {
            long c = MX.getThreadCpuTime(id);
            if (c < 0) {
                throw new IllegalStateException("a thread of connector " + connector + " ended while measured");
            }
            cpu += c;
        }
        if (Arrays.stream(alloc).anyMatch(a -> a < 0)) {
            throw new IllegalStateException("a thread of connector " + connector + " ended while measured");
        }
        return new Sample(now, cpu, alloc[0] + alloc[1]);
    }

    /** Bytes allocated by the calling thread so far (for the per-stage breakdown). */
    static long allocatedByThisThread() {
        return MX.getCurrentThreadAllocatedBytes();
    }
}
