package io.pktring.connect.avro;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

import org.apache.avro.io.BinaryEncoder;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import io.pktring.connect.IntColumn;
import io.pktring.connect.LongColumn;

/**
 * How to write the values of one Connect schema as Avro binary of the Avro schema derived from
 * it, compiled once per schema: a tree of nodes in the Avro schema's field order, each with its
 * union branch indexes read from the Avro schema. {@link #write} walks the tree and the value
 * together and hands each primitive to Avro's BinaryEncoder, the encoder Avro's
 * GenericDatumWriter uses, so the bytes are the ones Apicurio's and Confluent's converters write,
 * without their intermediate GenericRecord.
 *
 * <p>One interpreter (a switch on the node's kind) rather than an object per type: the call
 * sites stay monomorphic, which keeps a 20-field record at tens of nanoseconds.
 */
final class EncodingPlan {

    private static final int INT8 = 0, INT16 = 1, INT32 = 2, INT64 = 3, FLOAT32 = 4, FLOAT64 = 5, BOOLEAN = 6,
            STRING = 7, BYTES = 8, FIXED = 9, DECIMAL = 10, DATE = 11, TIME = 12, TIMESTAMP = 13, ARRAY = 14,
            STRING_MAP = 15, ENTRY_ARRAY = 16, STRUCT = 17;

    /** Connect names of the struct schemas AvroData turns into Avro unions, which are not planned. */
    private static final String AVRO_UNION = "io.confluent.connect.avro.Union";
    private static final String GENERALIZED_UNION = "org.apache.kafka.connect.data.Union";

    private final Node root;

    private EncodingPlan(Node root) {
        this.root = root;
    }

    /**
     * Compiles the plan of {@code connect} against {@code avro}, the Avro schema derived from it
     * (for an optional struct: the record itself, which is what a converter registers).
     *
     * @throws DataException naming the field, for what cannot be planned
     */
    static EncodingPlan compile(Schema connect, org.apache.avro.Schema avro) {
        boolean optional = connect.isOptional() && avro.getType() == org.apache.avro.Schema.Type.UNION;
        return new EncodingPlan(node(connect, optional, avro, connect.name() != null ? connect.name() : "value"));
    }

    /** Writes a non-null value of the planned schema. */
    void write(Object value, RecordBuffer buf) throws IOException {
        write(root, value, buf);
    }

    private static final class Node {
        final String path;
        final Schema connect;
        int kind;
        boolean optional;
        int nullIndex;
        int valueIndex;
        int fixedSize;
        /** STRUCT: the Connect fields, in the Avro record's field order, and their nodes. */
        Field[] fields;
        Node[] children;
        /** ARRAY: the element; STRING_MAP: the value; ENTRY_ARRAY: key, value, in which order. */
        Node element;
        Node key;
        boolean keyFirst;

        Node(String path, Schema connect) {
            this.path = path;
            this.connect = connect;
        }
    }

    private static void write(Node n, Object v, RecordBuffer buf) throws IOException {
        BinaryEncoder out = buf.encoder;
        if (n.optional) {
            if (v == null) {
                out.writeIndex(n.nullIndex);
                return;
            }
            out.writeIndex(n.valueIndex);
        }
        // A null of a required schema fails on unboxing or dereference: the converter then
        // names the field (ConnectSchema.validateValue).
        switch (n.kind) {
            case INT8 -> out.writeInt((Byte) v);
            case INT16 -> out.writeInt((Short) v);
            case INT32 -> out.writeInt((Integer) v);
            case INT64 -> out.writeLong((Long) v);
            case FLOAT32 -> out.writeFloat((Float) v);
            case FLOAT64 -> out.writeDouble((Double) v);
            case BOOLEAN -> out.writeBoolean((Boolean) v);
            case STRING -> out.writeString((String) v);
            case BYTES -> {
                if (v instanceof byte[] b) {
                    out.writeBytes(b, 0, b.length);
                } else {
                    out.writeBytes((ByteBuffer) v);
                }
            }
            case FIXED -> writeFixed(n, v, buf);
            case DECIMAL -> {
                byte[] b = Decimal.fromLogical(n.connect, (BigDecimal) v);
                out.writeBytes(b, 0, b.length);
            }
            case DATE -> out.writeInt(Date.fromLogical(n.connect, (java.util.Date) v));
            case TIME -> out.writeInt(Time.fromLogical(n.connect, (java.util.Date) v));
            case TIMESTAMP -> out.writeLong(((java.util.Date) v).getTime());
            case ARRAY -> writeArray(n.element, (Collection<?>) v, buf);
            case STRING_MAP -> {
                Map<?, ?> m = (Map<?, ?>) v;
                out.writeMapStart();
                out.setItemCount(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.startItem();
                    out.writeString((String) e.getKey());
                    write(n.element, e.getValue(), buf);
                }
                out.writeMapEnd();
            }
            case ENTRY_ARRAY -> {
                Map<?, ?> m = (Map<?, ?>) v;
                out.writeArrayStart();
                out.setItemCount(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.startItem();
                    if (n.keyFirst) {
                        write(n.key, e.getKey(), buf);
                        write(n.element, e.getValue(), buf);
                    } else {
                        write(n.element, e.getValue(), buf);
                        write(n.key, e.getKey(), buf);
                    }
                }
                out.writeArrayEnd();
            }
            case STRUCT -> {
                Struct s = (Struct) v;
                if (s.schema() != n.connect && !s.schema().equals(n.connect)) {
                    throw new DataException(n.path + ": the Struct's schema " + s.schema().name()
                            + " is not the schema of the field (" + n.connect.name() + ")");
                }
                Field[] fields = n.fields;
                Node[] children = n.children;
                for (int i = 0; i < fields.length; i++) {
                    write(children[i], s.get(fields[i]), buf);
                }
            }
            default -> throw new IllegalStateException("node kind " + n.kind);
        }
    }

