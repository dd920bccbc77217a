package io.pktring.connect.bench;

import java.util.HashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.pktring.connect.testing.ConnectStack;

/**
 * A plain KafkaProducer with the worker's producer settings, sending records already encoded
 * (key, value and headers of one of the connector's records, as its converter wrote them) to
 * the same broker: what the connector's records would cost with no ring, no Connect data and no
 * converter. With block records this is the ceiling of the connector's packets per second.
 */
final class PlainProducer {

    private PlainProducer() {
    }

    /** Sends n copies of the record to a new topic; seconds from the first send to the last ack. */
    static double send(ConnectStack stack, String topic, byte[] key, byte[] value, RecordHeaders headers, int n)
            throws Exception {
        stack.connect.kafka().createTopic(topic, 1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = stack.connect.kafka().createProducer(
                new HashMap<>(ConnectorBenchmark.PRODUCER))) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(); // metadata and connection first
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                // A new array per record, as the converter makes one: the producer copies it into its batch.
                producer.send(new ProducerRecord<>(topic, null, key, value.clone(), new RecordHeaders(headers.toArray())),
                        (md, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (failure.get() != null) {
                throw failure.get();
            }
            return seconds;
        }
    }
}
