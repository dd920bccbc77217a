package io.pktring.connect.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.source.SourceRecord;

import io.apicurio.registry.utils.converter.AvroConverter;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.FixedOffsetTaskContext;

/**
 * Time per record of the worker's value converter (Apicurio's AvroConverter, configured like
 * ConnectStack's worker) on the connector's real records: a ring of UDP frames read through
 * {@link PktringSourceTask#poll}, then {@code fromConnectData} on each record, several passes.
 * Asserts nothing: a measuring aid for the benchmark's "Avro" column.
 *
 * <pre>
 *   scripts/stack.sh start registry
 *   connector/bench/run.sh ConverterCost [packets] [size] [passes]
 * </pre>
 *
 * Extra converter settings: -Dconverter.KEY=VALUE (e.g. -Dconverter.apicurio.registry.check-period-ms=0).
 */
public final class ConverterCost {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp"),
                "pktring-convcost");
        try {
            Path ring = dir.resolve("ring");
            BenchPackets.fillRing(ring, size, n);
            List<SourceRecord> records = StageCost.poll(ring, n, "packet", ConnectorBenchmark.modeSettings("packet"));

            Map<String, Object> cfg = new HashMap<>(ConnectStack.valueConverterConfig());
            System.getProperties().forEach((k, v) -> {
                if (k.toString().startsWith("converter.")) {
                    cfg.put(k.toString().substring("converter.".length()), v.toString());
                }
            });
            ConnectStack.registerValueSchema("converter-cost", PacketSchemas.PACKET);
            System.out.println("converter settings: " + cfg);
            AvroConverter<Object> avro = new AvroConverter<>();
            avro.configure(cfg, false);
            long bytes = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                for (SourceRecord r : records) {
                    bytes += avro.fromConnectData("converter-cost", new RecordHeaders(), r.valueSchema(), r.value()).length;
                }
                double ns = (System.nanoTime() - t0) / (double) records.size();
                System.out.printf("pass %d: %d records of %d-byte packets, %.0f ns per record%n", p, records.size(), size, ns);
            }
            System.out.println("(" + bytes + " bytes written)");
            avro.close();
        } finally {
            ConnectorBenchmark.delete(dir);
        }
    }
}
