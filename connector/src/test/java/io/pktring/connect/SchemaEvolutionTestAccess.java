package io.pktring.connect;

import java.io.IOException;
import org.apache.avro.Schema;

/** The schema versions the unit tests hold, for the integration tests of other packages. */
public final class SchemaEvolutionTestAccess {

    private SchemaEvolutionTestAccess() {
    }

    /** Version 1 of Packet or PacketColumns, as it shipped. */
    public static Schema v1(String name) throws IOException {
        return SchemaEvolutionTest.v1(name);
    }

    /** The Avro schema a converter derives from a Connect schema (what is shipped in src/main/avro). */
    public static Schema derived(org.apache.kafka.connect.data.Schema connect) {
        return AvroSchemaFilesTest.derived(connect);
    }
}
