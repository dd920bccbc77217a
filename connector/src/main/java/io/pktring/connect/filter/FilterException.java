package io.pktring.connect.filter;

/** A filter expression does not compile (libpcap's message), or libpcap cannot be loaded. */
public final class FilterException extends Exception {
    private static final long serialVersionUID = 1L;

    public FilterException(String message) {
        super(message);
    }

    public FilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
