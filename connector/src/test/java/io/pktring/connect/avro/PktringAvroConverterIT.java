package io.pktring.connect.avro;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.apicurio.registry.serde.avro.NonRecordContainer;
import io.apicurio.registry.utils.converter.AvroConverter;
import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;

/**
 * Against the real registry (scripts/stack.sh start registry; $PKTRING_REGISTRY_URL): for many
 * values of many schemas, PktringAvroConverter writes exactly the record Apicurio's AvroConverter
 * writes (as-confluent, use-id=contentId, no headers) — the same schema id and the same Avro body
 * — the body decodes with the schema the registry serves for that id, and toConnectData gives
 * what Apicurio's converter reads back from it. Lookup modes, registry errors and invalid values.
 */
class PktringAvroConverterIT {

    static final String URL = ConnectStack.REGISTRY_URL;
    /** Topics of this run: the in-memory registry may hold earlier runs' subjects. */
    static final String RUN = "avro-it-" + Long.toHexString(System.nanoTime());

    static AvroConverter<Object> apicurio;

    @BeforeAll
    static void apicurio() {
        Map<String, Object> cfg = new HashMap<>(ConnectStack.valueConverterConfig());
        cfg.put("apicurio.registry.auto-register", "true");
        cfg.put("apicurio.registry.find-latest", "false");
        apicurio = new AvroConverter<>();
        apicurio.configure(cfg, false);
    }

    static PktringAvroConverter converter(String... extra) {
        Map<String, Object> cfg = new HashMap<>(Map.of("schema.registry.url", URL));
        for (int i = 0; i < extra.length; i += 2) {
            cfg.put(extra[i], extra[i + 1]);
        }
        PktringAvroConverter c = new PktringAvroConverter();
        c.configure(cfg, false);
        return c;
    }

    @Test
    void sameRecordAsApicurioDecodingWithTheRegistrysSchema() throws IOException {
        PktringAvroConverter ours = converter();
        AvroData avroData = new AvroData(new AvroDataConfig(Map.of()));
        List<SampleValues.Sample> samples = new SampleValues(3).samples(60);
        int compared = 0;
        for (SampleValues.Sample s : samples) {
            // One topic per schema: a subject holds one schema per version.
            String topic = RUN + "-" + SampleValues.SCHEMAS.indexOf(s.schema());
            byte[] mine = ours.fromConnectData(topic, s.schema(), s.value());
            byte[] theirs = apicurio.fromConnectData(topic, new RecordHeaders(), s.schema(), s.value());
            if (s.value() == null) {
                assertNull(mine, s.name());
                assertNull(theirs, s.name());
                continue;
            }
            assertArrayEquals(Arrays.copyOfRange(theirs, 5, theirs.length), Arrays.copyOfRange(mine, 5, mine.length),
                    s.name() + ": Avro body");
            assertArrayEquals(Arrays.copyOf(theirs, 5), Arrays.copyOf(mine, 5), s.name() + ": magic byte and schema id");

            // Decodes, to the last byte, with the schema the registry serves for the id.
            int id = ByteBuffer.wrap(mine, 1, 4).getInt();
            org.apache.avro.Schema registered = ConnectStack.schema(id);
            // As text: a parsed schema's numeric properties are IntNodes where AvroData made LongNodes.
            assertEquals(PktringAvroConverter.writerSchema(avroData, s.schema()).toString(), registered.toString(), s.name());
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(mine, 5, mine.length - 5, null);
            Object decoded = new GenericDatumReader<>(registered).read(null, d);
            assertTrue(d.isEnd(), s.name() + ": bytes left after the value");
            Object datum = avroData.fromConnectData(s.schema(), s.value());
            datum = datum instanceof NonRecordContainer<?> c ? c.getValue() : datum;
            assertEquals(canonical(datum), canonical(decoded), s.name());

            // Symmetric: reads back the value AvroData makes of the registry's schema and the
            // decoded datum; for records, also what Apicurio's converter reads from the same bytes
            // (for other values it gives the raw Avro value without a schema).
            SchemaAndValue back = ours.toConnectData(topic, mine);
            SchemaAndValue want = avroData.toConnectData(registered, decoded);
            assertEquals(want.schema(), back.schema(), s.name());
            assertEquals(canonical(avroData.fromConnectData(want.schema(), want.value())),
                    canonical(avroData.fromConnectData(back.schema(), back.value())), s.name());
            if (s.schema().type() == Schema.Type.STRUCT) {
                SchemaAndValue apicurioBack = apicurio.toConnectData(topic, mine);
                assertEquals(apicurioBack.schema(), back.schema(), s.name());
                assertEquals(canonical(avroData.fromConnectData(apicurioBack.schema(), apicurioBack.value())),
                        canonical(avroData.fromConnectData(back.schema(), back.value())), s.name());
            }
            compared++;
        }
        assertTrue(compared > 400, "records compared: " + compared);
    }

