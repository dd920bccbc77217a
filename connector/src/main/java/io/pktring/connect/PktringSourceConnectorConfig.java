package io.pktring.connect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The connector's settings. Keys carry no prefix (they live in one connector's config).
 * Checks that need the ring itself (does it exist, is it a ring, does the filter compile for its
 * link type) are in {@link RingConfigValidator}; the ranges and choices are here.
 */
public final class PktringSourceConnectorConfig extends AbstractConfig {

    public static final String RING_PATHS = "ring.paths";
    public static final String TOPIC = "topic";
    public static final String START_POSITION = "start.position";
    public static final String BATCH_MAX_PACKETS = "batch.max.packets";
    public static final String BATCH_MAX_BYTES = "batch.max.bytes";
    public static final String POLL_TIMEOUT_MS = "poll.timeout.ms";
    public static final String POLL_LINGER_MS = "poll.linger.ms";
    public static final String SNAPLEN = "snaplen";
    public static final String FILTER = "filter";
    public static final String RECORD_MODE = "record.mode";
    public static final String BLOCK_MAX_PACKETS = "block.max.packets";
    public static final String BLOCK_MAX_BYTES = "block.max.bytes";
    public static final String RING_MISSING_TIMEOUT_MS = "ring.missing.timeout.ms";
    public static final String RECORD_TIMESTAMP = "record.timestamp";
    public static final String SENSOR = "sensor";
    public static final String RECORD_HEADERS = "record.headers";
    /** The headers record.headers may name (pktring.NAME). */
    public static final List<String> HEADER_NAMES = List.of("epoch", "seq", "lost", "sensor");
    public static final String RING_WRITER_TIMEOUT_MS = "ring.writer.timeout.ms";

    /** Set by the connector on each task's config: which ring of ring.paths is this task's. */
    public static final String TASK_RING_PATH = "task.ring.path";
    public static final String TASK_INDEX = "task.index";

    public static final String IFNAME_PLACEHOLDER = "${ifname}";
    public static final String SENSOR_PLACEHOLDER = "${sensor}";

    private static final String GROUP_RING = "Ring";
    private static final String GROUP_RECORDS = "Records";
    private static final String GROUP_BATCHING = "Batching";

    /** The largest poll timeout: the worker must get control back often (stop, offset commit). */
    public static final int MAX_POLL_TIMEOUT_MS = 500;

    /** A writer beats every PKTRING_HEARTBEAT_MS: a shorter timeout would call a live writer gone. */
    public static final long MIN_WRITER_TIMEOUT_MS = 2L * io.pktring.connect.ring.RingLayout.HEARTBEAT_MS;

    public enum StartPosition { EARLIEST, LATEST }

    public enum RecordMode { PACKET, BLOCK }