    private static void writeArray(Node element, Collection<?> c, RecordBuffer buf) throws IOException {
        BinaryEncoder out = buf.encoder;
        out.writeArrayStart();
        out.setItemCount(c.size());
        if (element.optional || !writePrimitives(element.kind, c, buf)) {
            writeElements(element, c, buf);
        }
        out.writeArrayEnd();
    }

    private static void writeElements(Node element, Collection<?> c, RecordBuffer buf) throws IOException {
        BinaryEncoder out = buf.encoder;
        if (c instanceof List<?> list && c instanceof RandomAccess) {
            for (int i = 0, size = list.size(); i < size; i++) {
                out.startItem();
                write(element, list.get(i), buf);
            }
        } else {
            for (Object o : c) {
                out.startItem();
                write(element, o, buf);
            }
        }
    }

    /** Writes a {@link LongColumn} or {@link IntColumn} of its element kind without boxing; false for any other. */
    private static boolean writePrimitives(int kind, Collection<?> c, RecordBuffer buf) {
        if (kind == INT64 && c instanceof LongColumn col) {
            buf.writeLongs(col);
            return true;
        }
        if (kind == INT32 && c instanceof IntColumn col) {
            buf.writeInts(col);
            return true;
        }
        return false;
    }

    private static void writeFixed(Node n, Object v, RecordBuffer buf) throws IOException {
        BinaryEncoder out = buf.encoder;
        ByteBuffer b = v instanceof byte[] a ? ByteBuffer.wrap(a) : (ByteBuffer) v;
        if (b.remaining() != n.fixedSize) {
            throw new DataException(n.path + ": " + b.remaining() + " bytes for an Avro fixed of " + n.fixedSize);
        }
        out.writeFixed(b);
    }

