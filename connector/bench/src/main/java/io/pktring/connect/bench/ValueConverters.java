package io.pktring.connect.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.storage.Converter;

import io.pktring.connect.testing.ConnectStack;

/**
 * The value converters the benchmark measures, both writing Avro in Confluent wire format through
 * the real registry: Apicurio's AvroConverter (the worker's default in ConnectStack: schema
 * registered first, looked up with find-latest) and, when it is on the classpath,
 * io.pktring.connect.avro.PktringAvroConverter (registers its schema once through the registry's
 * Confluent API), with io.pktring.connect.PktringHeaderConverter for the headers (the worker's
 * SimpleHeaderConverter's bytes, made without its garbage). Each is used by the worker (a
 * connector-level value.converter override) and alone (the per-stage breakdown).
 */
record ValueConverters(String name, String className, Map<String, String> settings) {

    static final String PKTRING_CONVERTER = "io.pktring.connect.avro.PktringAvroConverter";
    static final String PKTRING_HEADER_CONVERTER = "io.pktring.connect.PktringHeaderConverter";

    static List<ValueConverters> available() {
        List<ValueConverters> all = new ArrayList<>();
        all.add(new ValueConverters("apicurio", "io.apicurio.registry.utils.converter.AvroConverter",
                ConnectStack.valueConverterConfig()));
        if (onClasspath(PKTRING_CONVERTER)) {
            all.add(new ValueConverters("pktring", PKTRING_CONVERTER,
                    Map.of("schema.registry.url", ConnectStack.REGISTRY_URL, "auto.register.schemas", "true")));
        }
        return all;
    }

    static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, ValueConverters.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** What a topic needs before this converter writes to it: Apicurio's only looks its schema up. */
    void prepare(String topic, Schema valueSchema) {
        if (name.equals("apicurio")) {
            ConnectStack.registerValueSchema(topic, valueSchema);
        }
    }

    /** The connector config entries that make the worker use this converter for values. */
    Map<String, String> connectorOverrides() {
        Map<String, String> c = new HashMap<>();
        c.put("value.converter", className);
        settings.forEach((k, v) -> c.put("value.converter." + k, v));
        if (className.equals(PKTRING_CONVERTER) && onClasspath(PKTRING_HEADER_CONVERTER)) {
            c.put("header.converter", PKTRING_HEADER_CONVERTER);
        }
        return c;
    }

    /** A value converter configured as the worker configures it, for use outside the worker. */
    Converter standalone(String topic, Schema valueSchema) throws ReflectiveOperationException {
        prepare(topic, valueSchema);
        Converter c = (Converter) Class.forName(className).getDeclaredConstructor().newInstance();
        c.configure(new HashMap<>(settings), false);
        return c;
    }
}