    public enum RecordTimestamp { CAPTURE, PUBLISH }

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(RING_PATHS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString() {
                        @Override
                        public void ensureValid(String name, Object value) {
                            if (value == null || ((List<?>) value).isEmpty()) {
                                throw new ConfigException(name, value,
                                        "list at least one ring, e.g. /dev/pktring/eth0 or /dev/shm/pktring/eth0");
                            }
                        }

                        @Override
                        public String toString() {
                            return "non-empty list of paths";
                        }
                    },
                    Importance.HIGH,
                    "Rings to read, comma separated: a kernel device (/dev/pktring/<iface>), a "
                            + "shared-memory ring file written by pktring-capd or pktring-replay, or a ring "
                            + "group's directory, which stands for its members. Each ring (each member) is read "
                            + "by one task, so tasks.max must be at least the number of rings.",
                    GROUP_RING, 1, Width.LONG, "Ring paths")
            .define(START_POSITION, Type.STRING, "earliest",
                    ValidString.in("earliest", "latest"), Importance.MEDIUM,
                    "Where to start when there is no usable committed offset (first start, offsets "
                            + "reset, or the ring was re-created since): 'earliest' = the oldest packet "
                            + "still in the ring, 'latest' = only packets that arrive from now on. "
                            + "No loss is counted on a first start or after an offset reset; after a re-created ring the skipped packets of the new epoch are logged and counted as loss.",
                    GROUP_RING, 2, Width.SHORT, "Start position")
            .define(FILTER, Type.STRING, "", Importance.MEDIUM,
                    "Only publish packets matching this tcpdump (pcap-filter) expression, compiled by "
                            + "libpcap for the ring's link type. Empty publishes everything. Needs "
                            + "libpcap on the worker.",
                    GROUP_RING, 3, Width.LONG, "Filter")
            .define(SNAPLEN, Type.INT, 262144, Range.between(1, 262144), Importance.LOW,
                    "Publish at most this many bytes of each packet (origlen keeps the wire length).",
                    GROUP_RING, 4, Width.SHORT, "Snap length")
            .define(RING_MISSING_TIMEOUT_MS, Type.LONG, 60_000L, Range.between(0L, 86_400_000L),
                    Importance.LOW,
                    "After a ring has ended, how long to wait for it to be re-created at the same "
                            + "path before the task fails.",
                    GROUP_RING, 5, Width.SHORT, "Ring missing timeout")
            .define(RING_WRITER_TIMEOUT_MS, Type.LONG, 5_000L, new WriterTimeoutValidator(), Importance.LOW,
                    "How long a live ring's writer may stay silent before the task fails with 'writer gone': "
                            + "no heartbeat and no new packet for this long while the task has read everything "
                            + "(a writer killed with -9 cannot end its ring). Offsets of every packet published "
                            + "before are committed. Only rings whose writer beats (PKTRING_F_HEARTBEAT: the "
                            + "kernel module, pktring-capd and pktring-replay) are watched. 0 waits forever; "
                            + "else at least " + MIN_WRITER_TIMEOUT_MS + " (twice the heartbeat interval).",
                    GROUP_RING, 6, Width.SHORT, "Writer timeout")
            .define(TOPIC, Type.STRING, "pktring.${ifname}", new TopicValidator(), Importance.HIGH,
                    "Topic to publish to. '${ifname}' is replaced by the ring's interface name and "
                            + "'${sensor}' by the sensor setting (characters not allowed in topic names "
                            + "become '_').",
                    GROUP_RECORDS, 1, Width.MEDIUM, "Topic")
            .define(SENSOR, Type.STRING, Sensor.defaultName(), new SensorValidator(), Importance.HIGH,
                    "The capture host's name, written in every record (the sensor field and the "
                            + "pktring.sensor header) so that records of several hosts in one topic stay "
                            + "apart. Default: the name of the host the worker runs on.",
                    GROUP_RECORDS, 2, Width.MEDIUM, "Sensor")
            .define(RECORD_HEADERS, Type.LIST, String.join(",", HEADER_NAMES), new HeaderNamesValidator(),
                    Importance.LOW,
                    "Headers each record carries, of epoch, seq, lost and sensor (pktring.NAME). Each "
                            + "repeats a value field, for consumers that route without decoding, and costs "
                            + "about 200 bytes of allocation per record in the worker: a per-packet "
                            + "connector at high rates may keep only those it needs (an empty list: none).",
                    GROUP_RECORDS, 3, Width.MEDIUM, "Record headers")
            .define(RECORD_MODE, Type.STRING, "packet", ValidString.in("packet", "block"),
                    Importance.MEDIUM,
                    "'packet' = one io.pktring.Packet record per packet (key = symmetric flow key); "
                            + "'block' = one io.pktring.PacketColumns record carrying up to "
                            + "block.max.packets packets as columns, for line-rate links.",
                    GROUP_RECORDS, 2, Width.SHORT, "Record mode")
            .define(RECORD_TIMESTAMP, Type.STRING, "capture", ValidString.in("capture", "publish"),
                    Importance.MEDIUM,
                    "Kafka timestamp of each record: 'capture' = the packet's capture time (falls back "
                            + "to the send time when a broker would reject it, more than 50 minutes ahead); "
                            + "'publish' = the time the worker sends it. Use 'publish' (or a topic with "
                            + "message.timestamp.type=LogAppendTime) when replaying old captures: the topic's "
                            + "time-based retention deletes records with old timestamps at once. The capture "
                            + "time is always in the value's timestamp and ts_ns fields.",
                    GROUP_RECORDS, 4, Width.SHORT, "Record timestamp")
            .define(BLOCK_MAX_PACKETS, Type.INT, 256, Range.between(1, 65536), Importance.LOW,
                    "Most packets per PacketColumns record in block mode.",
                    GROUP_RECORDS, 3, Width.SHORT, "Packets per block")
            .define(BLOCK_MAX_BYTES, Type.INT, 512 * 1024, Range.between(1024, 1 << 30), Importance.LOW,
                    "Most captured bytes (after snaplen) per PacketColumns record in block mode; a block "
                            + "holds at least one packet. Keep it well below the producer's "
                            + "max.request.size and the topic's max.message.bytes (1 MiB by default): "
                            + "each packet adds up to about 50 bytes of Avro fields.",
                    GROUP_RECORDS, 5, Width.SHORT, "Bytes per block")
            .define(BATCH_MAX_PACKETS, Type.INT, 2048, Range.between(1, 1_000_000), Importance.LOW,
                    "Most packets handed to the worker by one poll().",
                    GROUP_BATCHING, 1, Width.SHORT, "Batch packets")
            .define(BATCH_MAX_BYTES, Type.LONG, 8L << 20, Range.between(1024L, 1L << 30),
                    Importance.LOW,
                    "Most captured bytes handed to the worker by one poll() (at least one packet "
                            + "is always returned).",
                    GROUP_BATCHING, 2, Width.SHORT, "Batch bytes")
            .define(POLL_TIMEOUT_MS, Type.INT, 200, Range.between(1, MAX_POLL_TIMEOUT_MS),
                    Importance.LOW,
                    "Longest time poll() waits for the first packet before returning nothing, and the "
                            + "longest a poll() takes in all.",
                    GROUP_BATCHING, 3, Width.SHORT, "Poll timeout")
            .define(POLL_LINGER_MS, Type.INT, 50, Range.between(0, MAX_POLL_TIMEOUT_MS), Importance.LOW,
                    "After the first packet of a poll(), how long to keep reading packets as they "
                            + "arrive before returning them, unless batch.max.packets or batch.max.bytes is "
                            + "reached first; poll.timeout.ms still bounds the whole poll(). A trickle of "
                            + "packets then makes one batch (and in block mode one block) instead of a poll "
                            + "for every few packets. 0 returns as soon as the ring has nothing more.",
                    GROUP_BATCHING, 4, Width.SHORT, "Poll linger");

