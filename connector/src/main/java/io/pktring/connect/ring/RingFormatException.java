package io.pktring.connect.ring;

/** The file is not a readable pktring ring: wrong magic or ABI, bad sizes, or a corrupt record. */
public final class RingFormatException extends RingException {
    private static final long serialVersionUID = 1L;

    public RingFormatException(String message) {
        super(message);
    }
}
