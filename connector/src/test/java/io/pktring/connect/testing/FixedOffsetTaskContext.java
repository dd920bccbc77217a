package io.pktring.connect.testing;

import java.util.Collection;
import java.util.Map;

import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * A task context outside a worker: the task's config and one committed offset (or none) for
 * whatever partition it asks about. The task's metrics are its own MBean, so no PluginMetrics.
 */
public final class FixedOffsetTaskContext implements SourceTaskContext {

    private final Map<String, String> configs;
    private final Map<String, Object> committed;

    public FixedOffsetTaskContext(Map<String, String> configs, Map<String, ?> committed) {
        this.configs = configs;
        @SuppressWarnings("unchecked")
        Map<String, Object> offset = (Map<String, Object>) committed;
        this.committed = offset;
    }

    @Override
    public Map<String, String> configs() {
        return configs;
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return null;
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return committed;
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                throw new UnsupportedOperationException("the task asks for its one partition only");
            }
        };
    }
}
