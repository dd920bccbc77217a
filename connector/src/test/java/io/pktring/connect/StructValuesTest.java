package io.pktring.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Date;

import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class StructValuesTest {

    /** The Kafka the connector is built against: the fast path is the one the records take. */
    @Test
    void reachesTheStructsValuesOnThisKafka() {
        assertTrue(StructValues.direct(), "Struct.values is not reachable: every value would go through put");
    }

    @Test
    void makesTheStructPutMakesAndClearsTheScratchArray() {
        Object[] v = new Object[PacketSchemas.PACKET.fields().size()];
        Struct put = new Struct(PacketSchemas.PACKET);
        Object[][] fields = {
            {PacketSchemas.F_TIMESTAMP, new Date(1_700_000_000_123L)}, {PacketSchemas.F_TS_NS, 1_700_000_000_123_456_789L},
            {PacketSchemas.F_SEQ, 7L}, {PacketSchemas.F_IFNAME, "eth0"}, {PacketSchemas.F_IFINDEX, 2},
            {PacketSchemas.F_DIRECTION, "in"}, {PacketSchemas.F_PKTTYPE, 0}, {PacketSchemas.F_CAPLEN, 3},
            {PacketSchemas.F_ORIGLEN, 60}, {PacketSchemas.F_LINKTYPE, 1}, {PacketSchemas.F_DATA, new byte[] {1, 2, 3}},
            {PacketSchemas.F_SRC_ADDR, "10.0.0.1"}, {PacketSchemas.F_SRC_PORT, 8080},
        };
        for (Object[] f : fields) {
            put.put((String) f[0], f[1]);
            v[PacketSchemas.PACKET.field((String) f[0]).index()] = f[1];
        }
        Struct made = StructValues.of(PacketSchemas.PACKET, v);
        made.validate();
        assertEquals(put, made);
        assertEquals(put.toString(), made.toString());
        assertEquals(null, made.get(PacketSchemas.F_DST_ADDR));
        assertArrayEquals(new Object[v.length], v);
    }
}
