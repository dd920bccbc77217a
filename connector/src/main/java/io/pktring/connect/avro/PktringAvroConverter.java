package io.pktring.connect.avro;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.pktring.connect.Version;

/**
 * A Connect converter writing Avro in Confluent wire format (magic byte 0, the 4-byte schema id,
 * Avro binary), as Confluent's and Apicurio's AvroConverter do, at a fraction of their cost per
 * record. The Avro schema is derived from the Connect schema by Apicurio's AvroData (so it is the
 * schema Apicurio's converter registers) and registered or looked up through the Confluent REST
 * API once per schema; each value is then written straight from the Connect Struct by a plan
 * compiled once per schema ({@link EncodingPlan}), without an intermediate GenericRecord. See
 * connector/README.md, "Converters".
 *
 * <p>Reading ({@link #toConnectData}) goes the generic way: the writer's schema fetched by id,
 * Avro's GenericDatumReader, AvroData.toConnectData.
 */
public class PktringAvroConverter implements Converter, Versioned {

    private PktringAvroConverterConfig config;
    private RegistryClient registry;
    private AvroData avroData;
    private boolean isKey;

    /** The last (topic, Connect schema instance): the whole lookup for a stream of one schema. */
    private volatile Last last;
    /** Encodings by topic and Connect schema (equal schemas share one), least recently used out. */
    private Map<TopicSchema, Encoding> encodings;
    /** Registered ids by subject and Avro schema. */
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    /** toConnectData: the reader of each writer schema id. */
    private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
    private final RecordBuffer buffer = new RecordBuffer();

    private record Last(String topic, Schema schema, Encoding encoding) {
    }

    /** How a topic's records of one Connect schema are written: under this id, with this plan. */
    private record Encoding(int id, EncodingPlan plan) {
    }

    private record SubjectSchema(String subject, org.apache.avro.Schema schema) {
    }

    private record Reader(org.apache.avro.Schema schema, GenericDatumReader<Object> reader) {
    }

    /** Key of Connect schemas by equality; the hash is computed once. */
    private static final class TopicSchema {
        final String topic;
        final Schema schema;
        final int hash;

