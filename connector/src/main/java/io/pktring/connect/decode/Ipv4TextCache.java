package io.pktring.connect.decode;

/**
 * The text of recently seen IPv4 addresses: traffic repeats its addresses, so most packets find
 * theirs here and share one String instead of formatting a new one (two per packet record).
 * Direct-mapped, 256 entries; one per {@link PacketSummary}, so not thread-safe.
 */
final class Ipv4TextCache {
    private static final int SIZE = 256;

    private final int[] addresses = new int[SIZE];
    private final String[] texts = new String[SIZE];

    /** The dotted quad of the 4 bytes at a[off]. */
    String format(byte[] a, int off) {
        int address = (a[off] & 0xff) << 24 | (a[off + 1] & 0xff) << 16 | (a[off + 2] & 0xff) << 8 | (a[off + 3] & 0xff);
        int slot = (address ^ address >>> 8 ^ address >>> 16 ^ address >>> 24) & (SIZE - 1);
        String text = texts[slot];
        if (text == null || addresses[slot] != address) {
            text = IpText.format(a, off, 4);
            addresses[slot] = address;
            texts[slot] = text;
        }
        return text;
    }
}
