package io.pktring.connect.testing;

import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import io.apicurio.registry.utils.converter.AvroConverter;

/**
 * The worker's Avro converter, except that it rejects the packet record whose seq is the
 * {@code reject.seq} setting: a record the converter cannot convert, as a real one fails on bad data.
 */
public class RejectingAvroConverter<T> extends AvroConverter<T> {

    public static final String REJECT_SEQ = "reject.seq";

    private long rejectSeq = -1;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object seq = configs.get(REJECT_SEQ);
        rejectSeq = seq == null ? -1 : Long.parseLong(seq.toString());
        super.configure(configs, isKey);
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        reject(value);
        return super.fromConnectData(topic, schema, value);
    }

    @Override
    public byte[] fromConnectData(String topic, Headers headers, Schema schema, Object value) {
        reject(value);
        return super.fromConnectData(topic, headers, schema, value);
    }

    private void reject(Object value) {
        if (value instanceof Struct s && s.schema().field("seq") != null && s.get("seq") instanceof Long seq
                && seq == rejectSeq) {
            throw new DataException("test converter rejects the packet of seq " + rejectSeq);
        }
    }
}
