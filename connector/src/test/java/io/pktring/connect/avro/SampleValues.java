package io.pktring.connect.avro;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import io.pktring.connect.IntColumn;
import io.pktring.connect.LongColumn;
import io.pktring.connect.PacketSchemas;

/**
 * Connect schemas and random values of them, for comparing converters byte for byte: the
 * connector's own record schemas, a columnar block (arrays of primitives and one bytes field),
 * one struct of every type AvroData maps (optional variants, defaults, logical types, nested
 * structs, arrays, maps), and top-level non-structs. Values include nulls, empty arrays and
 * strings, large bytes, unicode (and a lone surrogate), negative and extreme numbers, and bytes
 * as byte[] and as heap, sliced, read-only and direct ByteBuffers.
 */
final class SampleValues {

    record Sample(String name, Schema schema, Object value) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A packet block as columns: one entry per packet in each array, the bytes concatenated. */
    static final Schema COLUMNAR_BLOCK = SchemaBuilder.struct().name("io.pktring.test.ColumnarBlock").version(1)
            .field("ifname", Schema.STRING_SCHEMA)
            .field("linktype", Schema.INT32_SCHEMA)
            .field("epoch", Schema.INT64_SCHEMA)
            .field("first_seq", Schema.INT64_SCHEMA)
            .field("ts_ns", SchemaBuilder.array(Schema.INT64_SCHEMA).build())
            .field("caplen", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .field("origlen", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .field("flags", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .field("data", Schema.BYTES_SCHEMA)
            .build();

    static final Schema INNER = SchemaBuilder.struct().name("io.pktring.test.Inner")
            .field("a", Schema.INT32_SCHEMA)
            .field("b", Schema.OPTIONAL_STRING_SCHEMA)
            .field("c", SchemaBuilder.array(Schema.OPTIONAL_INT64_SCHEMA).build())
            .build();

    static final Schema EVERY_TYPE = SchemaBuilder.struct().name("io.pktring.test.EveryType").version(3)
            .doc("every type AvroData maps")
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.INT16_SCHEMA)
            .field("i32", Schema.INT32_SCHEMA)
            .field("i64", Schema.INT64_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.FLOAT64_SCHEMA)
            .field("bool", Schema.BOOLEAN_SCHEMA)
            .field("str", Schema.STRING_SCHEMA)
            .field("bytes", Schema.BYTES_SCHEMA)
            .field("opt_i8", Schema.OPTIONAL_INT8_SCHEMA)
            .field("opt_i16", Schema.OPTIONAL_INT16_SCHEMA)
            .field("opt_i32", Schema.OPTIONAL_INT32_SCHEMA)
            .field("opt_i64", Schema.OPTIONAL_INT64_SCHEMA)
            .field("opt_f32", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("opt_f64", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("opt_bool", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("opt_str", Schema.OPTIONAL_STRING_SCHEMA)
            .field("opt_bytes", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("opt_i32_default", SchemaBuilder.int32().optional().defaultValue(7).build())
            .field("opt_str_default", SchemaBuilder.string().optional().defaultValue("dflt").build())
            .field("i64_default", SchemaBuilder.int64().defaultValue(-5L).build())
            .field("timestamp", Timestamp.SCHEMA)
            .field("opt_timestamp", Timestamp.builder().optional().build())
            .field("date", Date.SCHEMA)
            .field("time", Time.SCHEMA)
            .field("decimal", Decimal.schema(2))
            .field("opt_decimal", Decimal.builder(4).optional().build())
            .field("mac", SchemaBuilder.bytes().name("io.pktring.test.Mac").parameter("connect.fixed.size", "6").build())
            .field("inner", INNER)
            .field("opt_inner", SchemaBuilder.struct().name("io.pktring.test.OptInner").optional()
                    .field("x", Schema.FLOAT64_SCHEMA).field("y", Schema.OPTIONAL_BYTES_SCHEMA).build())
            .field("longs", SchemaBuilder.array(Schema.INT64_SCHEMA).build())
            .field("opt_ints", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .field("structs", SchemaBuilder.array(SchemaBuilder.struct().name("io.pktring.test.Item")
                    .field("k", Schema.STRING_SCHEMA).field("v", Schema.OPTIONAL_FLOAT32_SCHEMA).build()).build())
            .field("nested_strings", SchemaBuilder.array(SchemaBuilder.array(Schema.STRING_SCHEMA).build()).build())
            .field("string_map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
            .field("opt_value_map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("int_key_map", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
            .field("opt_key_map", SchemaBuilder.map(Schema.OPTIONAL_STRING_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA)
                    .name("io.pktring.test.OptKeyMap").build())
            .build();

    static final Schema OPTIONAL_STRUCT = SchemaBuilder.struct().name("io.pktring.test.OptionalTop").optional()
            .field("n", Schema.INT64_SCHEMA).field("s", Schema.OPTIONAL_STRING_SCHEMA).build();

    /** The first block form (an array of Packet structs): nested structs in an array. */
    static final Schema NESTED_BLOCK = SchemaBuilder.struct().name("io.pktring.test.NestedBlock")
            .field("ifname", Schema.STRING_SCHEMA).field("linktype", Schema.INT32_SCHEMA)
            .field("epoch", Schema.INT64_SCHEMA).field("first_seq", Schema.INT64_SCHEMA)
            .field("last_seq", Schema.INT64_SCHEMA).field("lost", Schema.INT64_SCHEMA)
            .field("packets", SchemaBuilder.array(PacketSchemas.PACKET).build()).build();

    /** Schemas of whole values: the connector's, and every shape a converter must handle. */
    static final List<Schema> SCHEMAS = List.of(PacketSchemas.PACKET, PacketSchemas.PACKET_COLUMNS, NESTED_BLOCK,
            COLUMNAR_BLOCK,
            EVERY_TYPE, OPTIONAL_STRUCT, Schema.STRING_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA, Schema.BYTES_SCHEMA,
            SchemaBuilder.array(Schema.OPTIONAL_FLOAT64_SCHEMA).build(),
            SchemaBuilder.map(Schema.STRING_SCHEMA, INNER).build());

    private static final String[] STRINGS = {"", "eth0", "in", "out", "unknown", "192.0.2.1", "2001:db8::1",
        "wlän0 äöü", "日本語のインターフェース", "🛰️ satellite", "lone surrogate \uD800 here", "\uDC00\uD800", "nul\u0000byte",
        "x".repeat(127), "y".repeat(128), "z".repeat(129), "é".repeat(200), "long ascii ".repeat(100)};

    private final Random random;

    /**
     * The list as the connector's block columns hold such numbers (LongColumn, IntColumn, which
     * PktringAvroConverter writes unboxed), when the elements are plain int64 or int32.
     */
    private static Object column(Schema element, List<Object> list) {
        if (element.isOptional() || element.name() != null) {
            return list;
        }
        if (element.type() == Schema.Type.INT64) {
            return new LongColumn(list.stream().mapToLong(o -> (Long) o).toArray());
        }
        if (element.type() == Schema.Type.INT32) {
            return new IntColumn(list.stream().mapToInt(o -> (Integer) o).toArray());
        }
        return list;
    }

    SampleValues(long seed) {
        this.random = new Random(seed);
    }

    /** {@code perSchema} random values of each schema; the first ones are the small and extreme cases. */
    List<Sample> samples(int perSchema) {
        List<Sample> out = new ArrayList<>();
        for (Schema s : SCHEMAS) {
            String name = s.name() != null ? s.name() : s.type().getName() + (s.isOptional() ? "?" : "");
            for (int i = 0; i < perSchema; i++) {
                Object v = value(s, 0);
                if (v == null && !s.isOptional()) {
                    continue;
                }
                if (v != null || i == 0) {
                    out.add(new Sample(name + "#" + i, s, v));
                }
            }
        }
        return out;
    }

    /** A random value of the schema; null for an optional schema now and then. */
    Object value(Schema s, int depth) {
        if (s.isOptional() && random.nextInt(4) == 0) {
            return null;
        }
        String name = s.name();
        switch (s.type()) {
            case INT8:
                return (byte) pick(Byte.MIN_VALUE, Byte.MAX_VALUE, random.nextInt(256) - 128);
            case INT16:
                return (short) pick(Short.MIN_VALUE, Short.MAX_VALUE, random.nextInt(65536) - 32768);
            case INT32:
                if (Date.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date((random.nextInt(200_000) - 100_000) * 86_400_000L);
                }
                if (Time.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date(random.nextInt(86_400_000));
                }
                return (int) pick(Integer.MIN_VALUE, Integer.MAX_VALUE, random.nextInt());
            case INT64:
                if (Timestamp.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date(random.nextLong() % 100_000_000_000_000L);
                }
                return pick(Long.MIN_VALUE, Long.MAX_VALUE, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000) - 500);
            case FLOAT32: {
                float[] odd = {Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE};
                return random.nextInt(4) == 0 ? odd[random.nextInt(odd.length)] : (float) random.nextGaussian() * 1e6f;
            }
            case FLOAT64: {
                double[] odd = {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
                return random.nextInt(4) == 0 ? odd[random.nextInt(odd.length)] : random.nextGaussian() * 1e12;
            }
            case BOOLEAN:
                return random.nextBoolean();
            case STRING:
                return random.nextInt(5) == 0 ? randomUnicode() : STRINGS[random.nextInt(STRINGS.length)];
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name)) {
                    int scale = Integer.parseInt(s.parameters().get(Decimal.SCALE_FIELD));
                    return new BigDecimal(new BigInteger(random.nextInt(200) + 1, random).multiply(
                            BigInteger.valueOf(random.nextBoolean() ? 1 : -1)), scale);
                }
                if (s.parameters() != null && s.parameters().containsKey("connect.fixed.size")) {
                    return bytes(Integer.parseInt(s.parameters().get("connect.fixed.size")), false);
                }
                return bytes(byteLength(), true);
            case ARRAY: {
                int n = depth > 2 ? 0 : random.nextInt(4) == 0 ? 0 : random.nextInt(depth == 0 ? 40 : 6);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(value(s.valueSchema(), depth + 1));
                }
                return random.nextBoolean() ? column(s.valueSchema(), list) : list;
            }
            case MAP: {
                // Small HashMaps: AvroData copies string-keyed maps into a new HashMap, which then
                // iterates in the same order (see connector/README.md on maps).
                int n = random.nextInt(4) == 0 ? 0 : random.nextInt(10);
                Map<Object, Object> map = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = value(s.keySchema(), depth + 1);
                    map.put(k, value(s.valueSchema(), depth + 1));
                }
                return map;
            }
            case STRUCT: {
                Struct st = new Struct(s);
                for (Field f : s.fields()) {
                    Object v = value(f.schema(), depth + 1);
                    // A required field with a default may stay unset: get() then gives the default.
                    if (v != null || f.schema().isOptional()) {
                        st.put(f, v);
                    } else if (f.schema().defaultValue() == null) {
                        throw new IllegalStateException(f.name());
                    }
                }
                return st;
            }
            default:
                throw new IllegalArgumentException(s.type().toString());
        }
    }

    private long pick(long min, long max, long usual) {
        return switch (random.nextInt(10)) {
            case 0 -> min;
            case 1 -> max;
            case 2 -> 0;
            case 3 -> -1;
            default -> usual;
        };
    }

    private int byteLength() {
        return switch (random.nextInt(12)) {
            case 0 -> 0;
            case 1 -> 70_000 + random.nextInt(100_000);
            case 2, 3 -> 1500;
            default -> random.nextInt(200);
        };
    }

    /** byte[] or, when asked, now and then a heap, sliced, read-only or direct ByteBuffer of those bytes. */
    private Object bytes(int n, boolean buffers) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        if (!buffers) {
            return b;
        }
        switch (random.nextInt(8)) {
            case 0:
                return ByteBuffer.wrap(b);
            case 1: {
                byte[] wider = new byte[n + 10];
                System.arraycopy(b, 0, wider, 3, n);
                return ByteBuffer.wrap(wider, 3, n).slice();
            }
            case 2:
                return ByteBuffer.wrap(b).asReadOnlyBuffer();
            case 3: {
                ByteBuffer d = ByteBuffer.allocateDirect(n);
                d.put(b).flip();
                return d;
            }
            default:
                return b;
        }
    }

    private String randomUnicode() {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(30);
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x780);
                case 2 -> 0x800 + random.nextInt(0xD000);
                default -> 0x10000 + random.nextInt(0x100000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }
}
