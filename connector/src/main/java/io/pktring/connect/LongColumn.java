package io.pktring.connect;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A long[] as a read-only List, the value of an int64 array column of a block record: no Long
 * per element until one is read through the List; {@link #getLong} reads it unboxed (as
 * PktringAvroConverter does).
 */
public final class LongColumn extends AbstractList<Long> implements RandomAccess {
    private final long[] values;

    public LongColumn(long[] values) {
        this.values = values;
    }

    /** Element i, unboxed. */
    public long getLong(int i) {
        return values[i];
    }

    @Override
    public Long get(int i) {
        return values[i];
    }

    @Override
    public int size() {
        return values.length;
    }
}