    public PktringSourceConnectorConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }

    public List<String> ringPaths() {
        return getList(RING_PATHS);
    }

    public String topicTemplate() {
        return getString(TOPIC);
    }

    public StartPosition startPosition() {
        return StartPosition.valueOf(getString(START_POSITION).toUpperCase(Locale.ROOT));
    }

    public RecordMode recordMode() {
        return RecordMode.valueOf(getString(RECORD_MODE).toUpperCase(Locale.ROOT));
    }

    public RecordTimestamp recordTimestamp() {
        return RecordTimestamp.valueOf(getString(RECORD_TIMESTAMP).toUpperCase(Locale.ROOT));
    }

    public int batchMaxPackets() {
        return getInt(BATCH_MAX_PACKETS);
    }

    public long batchMaxBytes() {
        return getLong(BATCH_MAX_BYTES);
    }

    public int pollTimeoutMs() {
        return getInt(POLL_TIMEOUT_MS);
    }

    public int pollLingerMs() {
        return getInt(POLL_LINGER_MS);
    }

    public int snaplen() {
        return getInt(SNAPLEN);
    }

    public String filter() {
        return getString(FILTER).trim();
    }

    public int blockMaxPackets() {
        return getInt(BLOCK_MAX_PACKETS);
    }

    public int blockMaxBytes() {
        return getInt(BLOCK_MAX_BYTES);
    }

    public String sensor() {
        return getString(SENSOR);
    }

    public Set<String> recordHeaders() {
        return Set.copyOf(getList(RECORD_HEADERS));
    }

    public long ringMissingTimeoutMs() {
        return getLong(RING_MISSING_TIMEOUT_MS);
    }

    /** 0: never give up on a silent writer. */
    public long ringWriterTimeoutMs() {
        return getLong(RING_WRITER_TIMEOUT_MS);
    }

    /** The topic for a ring of this interface on this sensor: the template filled in. */
    public static String topicFor(String template, String ifname, String sensor) {
        String name = ifname == null || ifname.isEmpty() ? "ring" : ifname;
        return template.replace(IFNAME_PLACEHOLDER, legal(name)).replace(SENSOR_PLACEHOLDER, legal(sensor));
    }

    private static String legal(String s) {
        return s.replaceAll("[^a-zA-Z0-9._-]", "_");
    }

    private static final class WriterTimeoutValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            long ms = value == null ? -1 : (Long) value;
            if (ms != 0 && (ms < MIN_WRITER_TIMEOUT_MS || ms > 86_400_000L)) {
                throw new ConfigException(name, value, "0 (wait forever) or " + MIN_WRITER_TIMEOUT_MS
                        + " to 86400000 ms");
            }
        }

        @Override
        public String toString() {
            return "0, or [" + MIN_WRITER_TIMEOUT_MS + ",...,86400000]";
        }
    }

    /** A topic name is legal once ${ifname} is filled in (which only yields legal characters). */
    private static final class TopicValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String topic = value == null ? "" : topicFor((String) value, "x", "x");
            if (topic.isEmpty() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")
                    || topic.equals(".") || topic.equals("..")) {
                throw new ConfigException(name, value, "not a valid topic name (letters, digits, "
                        + "'.', '_', '-', at most 249 characters; '${ifname}' and '${sensor}' may be used)");
            }
        }

        @Override
        public String toString() {
            return "topic name, may contain ${ifname} and ${sensor}";
        }
    }

    /** A sensor name: what a host name may hold, 1 to 253 characters, nothing to hide in a log. */
    private static final class SensorValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s == null || !s.matches("[A-Za-z0-9._:-]{1,253}")) {
                throw new ConfigException(name, value, "a sensor name is 1 to 253 letters, digits, '.', '_', ':' or '-'");
            }
        }

        @Override
        public String toString() {
            return "1 to 253 of [A-Za-z0-9._:-]";
        }
    }

    private static final class HeaderNamesValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            for (Object h : (List<?>) value) {
                if (!HEADER_NAMES.contains(h)) {
                    throw new ConfigException(name, value, "'" + h + "' is not a header; known: " + HEADER_NAMES);
                }
            }
        }

        @Override
        public String toString() {
            return "any of " + HEADER_NAMES;
        }
    }
}
