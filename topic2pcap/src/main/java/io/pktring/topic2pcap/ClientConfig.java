package io.pktring.topic2pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Settings passed through to the clients, as Kafka's own tools take them (--consumer-config FILE,
 * -X key=value; a later one wins): SASL, TLS and any other consumer setting go to the Kafka
 * consumer; keys under "schema.registry." configure the registry's HTTP client (basic auth, a
 * TLS trust store), as Confluent's clients name them.
 */
record ClientConfig(Map<String, String> consumer, Map<String, String> registry) {

    static final String REGISTRY_PREFIX = "schema.registry.";
    static final Set<String> REGISTRY_KEYS = Set.of("basic.auth.user.info", "ssl.truststore.location",
            "ssl.truststore.password", "ssl.truststore.type");

    static ClientConfig empty() {
        return new ClientConfig(Map.of(), Map.of());
    }

    /** The settings of a properties file, then these; each key=value "-X" setting last. */
    ClientConfig withFile(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--consumer-config: cannot read " + file + ": " + e.getMessage());
        }
        ClientConfig c = this;
        for (String key : p.stringPropertyNames()) {
            c = c.with(key, p.getProperty(key), "--consumer-config " + file);
        }
        return c;
    }

    ClientConfig withSetting(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("-X: '" + keyValue + "' is not key=value");
        }
        return with(keyValue.substring(0, eq).trim(), keyValue.substring(eq + 1), "-X");
    }

    private ClientConfig with(String key, String value, String source) {
        Map<String, String> c = new LinkedHashMap<>(consumer);
        Map<String, String> r = new LinkedHashMap<>(registry);
        if (key.startsWith(REGISTRY_PREFIX)) {
            String k = key.substring(REGISTRY_PREFIX.length());
            if (!REGISTRY_KEYS.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown registry setting '" + key + "' (known: "
                        + REGISTRY_KEYS.stream().sorted().map(s -> REGISTRY_PREFIX + s).toList() + ")");
            }
            r.put(k, value);
        } else {
            c.put(key, value);
        }
        return new ClientConfig(Map.copyOf(c), Map.copyOf(r));
    }
}
