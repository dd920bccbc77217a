package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * topic2pcap against a broker whose only listener wants SASL/SCRAM-SHA-256, as a production
 * cluster does: the credentials come from a consumer properties file (--consumer-config) and -X,
 * as for Kafka's own tools. Without them the read fails with a clear error, not a hang.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecuredBrokerIT {

    static final String USER = "pcap-reader";
    static final String PASSWORD = "reader-secret-" + System.nanoTime();

    static TestBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        TestBroker.assertRegistryUp();
        // The test kit's SASL listener offers PLAIN for its own admin; SCRAM is added beside it.
        broker = TestBroker.start(new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).build())
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256")
                .setConfigProp("listener.name.external.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
        try (Admin admin = broker.cluster.admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), PASSWORD))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void readsThroughScramWithTheConsumerSettingsGiven() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = broker.newTopic("scram", 1);
        Converter c = TestBroker.converter();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < packets.size(); i += 10) {
            List<CapturedPacket> block = packets.subList(i, Math.min(i + 10, packets.size()));
            values.add(c.fromConnectData(topic, io.pktring.connect.PacketSchemas.PACKET_COLUMNS,
                    Topic2PcapIT.columns(block, i)));
        }
        produceAsAdmin(topic, values);
        // The reader may read this topic, nothing more (the test kit's SASL broker authorizes).
        try (Admin admin = broker.cluster.admin()) {
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                    new AccessControlEntry("User:" + USER, "*", AclOperation.READ, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }

        Path config = tmp.resolve("consumer.properties");
        Files.writeString(config, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n");
        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "--consumer-config", config.toString(), "-X",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                        + "\" password=\"" + PASSWORD + "\";", "-w", out.toString());
        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));

        TestBroker.Run wrong = broker.topic2pcap("-t", topic, "--consumer-config", config.toString(), "-X",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                        + "\" password=\"wrong\";", "--connect-timeout-ms", "10000", "-w", out.toString());
        assertEquals(1, wrong.exit(), wrong.log());
        assertTrue(wrong.log().contains("Authentication failed"), wrong.log());
    }

    /** The test kit's admin credentials (PLAIN) write the records, as the connector's would. */
    private static void produceAsAdmin(String topic, List<byte[]> values) throws Exception {
        Map<String, Object> sasl = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + org.apache.kafka.common.test.JaasUtils.KAFKA_PLAIN_ADMIN + "\" password=\""
                        + org.apache.kafka.common.test.JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD + "\";");
        broker.produce(topic, values, sasl);
    }
}
