package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;

import org.junit.jupiter.api.Test;

/** The task metrics MBean under its documented name, and a restarted task keeping its MBean. */
class TaskMetricsTest {

    @Test
    void registeredUnderItsNameReadableThroughJmxAndGoneAfterClose() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        try (TaskMetrics m = new TaskMetrics("my connector", 3)) {
            m.packetsLost.addAndGet(42);
            var name = TaskMetrics.objectName("my connector", 3);
            assertEquals("io.pktring:type=connector-task-metrics,connector=\"my connector\",task=3", name.toString());
            assertEquals(42L, jmx.getAttribute(name, "PacketsLost"));
        }
        assertFalse(jmx.isRegistered(TaskMetrics.objectName("my connector", 3)));
    }

    @Test
    void aLateCloseOfTheOldInstanceKeepsTheNewOne() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        TaskMetrics old = new TaskMetrics("c", 0);
        try (TaskMetrics fresh = new TaskMetrics("c", 0)) {
            fresh.packetsRead.addAndGet(7);
            old.close();
            assertEquals(7L, jmx.getAttribute(TaskMetrics.objectName("c", 0), "PacketsRead"));
        }
    }
}
