package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java side of the ring ABI equals the header, the single definition of the layout. */
class RingLayoutTest {
    static final Path HEADER = Path.of("..", "kmod", "include", "uapi", "pktring.h");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+PKTRING_(\\w+)\\s+([^/\\n]+?)\\s*(?:/\\*.*)?$");
    private static final Pattern NUMBER = Pattern.compile("\\(?\\s*(0x[0-9a-fA-F]+|\\d+)(?:ULL|UL|U|LL|L)?\\s*(?:<<\\s*(\\d+))?\\s*\\)?");
    private static final Pattern COUNTER = Pattern.compile("X\\((\\w+),\\s*(\\d+),\\s*\"(\\w+)\"\\)");

    static String header;
    static Map<String, Long> defines = new LinkedHashMap<>();

    @BeforeAll
    static void parseHeader() throws Exception {
        header = Files.readString(HEADER);
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            Matcher n = NUMBER.matcher(m.group(2));
            if (n.matches()) { // numeric constants only, not the macros
                long v = new BigInteger(n.group(1).replace("0x", ""), n.group(1).startsWith("0x") ? 16 : 10).longValue();
                defines.put(m.group(1), n.group(2) == null ? v : v << Integer.parseInt(n.group(2)));
            }
        }
        Matcher max = Pattern.compile("PKTRING_CTR_MAX\\s*=\\s*(\\d+)").matcher(header); // an enum value
        assertTrue(max.find(), "PKTRING_CTR_MAX in " + HEADER);
        defines.put("CTR_MAX", Long.parseLong(max.group(1)));
        assertTrue(defines.size() > 50, "parsed " + defines.size() + " constants from " + HEADER);
    }

    @Test
    void everyJavaConstantEqualsTheHeader() throws Exception {
        int checked = 0;
        for (Field f : RingLayout.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Long expected = defines.get(f.getName());
            assertNotNull(expected, "RingLayout." + f.getName() + " has no PKTRING_" + f.getName() + " in " + HEADER);
            assertEquals(expected.longValue(), ((Number) f.get(null)).longValue(), "RingLayout." + f.getName());
            checked++;
        }
        assertTrue(checked > 50);
    }

    @Test
    void everyHeaderOffsetAndConstantIsInJava() throws Exception {
        for (String name : defines.keySet()) {
            Field f = RingLayout.class.getField(name); // throws NoSuchFieldException naming the missing one
            assertEquals(defines.get(name).longValue(), ((Number) f.get(null)).longValue(), name);
        }
    }

    @Test
    void countersMatchTheHeaderByNameIndexAndLabel() {
        Matcher m = COUNTER.matcher(header);
        int n = 0;
        while (m.find()) {
            RingCounter c = RingCounter.valueOf(m.group(1));
            assertEquals(Integer.parseInt(m.group(2)), c.index(), c.name());
            assertEquals(m.group(3), c.label(), c.name());
            n++;
        }
        assertEquals(RingCounter.values().length, n, "the enum has exactly the header's counters");
        assertTrue(RingCounter.values().length <= defines.get("CTR_MAX"));
    }

    @Test
    void recordAlignmentMacroMatches() {
        assertTrue(header.contains("#define PKTRING_REC_ALIGN(n)"));
        for (long n = 0; n < 100; n++) {
            long a = (n + defines.get("ALIGN") - 1) & ~(defines.get("ALIGN") - 1);
            assertEquals(a, RingLayout.align(n));
        }
    }
}
