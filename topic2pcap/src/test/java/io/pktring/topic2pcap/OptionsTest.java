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

    @Test
    void timesAreRfc3339OrSecondsSince1970InNanoseconds() {
        Options o = Options.parse(List.of("-t", "x", "--start", "2026-12-01T10:02:00.5Z", "--end", "1796119500.000000001"));
        assertEquals(1_796_119_320_500_000_000L, o.startNs());
        assertEquals(1_796_119_500_000_000_001L, o.endNs());
        assertEquals(o.startNs(), Options.parse(List.of("-t", "x", "--start", "2026-12-01T11:02:00.5+01:00")).startNs());
        assertTrue(o.inRange(o.startNs()) && o.inRange(o.endNs()));
        assertTrue(!o.inRange(o.startNs() - 1) && !o.inRange(o.endNs() + 1));
        Options open = Options.parse(List.of("-t", "x"));
        assertTrue(open.inRange(0) && open.inRange(-1L), "no range: every u64 time, past 2262 too");
    }

    @Test
    void clientSettingsGoToTheConsumerOrTheRegistry() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("consumer", ".properties");
        java.nio.file.Files.writeString(file, "security.protocol=SASL_SSL\nbootstrap.servers=kafka:9093\n"
                + "schema.registry.basic.auth.user.info=reader:secret\n");
        Options o = Options.parse(List.of("-t", "x", "--consumer-config", file.toString(), "-X", "sasl.mechanism=SCRAM-SHA-512",
                "-X", "security.protocol=SASL_PLAINTEXT"));
        assertEquals("SASL_PLAINTEXT", o.clients().consumer().get("security.protocol"), "a later setting wins");
        assertEquals("SCRAM-SHA-512", o.clients().consumer().get("sasl.mechanism"));
        assertEquals("kafka:9093", o.bootstrapServers(), "the file's bootstrap.servers without -b");
        assertEquals("reader:secret", o.clients().registry().get("basic.auth.user.info"));
        assertTrue(!o.clients().consumer().containsKey("schema.registry.basic.auth.user.info"));
        assertEquals("127.0.0.1:1", Options.parse(List.of("-t", "x", "--consumer-config", file.toString(), "-b", "127.0.0.1:1"))
                .bootstrapServers(), "-b wins");
        java.nio.file.Files.delete(file);
    }

    @Test
    void badRangesAndSettingsNameTheProblem() {
        assertMessage("--end is before --start", List.of("-t", "x", "--start", "2026-12-01T10:05:00Z", "--end", "2026-12-01T10:02:00Z"));
        assertMessage("--end reads a bounded range; it cannot be used with --follow", List.of("-t", "x", "-f", "--end", "1"));
        assertMessage("--start and --latest contradict each other", List.of("-t", "x", "-f", "--latest", "--start", "1"));
        assertTrue(message(List.of("-t", "x", "--start", "yesterday")).startsWith("--start: 'yesterday' is not a time"));
        assertTrue(message(List.of("-t", "x", "--start", "1969-12-31T23:59:59Z")).contains("before 1970"));
        assertMessage("-X: 'security.protocol' is not key=value", List.of("-t", "x", "-X", "security.protocol"));
        assertTrue(message(List.of("-t", "x", "-X", "schema.registry.url=http://x")).startsWith(
                "-X: unknown registry setting 'schema.registry.url'"));
        assertTrue(message(List.of("-t", "x", "--consumer-config", "/nonexistent/c.properties")).startsWith(
                "--consumer-config: cannot read /nonexistent/c.properties"));
    }

    /** A filter that is not tcpdump syntax is bad usage (exit 2), told before Kafka is asked anything. */
    @Test
    void aFilterThatIsNotTcpdumpSyntaxIsBadUsage() {
        assertEquals(2, Topic2Pcap.run(new String[] {"-t", "x", "-b", "127.0.0.1:1", "--filter", "tcp portt 80"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Topic2Pcap(
                Options.parse(List.of("-t", "x", "--filter", "tcp portt 80")), System.err));
        assertTrue(e.getMessage().startsWith("--filter 'tcp portt 80': "), e.getMessage());
    }

    private static String message(List<String> args) {
        return assertThrows(IllegalArgumentException.class, () -> Options.parse(args)).getMessage();
    }

    private static void assertMessage(String expected, List<String> args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse(args));
        assertEquals(expected, e.getMessage());
    }
}
