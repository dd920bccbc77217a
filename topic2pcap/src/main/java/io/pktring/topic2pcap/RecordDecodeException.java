package io.pktring.topic2pcap;

/** A record on the topic that is not a pktring packet in Confluent wire format. */
public final class RecordDecodeException extends Exception {
    public RecordDecodeException(String message) {
        super(message);
    }

    public RecordDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
