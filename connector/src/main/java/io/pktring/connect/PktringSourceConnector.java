package io.pktring.connect;

import static io.pktring.connect.PktringSourceConnectorConfig.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingGroup;

import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingMapping;

/**
 * Publishes the packets of pktring rings to Kafka, one ring per task. See
 * {@link PktringSourceConnectorConfig} for the settings and {@link PktringSourceTask} for how a
 * ring is read. A ring group in ring.paths stands for its members, one task each
 * ({@link RingPaths}); while the connector runs it looks at its groups every
 * {@link #GROUP_CHECK_MS} ms and asks the worker for new tasks when a group was re-created with
 * another number of members.
 */
public class PktringSourceConnector extends SourceConnector {

    private static final Logger log = LoggerFactory.getLogger(PktringSourceConnector.class);
    static final long GROUP_CHECK_MS = 10_000;

    private Map<String, String> props;
    private PktringSourceConnectorConfig config;
    private ScheduledExecutorService groupCheck;
    /** The rings the last taskConfigs gave out. */
    private volatile List<String> assigned = List.of();

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
        this.config = new PktringSourceConnectorConfig(props);
        if (config.ringPaths().stream().anyMatch(p -> RingGroup.isGroup(Path.of(p.trim())))) {
            groupCheck = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pktring-group-check");
                t.setDaemon(true);
                return t;
            });
            groupCheck.scheduleWithFixedDelay(this::checkGroups, GROUP_CHECK_MS, GROUP_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** A group re-created with another number of members needs other tasks. */
    private void checkGroups() {
        try {
            List<String> now = RingPaths.expand(config.ringPaths()).rings();
            if (!now.equals(assigned)) {
                log.warn("the rings of '{}' changed from {} to {} (a ring group was re-created): reconfiguring tasks",
                        RING_PATHS, assigned, now);
                context.requestTaskReconfiguration();
            }
        } catch (RingException | RuntimeException e) {
            log.debug("ring groups not readable now (being re-created?): {}", e.getMessage());
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PktringSourceTask.class;
    }

    /**
     * One task per ring, a group's members each a ring; a ring is never shared by two tasks (each
     * has its own read position).
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        RingPaths paths;
        try {
            paths = RingPaths.expand(config.ringPaths());
        } catch (RingException e) {
            throw new ConnectException("cannot list the rings of '" + RING_PATHS + "': " + e.getMessage(), e);
        }
        String misfit = paths.misfit(maxTasks);
        if (misfit != null) {
            throw new ConnectException(misfit);
        }
        List<String> rings = paths.rings();
        List<Map<String, String>> tasks = new ArrayList<>();
        for (int i = 0; i < rings.size(); i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(TASK_RING_PATH, rings.get(i));
            task.put(TASK_INDEX, Integer.toString(i));
            tasks.add(task);
        }
        assigned = rings;
        return tasks;
    }

    @Override
    public void stop() {
        if (groupCheck != null) {
            groupCheck.shutdownNow();
            groupCheck = null;
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    /** Adds the checks that need the rings (exists, is a ring of this ABI, filter compiles). */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return RingConfigValidator.validate(connectorConfigs, super.validate(connectorConfigs));
    }

    /** Offsets are positions in the ring's own sequence: replaying from them is deterministic. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /**
     * KIP-875: lets {@code PATCH/DELETE /connectors/{name}/offsets} through when every partition
     * and offset has this connector's shape and every offset names the epoch of the ring now at
     * its path: an offset of any other epoch would make the task start over at start.position,
     * so it is refused (400) with the reason, e.g. an epoch a JSON tool rounded. A null offset
     * (reset) is always allowed.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        try {
            for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
                RingOffset.validatePartition(e.getKey());
                RingOffset offset = RingOffset.fromMap(e.getValue());
                if (offset != null) {
                    checkEpoch((String) e.getKey().get(RingOffset.PARTITION_RING), offset);
                }
            }
        } catch (ConnectException e) {
            throw badRequest(e);
        }
        return true;
    }

    /** The offset's epoch must be the one of the ring at the path: the only epoch a task resumes in. */
    private static void checkEpoch(String ringPath, RingOffset offset) {
        long epoch;
        try (RingMapping ring = RingMapping.open(Path.of(ringPath))) {
            epoch = ring.identity().epoch();
        } catch (RingException e) {
            throw new ConnectException("cannot check the offset " + offset + " against the ring at " + ringPath + ": "
                    + e.getMessage() + ". An offset can only be set for a ring that is there to resume in.", e);
        }
        if (epoch != offset.epoch()) {
            double rounded = (double) epoch;
            boolean roundedByTool = (long) rounded != epoch && (double) offset.epoch() == rounded;
            throw new ConnectException("offset epoch " + offset.epoch() + " is not the epoch of the ring at " + ringPath
                    + " (" + epoch + "): the task would not resume there but start over at "
                    + START_POSITION + ". "
                    + (roundedByTool ? "The epoch was rounded to a 64-bit float by a JSON tool (jq 1.6, JavaScript): "
                            + "this ring's writer predates epochs below 2^53; re-create the ring, or edit the body with a tool that keeps 64-bit integers. "
                            : "")
                    + "Use the epoch GET /connectors/NAME/offsets shows, or DELETE the offsets to start over.");
        }
    }

    /**
     * A malformed offset is the caller's mistake: answered 400, not 500. The worker maps its own
     * BadRequestException (connect-runtime, which every worker has; the plugin API has no such
     * class) to 400, so use it when it is there; otherwise the plain ConnectException.
     */
    private static ConnectException badRequest(ConnectException e) {
        try {
            Class<?> c = Class.forName("org.apache.kafka.connect.runtime.rest.errors.BadRequestException");
            return (ConnectException) c.getConstructor(String.class).newInstance(e.getMessage());
        } catch (ReflectiveOperationException | ClassCastException | LinkageError notInAWorker) {
            return e;
        }
    }
}
