package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;

/**
 * The .avsc files shipped for downstream users are exactly what the Avro converter derives from
 * the connector's Connect schemas. Regenerate them with
 * {@code mvn test -Dtest=AvroSchemaFilesTest -Dpktring.writeAvsc=true}.
 */
class AvroSchemaFilesTest {

    static final Path DIR = Path.of("src/main/avro");

    /** The Avro schema the worker's converter (Apicurio AvroConverter, default settings) derives. */
    static Schema derived(org.apache.kafka.connect.data.Schema connectSchema) {
        return new AvroData(new AvroDataConfig(Map.of())).fromConnectSchema(connectSchema);
    }

    @Test
    void packetSchemaFileIsWhatTheConverterDerives() throws IOException {
        check("Packet.avsc", PacketSchemas.PACKET);
    }

    @Test
    void packetColumnsSchemaFileIsWhatTheConverterDerives() throws IOException {
        check("PacketColumns.avsc", PacketSchemas.PACKET_COLUMNS);
    }

    private static void check(String file, org.apache.kafka.connect.data.Schema schema) throws IOException {
        Schema expected = derived(schema);
        Path path = DIR.resolve(file);
        if (Boolean.getBoolean("pktring.writeAvsc")) {
            Files.writeString(path, expected.toString(true) + "\n");
        }
        Schema shipped = new Schema.Parser().parse(path.toFile());
        assertEquals(expected, shipped, file + " differs from what the converter derives; regenerate it");
        assertEquals(expected.toString(), shipped.toString(), file + " differs in properties or docs");
    }
}
