package io.pktring.connect.avro;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import io.apicurio.registry.utils.converter.avro.AvroDataConfig;

/**
 * Settings of {@link PktringAvroConverter}, named as Confluent's AvroConverter names them, so a
 * worker configuration moves between the two by changing the class name. Also takes AvroData's
 * settings (enhanced.avro.schema.support, connect.meta.data, schemas.cache.config), which decide
 * the Avro schema derived from a Connect schema, as in Apicurio's and Confluent's converters.
 */
public final class PktringAvroConverterConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

    /** The one subject naming this converter implements: TOPIC-value (TOPIC-key for keys). */
    public static final String TOPIC_NAME_STRATEGY = "io.confluent.kafka.serializers.subject.TopicNameStrategy";

    public static final ConfigDef CONFIG_DEF = configDef();

    public PktringAvroConverterConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
        for (String k : List.of(KEY_SUBJECT_NAME_STRATEGY, VALUE_SUBJECT_NAME_STRATEGY)) {
            String strategy = getString(k);
            if (!strategy.endsWith(".TopicNameStrategy") && !strategy.equals("TopicNameStrategy")) {
                throw new ConfigException(k, strategy, "PktringAvroConverter names subjects after the topic only ("
                        + TOPIC_NAME_STRATEGY + ": TOPIC-key, TOPIC-value)");
            }
        }
    }

    public List<String> registryUrls() {
        return getList(SCHEMA_REGISTRY_URL);
    }

    public boolean autoRegister() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }

    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION);
    }

    /** "user:password", or null. */
    public String basicAuthUserInfo() {
        Password p = getPassword(BASIC_AUTH_USER_INFO);
        return p == null || p.value().isEmpty() ? null : p.value();
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef()
                .define(SCHEMA_REGISTRY_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                    if (value == null || ((List<?>) value).isEmpty()) {
                        throw new ConfigException(name, value, "the Confluent-compatible schema registry's URL is required");
                    }
                }, Importance.HIGH,
                        "Base URL(s) of a Confluent-compatible schema registry (Confluent, Karapace, Redpanda, Apicurio's "
                                + "/apis/ccompat/v7), comma-separated; the next is tried while one is unreachable")
                .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Register the schema derived from a record's Connect schema under TOPIC-value (once per schema). "
                                + "false: only look it up (it must be registered already)")
                .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.MEDIUM,
                        "With auto.register.schemas=false: use the id of the subject's latest version, which must read "
                                + "the derived schema's binary exactly (the same Avro parsing canonical form)")
                .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                        "user:password for HTTP basic authentication to the registry (else the URL's user info, if any)")
                .define(KEY_SUBJECT_NAME_STRATEGY, Type.STRING, TOPIC_NAME_STRATEGY, Importance.LOW,
                        "Only TopicNameStrategy is implemented")
                .define(VALUE_SUBJECT_NAME_STRATEGY, Type.STRING, TOPIC_NAME_STRATEGY, Importance.LOW,
                        "Only TopicNameStrategy is implemented");
        AvroDataConfig.baseConfigDef().configKeys().values().forEach(def::define);
        return def;
    }
}
