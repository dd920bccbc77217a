package io.pktring.connect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Makes a Connect Struct from values the connector built, without {@link Struct#put}'s checks.
 *
 * <p>Why: in Kafka 3.9 to 4.3, {@code Struct.put(Field, Object)} calls
 * {@code ConnectSchema.validateValue(field.name(), schema, value)}, which builds the text of a
 * possible error ({@code "field: \"" + name + "\""}, ~60 bytes) on every call, before it knows
 * whether the value is wrong; for an array it also walks every element through an iterator,
 * boxing each primitive. A Packet record is 18 puts (~1 KB of garbage per packet); a block of
 * 256 packets boxes ~2,000 numbers. The connector's values have the schema's types by
 * construction (a test holds that every record it makes passes {@link Struct#validate()} and
 * equals the Struct that put makes).
 *
 * <p>How: the values go straight into the Struct's own value array, reached once by reflection
 * (allowed for Kafka's classes, which are on the class path). The result is a plain Struct, as
 * put makes it. Where the array cannot be reached (a Kafka without it, or run as a named module),
 * the values are put one by one as before.
 */
final class StructValues {

    /** Struct.values, or null when it cannot be reached. */
    private static final MethodHandle VALUES = valuesGetter();

    private StructValues() {
    }

    /**
     * A Struct of schema holding values[i] in field i (null: unset). values is the caller's
     * scratch array of schema.fields().size() elements: it is cleared for the next record.
     */
    static Struct of(Schema schema, Object[] values) {
        Struct s = new Struct(schema);
        Object[] target = VALUES == null ? null : array(s);
        if (target != null && target.length == values.length) {
            System.arraycopy(values, 0, target, 0, values.length);
        } else {
            for (Field f : schema.fields()) {
                if (values[f.index()] != null) {
                    s.put(f, values[f.index()]);
                }
            }
        }
        java.util.Arrays.fill(values, null);
        return s;
    }

    /** Whether Struct's value array is reached (false: every value goes through put). */
    static boolean direct() {
        return VALUES != null;
    }

    private static Object[] array(Struct s) {
        try {
            return (Object[]) VALUES.invokeExact(s);
        } catch (Throwable e) {
            return null;
        }
    }

    private static MethodHandle valuesGetter() {
        try {
            java.lang.reflect.Field f = Struct.class.getDeclaredField("values");
            if (f.getType() != Object[].class) {
                return null;
            }
            f.setAccessible(true);
            return MethodHandles.lookup().unreflectGetter(f);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // InaccessibleObjectException, SecurityException: put them one by one
        }
    }
}
