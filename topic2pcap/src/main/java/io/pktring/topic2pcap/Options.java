package io.pktring.topic2pcap;

import java.util.List;

/** Command-line options of topic2pcap. */
public record Options(
        String bootstrapServers,
        String registryUrl,
        String topic,
        boolean fromBeginning,
        boolean follow,
        long maxPackets,
        long idleTimeoutMs,
        long connectTimeoutMs,
        String output,
        int defaultLinktype,
        int snaplen,
        long startNs,
        long endNs,
        long maxLatenessMs,
        String filter,
        String sensor,
        ClientConfig clients) {

    /** No --end: the largest unsigned ts_ns. Times are compared unsigned, as the ring's u64. */
    public static final long NO_END = -1L;

    public static final String USAGE = """
            usage: topic2pcap -t TOPIC [options]
              -t, --topic TOPIC            capture topic to read (required)
              -b, --bootstrap-servers HP   Kafka brokers (default 127.0.0.1:9092)
              -r, --registry URL           Confluent Schema Registry REST API
                                           (default http://127.0.0.1:8081/apis/ccompat/v7)
                  --from-beginning         start at the earliest offset (default)
                  --latest                 start at the end of the topic (with --follow)
              -f, --follow                 keep reading new records until interrupted
              -c, --max-packets N          stop after N packets
                  --idle-timeout-ms MS     stop when nothing arrives for MS ms once Kafka has
                                           answered the first fetch (default 10000 without
                                           --follow, none with it); without --follow it
                                           stops at the end offsets seen at start
                  --connect-timeout-ms MS  fail when Kafka has not answered (metadata, offsets,
                                           the first fetch) within MS ms (default 30000)
              -w, --output FILE|-          pcap to write; - is standard output (default -)
                  --start TIME             only packets captured at or after TIME; each
                                           partition is read from the first record of that
                                           time (Kafka's offsetsForTimes), not from its start
                  --end TIME               only packets captured at or before TIME; each
                                           partition is read until its records pass TIME plus
                                           --max-lateness-ms. TIME: RFC 3339
                                           (2026-12-01T10:02:00Z) or seconds since 1970
                  --max-lateness-ms MS     how much later than --end a record may follow one
                                           of the range in its partition (another sensor's,
                                           a lagging connector's) and still be read
                                           (default 1000)
                  --filter EXPR            only packets a tcpdump filter expression selects
                                           (libpcap's syntax, compiled for each link type)
                  --sensor NAME            only records of this capture host (the connector's
                                           sensor setting; records of connectors before it
                                           have none and are left out)
              -X, --consumer-property K=V  a Kafka consumer setting (SASL, TLS, ...); keys
                                           under schema.registry. set the registry's client:
                                           schema.registry.basic.auth.user.info=USER:PASSWORD,
                                           schema.registry.ssl.truststore.location=FILE (and
                                           .password, .type)
                  --consumer-config FILE   the same settings from a properties file
                  --linktype N             link type of an empty output (default 1, EN10MB)
                  --snaplen N              snap length in the pcap header (default 262144)
            Reads Avro records (io.pktring.Packet, io.pktring.PacketColumns, or the
            io.pktring.PacketBlock of earlier connectors) in Confluent wire format and writes a
            pcap with nanosecond timestamps and original lengths. Without --follow the
            partitions are merged by capture time; with it, packets are written as they come.
              topic2pcap -t pktring-demo -w - | tcpdump -n -r -
              topic2pcap -t pktring.eth0 --start 2026-12-01T10:02:00Z --end 2026-12-01T10:05:00Z \\
                  --filter 'tcp port 443' -w incident.pcap
            Exit status: 0 done; 1 error (Kafka, registry, file); 2 bad usage; 3 done, but
            some records or packets were skipped (each named on stderr, the count in the summary).
            """;

    public static Options parse(List<String> args) {
        String bootstrap = "127.0.0.1:9092";
        String registry = "http://127.0.0.1:8081/apis/ccompat/v7";
        String topic = null;
        boolean fromBeginning = true;
        boolean follow = false;
        long maxPackets = Long.MAX_VALUE;
        long idleTimeoutMs = -1;
        long connectTimeoutMs = 30_000;
        String output = "-";
        int linktype = 1;
        int snaplen = 262_144;
        long startNs = 0;
        long endNs = NO_END;
        long maxLatenessMs = 1000;
        String filter = null;
        String sensor = null;
        ClientConfig clients = ClientConfig.empty();
        String explicitBootstrap = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-t", "--topic" -> topic = value(args, ++i, a);
                case "-b", "--bootstrap-servers" -> explicitBootstrap = value(args, ++i, a);
                case "-r", "--registry" -> registry = value(args, ++i, a);
                case "--from-beginning" -> fromBeginning = true;
                case "--latest" -> fromBeginning = false;
                case "-f", "--follow" -> follow = true;
                case "-c", "--max-packets" -> maxPackets = positive(args, ++i, a);
                case "--idle-timeout-ms" -> idleTimeoutMs = positive(args, ++i, a);
                case "--connect-timeout-ms" -> connectTimeoutMs = positive(args, ++i, a);
                case "-w", "--output" -> output = value(args, ++i, a);
                case "--linktype" -> linktype = (int) nonNegative(args, ++i, a);
                case "--snaplen" -> snaplen = (int) positive(args, ++i, a);
                case "--start" -> startNs = CaptureTime.parse(a, value(args, ++i, a));
                case "--end" -> endNs = CaptureTime.parse(a, value(args, ++i, a));
                case "--max-lateness-ms" -> maxLatenessMs = nonNegative(args, ++i, a);
                case "--filter" -> filter = value(args, ++i, a);
                case "--sensor" -> sensor = value(args, ++i, a);
                case "-X", "--consumer-property" -> clients = clients.withSetting(value(args, ++i, a));
                case "--consumer-config" -> clients = clients.withFile(java.nio.file.Path.of(value(args, ++i, a)));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("--topic is required");
        }
        if (!fromBeginning && !follow) {
            throw new IllegalArgumentException("--latest needs --follow (otherwise there is nothing to read)");
        }
        if (startNs != 0 && !fromBeginning) {
            throw new IllegalArgumentException("--start and --latest contradict each other");
        }
        if (endNs != NO_END && follow) {
            throw new IllegalArgumentException("--end reads a bounded range; it cannot be used with --follow");
        }
        if (endNs != NO_END && Long.compareUnsigned(endNs, startNs) < 0) {
            throw new IllegalArgumentException("--end is before --start");
        }
        if (filter != null && filter.isBlank()) {
            throw new IllegalArgumentException("--filter needs an expression");
        }
        // -b wins over a bootstrap.servers of the consumer settings, which win over the default.
        bootstrap = explicitBootstrap != null ? explicitBootstrap
                : clients.consumer().getOrDefault("bootstrap.servers", bootstrap);
        if (idleTimeoutMs < 0) {
            // A bounded read must end even if the topic stalls; a follower runs until stopped.
            idleTimeoutMs = follow ? Long.MAX_VALUE : 10_000;
        }
        return new Options(bootstrap, registry, topic, fromBeginning, follow, maxPackets, idleTimeoutMs,
                connectTimeoutMs, output, linktype, snaplen, startNs, endNs, maxLatenessMs, filter, sensor, clients);
    }

    /** True when the packet's capture time (an unsigned ts_ns) is within --start and --end. */
    public boolean inRange(long tsNanos) {
        return Long.compareUnsigned(tsNanos, startNs) >= 0 && Long.compareUnsigned(tsNanos, endNs) <= 0;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static long positive(List<String> args, int i, String option) {
        long v = nonNegative(args, i, option);
        if (v == 0) {
            throw new IllegalArgumentException(option + " must be greater than 0");
        }
        return v;
    }

    private static long nonNegative(List<String> args, int i, String option) {
        String v = value(args, i, option);
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > Integer.MAX_VALUE && !option.contains("max") && !option.contains("timeout")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a valid number");
        }
    }
}
