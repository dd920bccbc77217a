package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PktringSourceConnector;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.ring.RingLayout;
import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.TestData;

/**
 * Bad configurations are answered by the worker's REST API with the field and the reason:
 * PUT /connector-plugins/{plugin}/config/validate lists the errors per field, and creating a
 * connector with such a config is refused with 400.
 */
class ValidateIT {

    @TempDir
    static Path dir;
    static Path ring;
    static final ConnectStack stack = ConnectStack.shared();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void makeRing() throws Exception {
        ring = dir.resolve("ring");
        assertEquals(0, Replayer.replay(ring, "1M", false, TestData.corpus("udp.pcap").toString()));
    }

    static Map<String, String> config(String... kv) {
        Map<String, String> c = ConnectStack.connectorConfig(ring.toString(), "validate");
        c.put("name", "validate");
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    /** The validate endpoint's errors, by field. */
    static Map<String, List<String>> validate(Map<String, String> config) throws Exception {
        ConnectStack.Reply r = stack.rest("PUT", "connector-plugins/" + PktringSourceConnector.class.getSimpleName()
                + "/config/validate", JSON.writeValueAsString(config));
        assertEquals(200, r.status(), r.body());
        JsonNode body = JSON.readTree(r.body());
        Map<String, List<String>> errors = new HashMap<>();
        for (JsonNode c : body.get("configs")) {
            JsonNode v = c.get("value");
            List<String> e = JSON.convertValue(v.get("errors"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
            if (!e.isEmpty()) {
                errors.put(v.get("name").asText(), e);
            }
        }
        assertEquals(body.get("error_count").asInt(), errors.values().stream().mapToInt(List::size).sum());
        return errors;
    }

    static void assertError(Map<String, List<String>> errors, String field, String... words) {
        assertTrue(errors.containsKey(field), "an error on " + field + ": " + errors);
        String msg = String.join(" | ", errors.get(field));
        for (String w : words) {
            assertTrue(msg.contains(w), field + " error mentions '" + w + "': " + msg);
        }
    }

    @Test
    void aGoodConfigHasNoErrors() throws Exception {
        assertEquals(Map.of(), validate(config("filter", "tcp port 80")));
    }

    @Test
    void missingRing() throws Exception {
        Path missing = dir.resolve("no-such-ring");
        assertError(validate(config("ring.paths", missing.toString())), "ring.paths", missing.toString(), "No such file");
    }

    @Test
    void fileThatIsNotARing() throws Exception {
        Path pcap = TestData.corpus("udp.pcap");
        assertError(validate(config("ring.paths", pcap.toString())), "ring.paths", pcap.toString(), "not a pktring ring");
    }

    @Test
    void wrongAbiVersion() throws Exception {
        Path other = dir.resolve("abi2");
        Files.copy(ring, other);
        TestRingWriter.corrupt(other, RingLayout.OFF_ABI_VERSION, 2);
        assertError(validate(config("ring.paths", other.toString())), "ring.paths", other.toString(), "ABI v2");
    }

    @Test
    void badFilter() throws Exception {
        assertError(validate(config("filter", "tcp and and")), "filter", "tcp and and", "does not compile");
    }

    @Test
    void badSizesAndChoices() throws Exception {
        Map<String, List<String>> e = validate(config("batch.max.packets", "0", "poll.timeout.ms", "5000",
                "batch.max.bytes", "-1", "snaplen", "0", "record.mode", "frames", "start.position", "middle",
                "topic", "bad topic!"));
        assertError(e, "batch.max.packets", "at least 1");
        assertError(e, "poll.timeout.ms", "500");
        assertError(e, "batch.max.bytes", "at least 1024");
        assertError(e, "snaplen", "at least 1");
        assertError(e, "record.mode", "packet", "block");
        assertError(e, "start.position", "earliest", "latest");
        assertError(e, "topic", "not a valid topic name");
    }

    @Test
    void moreRingsThanTasks() throws Exception {
        Path second = dir.resolve("ring2");
        assertEquals(0, Replayer.replay(second, "1M", false, TestData.corpus("udp.pcap").toString()));
        assertError(validate(config("ring.paths", ring + "," + second, "tasks.max", "1")), "ring.paths", "tasks.max >= 2");
    }

    @Test
    void aRingGroupThatDoesNotFitTasksMaxIsExplained() throws Exception {
        Path group = dir.resolve("group");
        assertEquals(0, Replayer.replay(group, "1M", false, "--rings", "2", TestData.corpus("mixed.pcapng").toString()));
        assertEquals(Map.of(), validate(config("ring.paths", group.toString(), "tasks.max", "2")));
        assertError(validate(config("ring.paths", group + "," + ring, "tasks.max", "2")), "ring.paths",
                "names 3 rings", group + " is a ring group of 2 members", ring + " is 1 ring", "tasks.max >= 3",
                "a member without a task would never be read");
        assertError(validate(config("ring.paths", group + "," + group.resolve("1"), "tasks.max", "3")), "ring.paths",
                group.resolve("1") + ": listed twice");
    }

    @Test
    void aRingGroupWithAStrayMemberIsNamed() throws Exception {
        Path group = dir.resolve("stray");
        Path other = dir.resolve("other");
        assertEquals(0, Replayer.replay(group, "1M", false, "--rings", "2", TestData.corpus("mixed.pcapng").toString()));
        assertEquals(0, Replayer.replay(other, "1M", false, "--rings", "2", TestData.corpus("mixed.pcapng").toString()));
        Files.move(other.resolve("1"), group.resolve("1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertError(validate(config("ring.paths", group.toString(), "tasks.max", "2")), "ring.paths",
                group.toString(), "member 1 is not of the group member 0 is in");
    }

    @Test
    void creatingAConnectorWithABadConfigIsRefusedWith400() throws Exception {
        Map<String, String> bad = config("filter", "tcp and and");
        bad.remove("name");
        ConnectStack.Reply r = stack.rest("PUT", "connectors/validate-bad/config", JSON.writeValueAsString(bad));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("does not compile"), r.body());
        assertFalse(stack.connect.connectors().contains("validate-bad"));
    }
}
