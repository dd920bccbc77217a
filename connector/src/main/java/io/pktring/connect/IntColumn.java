package io.pktring.connect;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An int[] as a read-only List, the value of an int32 array column of a block record: no Integer
 * per element until one is read through the List; {@link #getInt} reads it unboxed (as
 * PktringAvroConverter does).
 */
public final class IntColumn extends AbstractList<Integer> implements RandomAccess {
    private final int[] values;

    public IntColumn(int[] values) {
        this.values = values;
    }

    /** Element i, unboxed. */
    public int getInt(int i) {
        return values[i];
    }

    @Override
    public Integer get(int i) {
        return values[i];
    }

    @Override
    public int size() {
        return values.length;
    }
}
