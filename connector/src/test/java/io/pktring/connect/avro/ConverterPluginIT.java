package io.pktring.connect.avro;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

import io.pktring.connect.testing.ConnectStack;

/**
 * The plugin directory `mvn package` builds carries the converter: Kafka's plugin loader finds it
 * by its service-loader manifest alone, in the plugin's isolated class loader, and there it has
 * every class it needs (Avro, AvroData, Jackson) to register a schema in the real registry and
 * write a record.
 */
class ConverterPluginIT {

    static final Path PLUGIN = Path.of(System.getProperty("pktring.build.dir", "target")).resolve("plugin/pktring-connector");

    @Test
    void theWorkerLoadsTheConverterFromThePluginDirectoryAndItWrites() throws Exception {
        Plugins plugins = new Plugins(Map.of("plugin.path", PLUGIN.getParent().toString(), "plugin.discovery", "service_load"));
        PluginDesc<Converter> desc = plugins.converters().stream()
                .filter(d -> d.className().equals(PktringAvroConverter.class.getName()) && d.location().contains(PLUGIN.toString()))
                .findFirst().orElseThrow(() -> new AssertionError("not found in " + PLUGIN + ": " + plugins.converters()));
        assertEquals(System.getProperty("pktring.version"), desc.version());
        assertEquals("PluginClassLoader", desc.loader().getClass().getSimpleName());

        Converter c = (Converter) desc.loader().loadClass(desc.className()).getDeclaredConstructor().newInstance();
        assertNotSame(PktringAvroConverter.class, c.getClass(), "loaded in isolation, not from the test classpath");
        c.configure(Map.of("schema.registry.url", ConnectStack.REGISTRY_URL), false);
        Schema s = SchemaBuilder.struct().name("io.pktring.test.PluginCheck").field("n", Schema.INT64_SCHEMA)
                .field("b", Schema.OPTIONAL_BYTES_SCHEMA).build();
        byte[] record = c.fromConnectData("avro-plugin-it", s, new Struct(s).put("n", -3L).put("b", new byte[] {1, 2}));
        assertEquals(0, record[0]);
        org.apache.avro.Schema registered = ConnectStack.schema(ByteBuffer.wrap(record, 1, 4).getInt());
        assertEquals("io.pktring.test.PluginCheck", registered.getFullName());
        // n = -3 (zigzag 5), b = union branch 1, 2 bytes: 1, 2
        assertArrayEquals(new byte[] {5, 2, 4, 1, 2}, java.util.Arrays.copyOfRange(record, 5, record.length));
    }
}
