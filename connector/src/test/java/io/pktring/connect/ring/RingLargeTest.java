package io.pktring.connect.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ring larger than one ByteBuffer can hold (2 GiB) is mapped in 1 GiB chunks; a record that
 * straddles two chunks is read whole. The file is sparse, so this costs no disk or memory.
 */
class RingLargeTest {
    @TempDir
    Path dir;

    @Test
    void readsARecordThatStraddlesTwoMappingChunks() throws Exception {
        long dataSize = 1L << 32; // 4 GiB: four chunks
        long pos = (1L << 30) - 16; // the record crosses the first chunk boundary
        byte[] payload = new byte[200];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7 + 1);
        }
        int len = (int) RingLayout.align(RingLayout.REC_HDR_SIZE + payload.length);
        Path path = dir.resolve("big");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer ctl = ByteBuffer.allocate(RingLayout.CTL_SIZE).order(ByteOrder.nativeOrder());
            ctl.putLong(RingLayout.OFF_MAGIC, RingLayout.MAGIC);
            ctl.putInt(RingLayout.OFF_ABI_VERSION, RingLayout.ABI_VERSION);
            ctl.putInt(RingLayout.OFF_REC_HDR_SIZE, RingLayout.REC_HDR_SIZE);
            ctl.putLong(RingLayout.OFF_DATA_OFFSET, RingLayout.CTL_SIZE);
            ctl.putLong(RingLayout.OFF_DATA_SIZE, dataSize);
            ctl.putLong(RingLayout.OFF_EPOCH, 99);
            ctl.putInt(RingLayout.OFF_FLAGS, RingLayout.WAIT_FUTEX);
            ctl.putInt(RingLayout.OFF_RING_COUNT, 1);
            ctl.putInt(RingLayout.OFF_MAX_RECORD, len);
            ctl.putInt(RingLayout.OFF_STATE, RingLayout.STATE_ENDED);
            ctl.putLong(RingLayout.OFF_RECLAIM, pos);
            ctl.putLong(RingLayout.OFF_HEAD, pos + len);
            ch.write(ctl, 0);
            ByteBuffer rec = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
            rec.putInt(RingLayout.ROFF_LEN, len);
            rec.putShort(RingLayout.ROFF_TYPE, (short) RingLayout.REC_PACKET);
            rec.putLong(RingLayout.ROFF_SEQ, 5);
            rec.putInt(RingLayout.ROFF_CAPLEN, payload.length);
            rec.putInt(RingLayout.ROFF_ORIGLEN, payload.length);
            rec.put(RingLayout.REC_HDR_SIZE, payload);
            ch.write(rec, RingLayout.CTL_SIZE + pos);
            ch.write(ByteBuffer.allocate(1), RingLayout.CTL_SIZE + dataSize - 1); // full length, sparse
        }
        try (RingMapping ring = RingMapping.open(path)) {
            assertEquals(dataSize, ring.identity().dataSize());
            RingReader reader = RingReader.atEarliest(ring);
            CopiedPacket out = reader.next(0);
            assertNotNull(out);
            assertEquals(5, out.seq);
            assertArrayEquals(payload, Arrays.copyOf(out.data, out.caplen));
            assertNull(reader.next(0));
        }
    }
}
