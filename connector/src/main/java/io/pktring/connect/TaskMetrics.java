package io.pktring.connect;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.ring.RingCounter;

/** The counters of one task, registered as an MBean for the life of the task. */
final class TaskMetrics implements TaskMetricsMBean, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskMetrics.class);

    final AtomicLong packetsRead = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong packetsPublished = new AtomicLong();
    final AtomicLong bytesPublished = new AtomicLong();
    final AtomicLong packetsFiltered = new AtomicLong();
    final AtomicLong packetsLost = new AtomicLong();
    final AtomicLong packetsDropped = new AtomicLong();
    final AtomicLong ringReopens = new AtomicLong();
    volatile long ringEpoch;
    volatile String ringPath = "";
    volatile LongSupplier lag = () -> 0;
    volatile ToLongFunction<RingCounter> ringCounter = c -> 0;

    /** Which instance owns each registered name: a task restarted in place must not lose its MBean
     *  to the old instance's late close(). */
    private static final Map<ObjectName, TaskMetrics> OWNERS = new ConcurrentHashMap<>();

    private final ObjectName name;

    TaskMetrics(String connector, int task) {
        try {
            name = objectName(connector, task);
            synchronized (OWNERS) {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name); // an older instance of this task, still stopping
                }
                server.registerMBean(this, name);
                OWNERS.put(name, this);
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot register task metrics MBean: " + e, e);
        }
    }

    static ObjectName objectName(String connector, int task) throws JMException {
        return new ObjectName("io.pktring:type=connector-task-metrics,connector="
                + ObjectName.quote(connector) + ",task=" + task);
    }

    @Override
    public void close() {
        synchronized (OWNERS) {
            if (!OWNERS.remove(name, this)) {
                return; // a newer instance of this task has registered the name since
            }
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                log.debug("metrics MBean {} already gone", name);
            }
        }
    }

    @Override
    public long getPacketsRead() {
        return packetsRead.get();
    }

    @Override
    public long getBytesRead() {
        return bytesRead.get();
    }

    @Override
    public long getPacketsPublished() {
        return packetsPublished.get();
    }

    @Override
    public long getBytesPublished() {
        return bytesPublished.get();
    }

    @Override
    public long getPacketsFiltered() {
        return packetsFiltered.get();
    }

    @Override
    public long getPacketsLost() {
        return packetsLost.get();
    }

    @Override
    public long getPacketsDropped() {
        return packetsDropped.get();
    }

    @Override
    public long getRingDropSource() {
        return ringCounter.applyAsLong(RingCounter.DROP_SOURCE);
    }

    @Override
    public long getRingDropTooBig() {
        return ringCounter.applyAsLong(RingCounter.DROP_TOO_BIG);
    }

    @Override
    public long getRingDropNomem() {
        return ringCounter.applyAsLong(RingCounter.DROP_NOMEM);
    }

    @Override
    public long getRingDropInvalid() {
        return ringCounter.applyAsLong(RingCounter.DROP_INVALID);
    }

    @Override
    public long getRingLag() {
        return lag.getAsLong();
    }

    @Override
    public long getRingEpoch() {
        return ringEpoch;
    }

    @Override
    public long getRingReopens() {
        return ringReopens.get();
    }

    @Override
    public String getRingPath() {
        return ringPath;
    }
}