    private static Node node(Schema c, boolean optional, org.apache.avro.Schema a, String path) {
        Node n = new Node(path, c);
        org.apache.avro.Schema value = a;
        if (optional) {
            List<org.apache.avro.Schema> types = a.getType() == org.apache.avro.Schema.Type.UNION ? a.getTypes() : List.of();
            int nullIndex = -1;
            for (int i = 0; i < types.size(); i++) {
                if (types.get(i).getType() == org.apache.avro.Schema.Type.NULL) {
                    nullIndex = i;
                }
            }
            if (types.size() != 2 || nullIndex < 0) {
                throw cannot(path, c, a, "an optional schema needs an Avro union of null and one type");
            }
            n.optional = true;
            n.nullIndex = nullIndex;
            n.valueIndex = 1 - nullIndex;
            value = types.get(n.valueIndex);
        }
        org.apache.avro.Schema.Type t = value.getType();
        String name = c.name();
        switch (c.type()) {
            case INT8 -> n.kind = expect(INT8, t, org.apache.avro.Schema.Type.INT, path, c, value);
            case INT16 -> n.kind = expect(INT16, t, org.apache.avro.Schema.Type.INT, path, c, value);
            case INT32 -> n.kind = expect(Date.LOGICAL_NAME.equals(name) ? DATE : Time.LOGICAL_NAME.equals(name) ? TIME : INT32,
                    t, org.apache.avro.Schema.Type.INT, path, c, value);
            case INT64 -> n.kind = expect(Timestamp.LOGICAL_NAME.equals(name) ? TIMESTAMP : INT64,
                    t, org.apache.avro.Schema.Type.LONG, path, c, value);
            case FLOAT32 -> n.kind = expect(FLOAT32, t, org.apache.avro.Schema.Type.FLOAT, path, c, value);
            case FLOAT64 -> n.kind = expect(FLOAT64, t, org.apache.avro.Schema.Type.DOUBLE, path, c, value);
            case BOOLEAN -> n.kind = expect(BOOLEAN, t, org.apache.avro.Schema.Type.BOOLEAN, path, c, value);
            case STRING -> n.kind = expect(STRING, t, org.apache.avro.Schema.Type.STRING, path, c, value);
            case BYTES -> {
                if (t == org.apache.avro.Schema.Type.FIXED && !Decimal.LOGICAL_NAME.equals(name)) {
                    n.kind = FIXED;
                    n.fixedSize = value.getFixedSize();
                } else {
                    n.kind = expect(Decimal.LOGICAL_NAME.equals(name) ? DECIMAL : BYTES,
                            t, org.apache.avro.Schema.Type.BYTES, path, c, value);
                }
            }
            case ARRAY -> {
                n.kind = expect(ARRAY, t, org.apache.avro.Schema.Type.ARRAY, path, c, value);
                n.element = node(c.valueSchema(), c.valueSchema().isOptional(), value.getElementType(), path + "[]");
            }
            case MAP -> map(n, c, value, path);
            case STRUCT -> {
                if (AVRO_UNION.equals(name) || (c.parameters() != null && c.parameters().containsKey(GENERALIZED_UNION))) {
                    throw cannot(path, c, value, "Connect structs that stand for Avro unions are not supported");
                }
                n.kind = expect(STRUCT, t, org.apache.avro.Schema.Type.RECORD, path, c, value);
                List<org.apache.avro.Schema.Field> avroFields = value.getFields();
                n.fields = new Field[avroFields.size()];
                n.children = new Node[avroFields.size()];
                if (avroFields.size() != c.fields().size()) {
                    throw cannot(path, c, value, "the Avro record has " + avroFields.size() + " fields, the struct "
                            + c.fields().size());
                }
                for (int i = 0; i < avroFields.size(); i++) {
                    org.apache.avro.Schema.Field af = avroFields.get(i);
                    Field f = c.field(af.name());
                    if (f == null) {
                        throw cannot(path, c, value, "the struct has no field '" + af.name() + "'");
                    }
                    n.fields[i] = f;
                    n.children[i] = node(f.schema(), f.schema().isOptional(), af.schema(), path + "." + f.name());
                }
            }
            default -> throw cannot(path, c, value, "unknown Connect type");
        }
        return n;
    }

    /** Avro maps have string keys; other Connect maps become arrays of key/value records. */
    private static void map(Node n, Schema c, org.apache.avro.Schema value, String path) {
        if (value.getType() == org.apache.avro.Schema.Type.MAP) {
            if (c.keySchema().type() != Schema.Type.STRING || c.keySchema().isOptional()) {
                throw cannot(path, c, value, "an Avro map needs required string keys");
            }
            n.kind = STRING_MAP;
            n.element = node(c.valueSchema(), c.valueSchema().isOptional(), value.getValueType(), path + "{}");
            return;
        }
        org.apache.avro.Schema entry = value.getType() == org.apache.avro.Schema.Type.ARRAY ? value.getElementType() : null;
        if (entry == null || entry.getType() != org.apache.avro.Schema.Type.RECORD || entry.getFields().size() != 2
                || entry.getField("key") == null || entry.getField("value") == null) {
            throw cannot(path, c, value, "a map needs an Avro map or an array of key/value records");
        }
        n.kind = ENTRY_ARRAY;
        n.keyFirst = entry.getFields().get(0).name().equals("key");
        n.key = node(c.keySchema(), c.keySchema().isOptional(), entry.getField("key").schema(), path + "{key}");
        n.element = node(c.valueSchema(), c.valueSchema().isOptional(), entry.getField("value").schema(), path + "{value}");
    }

    private static int expect(int kind, org.apache.avro.Schema.Type actual, org.apache.avro.Schema.Type wanted, String path,
            Schema c, org.apache.avro.Schema avro) {
        if (actual != wanted) {
            throw cannot(path, c, avro, "expected Avro " + wanted.getName());
        }
        return kind;
    }

    private static DataException cannot(String path, Schema c, org.apache.avro.Schema avro, String why) {
        return new DataException("PktringAvroConverter cannot write " + path + " (Connect " + c.type()
                + (c.name() != null ? " " + c.name() : "") + (c.isOptional() ? ", optional" : "") + ", Avro "
                + avro.getType().getName() + (avro.getLogicalType() != null ? " " + avro.getLogicalType().getName() : "")
                + "): " + why);
    }
}
