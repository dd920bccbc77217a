package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The real registry, asked through its Confluent API with the subject's compatibility set to
 * BACKWARD (the default of Confluent's registry): the current Packet and PacketColumns are
 * compatible with version 1 as it shipped, and registering them succeeds; a version that adds a
 * field without a default is refused, so the check is real.
 */
class SchemaEvolutionIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theRegistryAcceptsEachNewVersionUnderBackwardCompatibility() throws Exception {
        for (String name : List.of("Packet", "PacketColumns")) {
            String subject = "pktring-evolution-" + name + "-" + System.nanoTime() + "-value";
            Schema v1 = io.pktring.connect.SchemaEvolutionTestAccess.v1(name);
            Schema current = io.pktring.connect.SchemaEvolutionTestAccess.derived(
                    name.equals("Packet") ? PacketSchemas.PACKET : PacketSchemas.PACKET_COLUMNS);
            assertEquals(200, call("POST", "/subjects/" + subject + "/versions", v1).statusCode(), "register v1");
            HttpResponse<String> set = call("PUT", "/config/" + subject, json.writeValueAsString(Map.of("compatibility", "BACKWARD")));
            assertEquals(200, set.statusCode(), set.body());

            assertEquals(true, compatible(subject, current), name + " v" + PacketSchemas.VERSION + " against v1");
            Schema breaking = new Schema.Parser().parse(current.toString().replaceFirst("\\{\"name\":\"data\"",
                    "{\"name\":\"required_new\",\"type\":\"long\"},{\"name\":\"data\""));
            assertEquals(false, compatible(subject, breaking), name + ": a new field without a default is refused");
            HttpResponse<String> registered = call("POST", "/subjects/" + subject + "/versions", current);
            assertEquals(200, registered.statusCode(), "register the current version: " + registered.body());
        }
    }

    private boolean compatible(String subject, Schema schema) throws Exception {
        HttpResponse<String> r = call("POST", "/compatibility/subjects/" + subject + "/versions/latest", schema);
        JsonNode body = json.readTree(r.body());
        assertEquals(200, r.statusCode(), r.body());
        return body.get("is_compatible").asBoolean();
    }

    private HttpResponse<String> call(String method, String path, Schema schema) throws Exception {
        return call(method, path, json.writeValueAsString(Map.of("schema", schema.toString())));
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(ConnectStack.REGISTRY_URL + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
