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
        int snaplen) {

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
                  --linktype N             link type of an empty output (default 1, EN10MB)
                  --snaplen N              snap length in the pcap header (default 262144)
            Reads Avro records (io.pktring.Packet, io.pktring.PacketColumns, or the
            io.pktring.PacketBlock of earlier connectors) in Confluent wire format and writes a
            pcap with nanosecond timestamps and original lengths:
              topic2pcap -t pktring-demo -w - | tcpdump -n -r -
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
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-t", "--topic" -> topic = value(args, ++i, a);
                case "-b", "--bootstrap-servers" -> bootstrap = value(args, ++i, a);
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
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("--topic is required");
        }
        if (!fromBeginning && !follow) {
            throw new IllegalArgumentException("--latest needs --follow (otherwise there is nothing to read)");
        }
        if (idleTimeoutMs < 0) {
            // A bounded read must end even if the topic stalls; a follower runs until stopped.
            idleTimeoutMs = follow ? Long.MAX_VALUE : 10_000;
        }
        return new Options(bootstrap, registry, topic, fromBeginning, follow, maxPackets, idleTimeoutMs,
                connectTimeoutMs, output, linktype, snaplen);
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
