package io.pktring.connect.ring;

/** A ring cannot be opened or read; the message says what is wrong and what to do. */
public class RingException extends Exception {
    private static final long serialVersionUID = 1L;

    public RingException(String message) {
        super(message);
    }

    public RingException(String message, Throwable cause) {
        super(message, cause);
    }
}