    @Test
    void packetsReadBackAsTheStructsWritten() {
        PktringAvroConverter ours = converter();
        SampleValues values = new SampleValues(4);
        for (int i = 0; i < 50; i++) {
            Struct p = (Struct) values.value(PacketSchemas.PACKET, 0);
            Struct back = (Struct) ours.toConnectData(RUN + "-p", ours.fromConnectData(RUN + "-p", PacketSchemas.PACKET, p)).value();
            for (var f : PacketSchemas.PACKET.fields()) {
                Object want = p.get(f);
                want = want instanceof ByteBuffer b ? bytes(b) : want instanceof String t ? utf8(t) : want;
                Object got = back.get(f.name());
                got = got instanceof ByteBuffer b ? bytes(b) : got;
                assertTrue(java.util.Objects.deepEquals(want, got), f.name() + ": " + want + " != " + got);
            }
        }
    }

    @Test
    void lookupWithoutRegistering() throws Exception {
        String topic = RUN + "-lookup";
        Struct p = (Struct) new SampleValues(5).value(PacketSchemas.PACKET, 0);

        // Not registered: 404, named.
        PktringAvroConverter lookup = converter("auto.register.schemas", "false");
        DataException e = assertThrows(DataException.class, () -> lookup.fromConnectData(topic, PacketSchemas.PACKET, p));
        assertTrue(e.getMessage().contains(URL + "/subjects/" + topic + "-value"), e.getMessage());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        PktringAvroConverter latest = converter("auto.register.schemas", "false", "use.latest.version", "true");
        e = assertThrows(DataException.class, () -> latest.fromConnectData(topic, PacketSchemas.PACKET, p));
        assertTrue(e.getMessage().contains(URL + "/subjects/" + topic + "-value/versions/latest"), e.getMessage());

        // Registered (as a deployment does, from the shipped .avsc): both modes find its id.
        int id = register(topic + "-value", java.nio.file.Files.readString(java.nio.file.Path.of("src/main/avro/Packet.avsc")));
        byte[] viaLookup = lookup.fromConnectData(topic, PacketSchemas.PACKET, p);
        byte[] viaLatest = latest.fromConnectData(topic, PacketSchemas.PACKET, p);
        assertEquals(id, ByteBuffer.wrap(viaLookup, 1, 4).getInt());
        assertArrayEquals(viaLookup, viaLatest);
        // Registering finds it too, or (Apicurio compares the text: the .avsc is pretty-printed)
        // adds a version of the same schema under another id; the Avro body is the same.
        byte[] viaRegister = converter().fromConnectData(topic, PacketSchemas.PACKET, p);
        assertEquals(ConnectStack.schema(id).toString(), ConnectStack.schema(ByteBuffer.wrap(viaRegister, 1, 4).getInt()).toString());
        assertArrayEquals(Arrays.copyOfRange(viaLookup, 5, viaLookup.length), Arrays.copyOfRange(viaRegister, 5, viaRegister.length));

        // A newer version that would not read these bytes: use.latest.version refuses it.
        register(topic + "-value", "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}");
        e = assertThrows(DataException.class,
                () -> converter("auto.register.schemas", "false", "use.latest.version", "true")
                        .fromConnectData(topic, PacketSchemas.PACKET, p));
        assertTrue(e.getMessage().contains(topic + "-value") && e.getMessage().contains(URL), e.getMessage());
    }

    @Test
    void aValueNotMatchingItsSchemaNamesTheField() {
        PktringAvroConverter ours = converter();
        Struct p = (Struct) new SampleValues(6).value(PacketSchemas.PACKET, 0);
        Struct missing = new Struct(PacketSchemas.PACKET);
        PacketSchemas.PACKET.fields().stream().filter(f -> !f.name().equals("caplen")).forEach(f -> missing.put(f, p.get(f)));
        DataException e = assertThrows(DataException.class, () -> ours.fromConnectData(RUN + "-bad", PacketSchemas.PACKET, missing));
        assertTrue(e.getMessage().contains("caplen"), e.getMessage());
        e = assertThrows(DataException.class, () -> ours.fromConnectData(RUN + "-bad2", Schema.INT32_SCHEMA, "text"));
        assertTrue(e.getMessage().contains("INT32"), e.getMessage());
    }

    /**
     * An Avro datum as plain Java values that compare by content whatever their representation:
     * records and maps as sorted maps (Avro maps have no order; a decoded one has Utf8 keys),
     * strings as they read back from UTF-8, bytes and fixed as hex.
     */
    static Object canonical(Object v) {
        if (v instanceof org.apache.avro.generic.IndexedRecord r) {
            Map<String, Object> m = new java.util.TreeMap<>();
            r.getSchema().getFields().forEach(f -> m.put(f.name(), canonical(r.get(f.pos()))));
            return m;
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> m = new java.util.TreeMap<>();
            map.forEach((k, x) -> m.put(canonical(k), canonical(x)));
            return m;
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(PktringAvroConverterIT::canonical).toList();
        }
        if (v instanceof CharSequence cs) {
            return utf8(cs.toString());
        }
        if (v instanceof ByteBuffer b) {
            return java.util.HexFormat.of().formatHex((byte[]) bytes(b));
        }
        if (v instanceof org.apache.avro.generic.GenericFixed f) {
            return java.util.HexFormat.of().formatHex(f.bytes());
        }
        return v;
    }

    /** A string as it reads back from UTF-8: a lone surrogate becomes '?', as String.getBytes writes it. */
    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static Object bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** Registers a schema under a subject with the Confluent API, as an operator would; its id. */
    static int register(String subject, String avsc) throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(URL + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("schema", avsc)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body()).get("id").asInt();
    }
}