        TopicSchema(String topic, Schema schema) {
            this.topic = topic;
            this.schema = schema;
            this.hash = 31 * topic.hashCode() + schema.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TopicSchema t && t.hash == hash && t.topic.equals(topic)
                    && (t.schema == schema || t.schema.equals(schema));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = new PktringAvroConverterConfig(configs);
        this.isKey = isKey;
        this.registry = new RegistryClient(config.registryUrls(), config.basicAuthUserInfo());
        AvroDataConfig avroDataConfig = new AvroDataConfig(configs);
        this.avroData = new AvroData(avroDataConfig);
        int cacheSize = avroDataConfig.getSchemasCacheSize();
        this.encodings = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<TopicSchema, Encoding> eldest) {
                return size() > cacheSize;
            }
        };
    }

    @Override
    public ConfigDef config() {
        return PktringAvroConverterConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) {
            if (schema == null || schema.isOptional()) {
                return null; // a tombstone, as Confluent's and Apicurio's converters write it
            }
            throw new DataException("topic " + topic + ": null value for the required schema " + describe(schema));
        }
        if (schema == null) {
            throw new DataException("topic " + topic + ": PktringAvroConverter writes values with a Connect schema only; "
                    + "this one (" + value.getClass().getName() + ") has none");
        }
        Encoding e = encoding(topic, schema);
        synchronized (buffer) {
            buffer.start(e.id);
            try {
                e.plan.write(value, buffer);
            } catch (ClassCastException | NullPointerException ex) {
                throw invalid(topic, schema, value, ex);
            } catch (IOException ex) {
                throw new DataException("topic " + topic + ": " + ex, ex); // the buffer never throws
            }
            return buffer.toByteArray();
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        if (value.length < RecordBuffer.HEADER_SIZE || value[0] != 0) {
            throw new DataException("topic " + topic + ": a value of " + value.length
                    + " bytes that is not in Confluent wire format (magic byte 0, a 4-byte schema id, Avro)");
        }
        int id = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
        Reader r = readers.computeIfAbsent(id, i -> {
            org.apache.avro.Schema s = registry.schemaById(i);
            return new Reader(s, new GenericDatumReader<>(s));
        });
        Object datum;
        try {
            datum = r.reader.read(null, DecoderFactory.get().binaryDecoder(value, RecordBuffer.HEADER_SIZE,
                    value.length - RecordBuffer.HEADER_SIZE, null));
        } catch (IOException | RuntimeException e) {
            throw new DataException("topic " + topic + ": the value does not decode with schema id " + id + ": " + e, e);
        }
        return avroData.toConnectData(r.schema, datum);
    }

    /** The encoding of this topic's records of this schema: derived, planned and registered once. */
    private Encoding encoding(String topic, Schema schema) {
        Last l = last;
        if (l != null && l.schema == schema && l.topic.equals(topic)) {
            return l.encoding;
        }
        TopicSchema key = new TopicSchema(topic, schema);
        Encoding e;
        synchronized (encodings) {
            e = encodings.get(key);
        }
        if (e == null) {
            e = newEncoding(topic, schema);
            synchronized (encodings) {
                encodings.put(key, e);
            }
        }
        last = new Last(topic, schema, e);
        return e;
    }

    private Encoding newEncoding(String topic, Schema schema) {
        org.apache.avro.Schema avro = writerSchema(avroData, schema);
        EncodingPlan plan = EncodingPlan.compile(schema, avro); // before registering: what cannot be written is not registered
        String subject = topic + (isKey ? "-key" : "-value");
        return new Encoding(schemaId(subject, avro), plan);
    }

    private int schemaId(String subject, org.apache.avro.Schema avro) {
        SubjectSchema key = new SubjectSchema(subject, avro);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        if (config.autoRegister()) {
            id = registry.register(subject, avro);
        } else if (config.useLatestVersion()) {
            RegistryClient.Registered latest = registry.latest(subject);
            // The record is written from the derived schema; the latest must read those bytes as written.
            if (!SchemaNormalization.toParsingForm(latest.schema()).equals(SchemaNormalization.toParsingForm(avro))) {
                throw new DataException("use.latest.version: the latest schema of subject " + subject + " at "
                        + config.registryUrls() + " (id " + latest.id() + ", version " + latest.version()
                        + ") is not the schema of the records (" + avro.getFullName()
                        + "): it would not read them. Register the records' schema, or write with the latest's Connect schema");
            }
            id = latest.id();
        } else {
            id = registry.lookup(subject, avro);
        }
        ids.put(key, id);
        return id;
    }

    /**
     * The Avro schema values of this Connect schema are written with, and registered under: what
     * AvroData derives, except that an optional struct is written as its record (as AvroData
     * hands the serializer a GenericRecord, whose schema is the record), not as a union.
     */
    static org.apache.avro.Schema writerSchema(AvroData avroData, Schema schema) {
        org.apache.avro.Schema avro = avroData.fromConnectSchema(schema);
        if (schema.type() == Schema.Type.STRUCT && avro.getType() == org.apache.avro.Schema.Type.UNION) {
            return avro.getTypes().stream().filter(t -> t.getType() != org.apache.avro.Schema.Type.NULL).findFirst()
                    .orElseThrow();
        }
        return avro;
    }

    /** A value whose Java types do not match its schema: Connect's own validation names the field. */
    private static DataException invalid(String topic, Schema schema, Object value, RuntimeException cause) {
        try {
            ConnectSchema.validateValue(schema, value);
        } catch (DataException d) {
            return new DataException("topic " + topic + ": the value does not match its schema " + describe(schema) + ": "
                    + d.getMessage(), cause);
        }
        return new DataException("topic " + topic + ": cannot write a value of schema " + describe(schema) + ": " + cause,
                cause);
    }

    private static String describe(Schema schema) {
        return Objects.requireNonNullElse(schema.name(), schema.type().getName());
    }
}
