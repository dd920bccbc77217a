package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void defaultsReadTheLocalStackOnceToStdout() {
        Options o = Options.parse(List.of("-t", "cap"));
        assertEquals("127.0.0.1:9092", o.bootstrapServers());
        assertEquals("http://127.0.0.1:8081/apis/ccompat/v7", o.registryUrl());
        assertEquals("-", o.output());
        assertTrue(o.fromBeginning());
        assertEquals(false, o.follow());
        assertEquals(10_000, o.idleTimeoutMs());
    }

    @Test
    void followHasNoIdleTimeoutUnlessGiven() {
        assertEquals(Long.MAX_VALUE, Options.parse(List.of("-t", "cap", "-f")).idleTimeoutMs());
        assertEquals(500, Options.parse(List.of("-t", "cap", "-f", "--idle-timeout-ms", "500")).idleTimeoutMs());
    }

    @Test
    void badInputNamesTheOption() {
        assertMessage("--topic is required", List.of("-w", "x.pcap"));
        assertMessage("-c: 'ten' is not a valid number", List.of("-t", "x", "-c", "ten"));
        assertMessage("-c must be greater than 0", List.of("-t", "x", "-c", "0"));
        assertMessage("-w needs a value", List.of("-t", "x", "-w"));
        assertMessage("unknown option '--bogus'", List.of("-t", "x", "--bogus"));
        assertMessage("--latest needs --follow (otherwise there is nothing to read)", List.of("-t", "x", "--latest"));
    }

    private static void assertMessage(String expected, List<String> args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse(args));
        assertEquals(expected, e.getMessage());
    }
}
