package io.pktring.topic2pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Fetches writer schemas by id through the Confluent Schema Registry REST API
 * (GET {url}/schemas/ids/{id}), as served by Confluent, Karapace, Redpanda or
 * Apicurio's /apis/ccompat/v7. Each id is fetched once.
 */
public final class SchemaRegistryClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public Schema schemaById(int id) throws IOException {
        Schema cached = cache.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = fetch(id);
        cache.put(id, schema);
        return schema;
    }

    private Schema fetch(int id) throws IOException {
        URI uri = URI.create(baseUrl + "/schemas/ids/" + id);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                            .header("Accept", "application/vnd.schemaregistry.v1+json, application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        } catch (IOException e) {
            throw new IOException("schema registry unreachable at " + uri + ": " + e, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("schema registry " + uri + " answered HTTP " + response.statusCode()
                    + ": " + abbreviate(response.body()));
        }
        JsonNode body = json.readTree(response.body());
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new IOException("schema " + id + " at " + uri + " is " + type + ", not AVRO");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new IOException("schema registry " + uri + " returned no \"schema\": " + abbreviate(response.body()));
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (RuntimeException e) {
            throw new IOException("schema " + id + " from " + uri + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
