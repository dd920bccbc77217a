package io.pktring.topic2pcap;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A capture time given on the command line: RFC 3339 (2026-12-01T10:02:00Z,
 * 2026-12-01T11:02:00.5+01:00) or seconds since 1970 with up to nine decimals
 * (1796119320.25), as nanoseconds since 1970, the unit of the records' ts_ns.
 */
final class CaptureTime {

    private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);

    private CaptureTime() {
    }

    static long parse(String option, String text) {
        try {
            if (text.matches("[0-9]+(\\.[0-9]{1,9})?")) {
                return new BigDecimal(text).movePointRight(9).toBigIntegerExact().longValueExact();
            }
            OffsetDateTime t = OffsetDateTime.parse(text);
            long ns = BigInteger.valueOf(t.toEpochSecond()).multiply(NANOS).add(BigInteger.valueOf(t.getNano()))
                    .longValueExact();
            if (ns < 0) {
                throw new IllegalArgumentException(option + ": '" + text + "' is before 1970");
            }
            return ns;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a time (RFC 3339 such as "
                    + "2026-12-01T10:02:00Z, or seconds since 1970 such as 1796119320.25)");
        }
    }
}
