package io.pktring.topic2pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
    private final HttpClient http;
    /** The Authorization header's value, or null. */
    private final String authorization;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, Map.of());
    }

    /**
     * settings: basic.auth.user.info (USER:PASSWORD, sent as HTTP basic auth), ssl.truststore.location,
     * .password and .type (the certificates a https registry is checked against; default: the JVM's).
     */
    public SchemaRegistryClient(String baseUrl, Map<String, String> settings) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        String trustStore = settings.get("ssl.truststore.location");
        if (trustStore != null) {
            b.sslContext(trusting(trustStore, settings.getOrDefault("ssl.truststore.password", ""),
                    settings.getOrDefault("ssl.truststore.type", KeyStore.getDefaultType())));
        }
        this.http = b.build();
        String userInfo = settings.get("basic.auth.user.info");
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static SSLContext trusting(String location, String password, String type) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("schema.registry.ssl.truststore.location: cannot load " + location
                    + " as a " + type + " trust store: " + e.getMessage(), e);
        }
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
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Accept", "application/vnd.schemaregistry.v1+json, application/json").GET();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
