package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * Offsets as an operator handles them: the body of GET /connectors/NAME/offsets piped through jq
 * (Debian's 1.6 reads numbers as doubles) and PATCHed back resumes exactly where the connector
 * was, publishing nothing twice; an offset whose epoch is not the ring's is refused with the
 * reason instead of turning into a full replay.
 */
class OffsetsRoundTripIT {

    @TempDir
    Path dir;

    final ConnectStack stack = ConnectStack.shared();

    @AfterEach
    void cleanUp() {
        stack.deleteConnectors("jq");
    }

    static String jq(String json) throws Exception {
        Process p = new ProcessBuilder("jq", ".").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "jq failed");
        return out;
    }

    static boolean jqInstalled() {
        try {
            return new ProcessBuilder("jq", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void offsetsPipedThroughJqAndPatchedBackResumeExactlyAndAForeignEpochIsRefused() throws Exception {
        assumeTrue(jqInstalled(), "jq is not installed (apt-get install jq)");
        PcapFile.Contents capture = PcapFile.read(TestData.corpus("udp.pcap"));
        int n = capture.packets().size();
        Path ring = dir.resolve("ring");
        assertEquals(0, Replayer.replay(ring, "1M", false, capture.path().toString()));
        stack.connect.kafka().createTopic("jq", 1);
        stack.connect.configureConnector("jq", ConnectStack.connectorConfig(ring.toString(), "jq",
                "record.timestamp", "publish"));
        assertEquals(n, stack.consume("jq", n, 500, Duration.ofSeconds(30), true).size());
        ConnectStack.await(Duration.ofSeconds(30), "the committed offset of the last packet", () ->
                stack.connect.connectorOffsets("jq").offsets().stream()
                        .anyMatch(o -> ((Number) o.offset().get("seq")).longValue() == n));
        stack.connect.stopConnector("jq");
        stack.connect.assertions().assertConnectorIsStopped("jq", "connector did not stop");

        ConnectStack.Reply got = stack.rest("GET", "connectors/jq/offsets", null);
        assertEquals(200, got.status(), got.body());
        String piped = jq(got.body());
        JsonNode before = new ObjectMapper().readTree(got.body());
        JsonNode after = new ObjectMapper().readTree(piped);
        assertEquals(before, after, "jq kept every number: " + got.body() + " -> " + piped);
        ConnectStack.Reply patched = stack.rest("PATCH", "connectors/jq/offsets", piped);
        assertEquals(200, patched.status(), patched.body());

        JsonNode offset = after.get("offsets").get(0).get("offset");
        long epoch = offset.get("epoch").asLong();
        String foreign = piped.replace("\"epoch\": " + epoch, "\"epoch\": " + (epoch + 1));
        assertNotEquals(piped, foreign);
        ConnectStack.Reply refused = stack.rest("PATCH", "connectors/jq/offsets", foreign);
        assertEquals(400, refused.status(), refused.body());
        assertTrue(refused.body().contains("is not the epoch of the ring at " + ring)
                && refused.body().contains(Long.toString(epoch)), refused.body());

        assertEquals(0, Replayer.replay(ring, "1M", true, capture.path().toString())); // n more
        stack.connect.resumeConnector("jq");
        List<Decoded> all = stack.consume("jq", 2 * n, 1000, Duration.ofSeconds(30), true);
        TreeSet<Long> seqs = new TreeSet<>();
        all.forEach(d -> seqs.add(d.header(PacketSchemas.HEADER_SEQ)));
        assertEquals(2 * n, all.size(), "the first " + n + " packets once, then the " + n + " appended: none again");
        assertEquals(2 * n, seqs.size());
        assertEquals(0, all.get(n).header(PacketSchemas.HEADER_LOST));
        assertEquals(n, all.get(n).header(PacketSchemas.HEADER_SEQ));
        System.out.printf("OffsetsRoundTripIT: epoch %d through %s: resumed at seq %d, 0 published again%n", epoch,
                Replayer.run(5, "jq", "--version").trim(), n);
    }
}
