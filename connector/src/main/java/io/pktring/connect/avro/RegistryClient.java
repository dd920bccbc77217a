package io.pktring.connect.avro;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.kafka.connect.errors.DataException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The calls of the Confluent Schema Registry REST API the converter makes (served by Confluent,
 * Karapace, Redpanda, and Apicurio at /apis/ccompat/v7), with java.net.http. Several base URLs are
 * tried in order while one is unreachable. Every failure is a DataException naming the URL and
 * the subject (or id). No caching here: the converter caches.
 */
final class RegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A schema as the registry holds it under a subject. */
    record Registered(int id, int version, Schema schema) {
    }

    private final List<String> baseUrls;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param userInfo "user:password" for HTTP basic authentication, or null: then the user info
     *                 of the URL, if it has one
     */
    RegistryClient(List<String> urls, String userInfo) {
        List<String> bases = new ArrayList<>();
        String fromUrl = null;
        for (String u : urls) {
            URI uri = URI.create(u.trim());
            if (uri.getRawUserInfo() != null) {
                fromUrl = decode(uri.getRawUserInfo());
                uri = URI.create(uri.toString().replace(uri.getRawUserInfo() + "@", ""));
            }
            String s = uri.toString();
            bases.add(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }
        this.baseUrls = List.copyOf(bases);
        String credentials = userInfo != null ? userInfo : fromUrl;
        this.authorization = credentials == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** POST /subjects/{subject}/versions: registers the schema (or finds it registered); its id. */
    int register(String subject, Schema schema) {
        String what = "registering the schema of subject " + subject;
        return id(call("POST", "/subjects/" + subject + "/versions", body(schema), what), what);
    }

    /**
     * POST /subjects/{subject}?normalize=true: the id of this schema under the subject; 404 when it
     * is not there. Normalized, so that a schema registered from other text (a pretty-printed
     * .avsc file) is found: Apicurio compares the text otherwise.
     */
    int lookup(String subject, Schema schema) {
        String what = "looking up the schema of subject " + subject
                + " (auto.register.schemas=false: register it first, or set auto.register.schemas=true)";
        return id(call("POST", "/subjects/" + subject + "?normalize=true", body(schema), what), what);
    }

    /** GET /subjects/{subject}/versions/latest. */
    Registered latest(String subject) {
        JsonNode r = call("GET", "/subjects/" + subject + "/versions/latest", null,
                "fetching the latest schema of subject " + subject + " (use.latest.version=true)");
        return new Registered(id(r, "subject " + subject), r.path("version").asInt(-1), parse(r, "subject " + subject));
    }

    /** GET /schemas/ids/{id}. */
    Schema schemaById(int id) {
        return parse(call("GET", "/schemas/ids/" + id, null, "fetching schema id " + id), "schema id " + id);
    }

    private int id(JsonNode r, String what) {
        JsonNode id = r.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new DataException(what + ": schema registry " + baseUrls + " answered no schema id: " + abbreviate(r.toString()));
        }
        return id.asInt();
    }

    private String body(Schema schema) {
        try {
            return json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new DataException("cannot render an Avro schema as JSON: " + e, e);
        }
    }

    private Schema parse(JsonNode r, String what) {
        String type = r.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new DataException("schema registry " + baseUrls + ": " + what + " is " + type + ", not AVRO");
        }
        JsonNode text = r.get("schema");
        if (text == null || !text.isTextual()) {
            throw new DataException("schema registry " + baseUrls + ": no \"schema\" in the answer for " + what + ": " + r);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            throw new DataException("schema registry " + baseUrls + ": " + what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    /** One call; the next base URL only while a URL cannot be reached. */
    private JsonNode call(String method, String path, String body, String what) {
        List<String> unreachable = new ArrayList<>();
        for (String base : baseUrls) {
            URI uri = URI.create(base + path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", ACCEPT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", CONTENT_TYPE);
            }
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<String> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                unreachable.add(uri + " (" + e + ")");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException(what + ": interrupted while calling " + uri, e);
            }
            if (r.statusCode() / 100 != 2) {
                throw new DataException(what + ": " + method + " " + uri + " answered HTTP " + r.statusCode() + ": "
                        + abbreviate(r.body()));
            }
            try {
                return json.readTree(r.body());
            } catch (IOException e) {
                throw new DataException(what + ": " + method + " " + uri + " answered something that is not JSON: "
                        + abbreviate(r.body()), e);
            }
        }
        throw new DataException(what + ": schema registry unreachable at " + String.join(", ", unreachable));
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
