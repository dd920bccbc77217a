package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The plugin directory `mvn package` builds is what a worker's plugin.path needs: Kafka's own
 * plugin loader finds the connector through its service-loader manifest alone, in an isolated
 * class loader, with the build's version; Kafka's jars are left out; manifest.json describes it.
 */
class PluginPackagingIT {

    static final Path TARGET = Path.of(System.getProperty("pktring.build.dir", "target"));
    static final Path PLUGIN = TARGET.resolve("plugin/pktring-connector");

    @Test
    void kafkaFindsTheConnectorInThePluginDirectoryByServiceLoading() {
        Plugins plugins = new Plugins(Map.of("plugin.path", PLUGIN.getParent().toString(), "plugin.discovery", "service_load"));
        PluginDesc<SourceConnector> desc = plugins.sourceConnectors().stream()
                .filter(d -> d.className().equals("io.pktring.connect.PktringSourceConnector")
                        && d.location().contains(PLUGIN.toString()))
                .findFirst().orElseThrow(() -> new AssertionError("not found in " + PLUGIN + ": " + plugins.sourceConnectors()));
        assertEquals(System.getProperty("pktring.version"), desc.version());
        assertTrue(desc.loader().getClass().getSimpleName().equals("PluginClassLoader"), "isolated: " + desc.loader());
    }

    @Test
    void libHoldsOurJarAndJnaButNoKafkaJars() throws IOException {
        List<String> jars;
        try (Stream<Path> s = Files.list(PLUGIN.resolve("lib"))) {
            jars = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("pktring-connector-")), jars.toString());
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("jna-")), jars.toString());
        assertTrue(jars.stream().noneMatch(j -> j.startsWith("kafka") || j.startsWith("connect-") || j.startsWith("slf4j")),
                "the worker provides Kafka and SLF4J: " + jars);
    }

    @Test
    void manifestAndZip() throws IOException {
        JsonNode m = new ObjectMapper().readTree(PLUGIN.resolve("manifest.json").toFile());
        assertEquals("pktring-connector", m.get("name").asText());
        assertEquals(System.getProperty("pktring.version"), m.get("version").asText());
        assertEquals("source", m.get("component_types").get(0).asText());
        // Confluent Hub's layout: OWNER-NAME-VERSION.zip, one directory of that name.
        String hub = "pktring-pktring-connector-" + System.getProperty("pktring.version");
        Path zip = TARGET.resolve(hub + ".zip");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (String entry : List.of("manifest.json", "doc/avro/Packet.avsc", "doc/README.md", "doc/LICENSE",
                    "doc/NOTICE", "doc/licenses/GPL-2.0", "etc/demo-all.json")) {
                assertNotNull(z.getEntry(hub + "/" + entry), hub + "/" + entry + " in " + zip);
            }
            assertTrue(z.stream().anyMatch(e -> e.getName().matches(hub + "/lib/pktring-connector-.*\\.jar")));
            assertTrue(z.stream().allMatch(e -> e.getName().startsWith(hub + "/")), "one top directory");
        }
    }
}
