package io.pktring.connect.ring;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Prints a ring's packets, from the earliest to the head seen at start, one per line:
 * {@code seq ts_ns caplen origlen hexbytes}. Loss (the reader was lapped) goes to stderr as
 * {@code lost N before seq S}. Used by the kernel module's VM test to check the Java reader
 * against the real module.
 *
 * <pre>java -cp ... io.pktring.connect.ring.RingCat --ring /dev/pktring/eth0</pre>
 */
public final class RingCat {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RingCat() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        if (args.length != 2 || !args[0].equals("--ring")) {
            stderr.println("usage: RingCat --ring PATH");
            return 2;
        }
        try (RingMapping ring = RingMapping.open(Path.of(args[1]))) {
            RingReader reader = RingReader.atEarliest(ring);
            long end = ring.head();
            CopiedPacket rec;
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.US_ASCII), 1 << 16);
            StringBuilder line = new StringBuilder();
            while (Long.compareUnsigned(reader.position(), end) < 0 && (rec = reader.next(0)) != null) {
                if (rec.lostBefore > 0) {
                    out.flush();
                    stderr.println("lost " + rec.lostBefore + " before seq " + rec.seq);
                }
                line.setLength(0);
                line.append(Long.toUnsignedString(rec.seq)).append(' ').append(Long.toUnsignedString(rec.tsNanos))
                        .append(' ').append(rec.caplen).append(' ').append(Integer.toUnsignedString(rec.origlen)).append(' ');
                for (int i = 0; i < rec.caplen; i++) {
                    line.append(HEX[(rec.data[i] >> 4) & 0xf]).append(HEX[rec.data[i] & 0xf]);
                }
                out.append(line).append('\n');
            }
            out.flush();
            if (reader.lostTotal() > 0) {
                stderr.println("lost " + reader.lostTotal() + " packets in total (lapped by the writer)");
            }
            return 0;
        } catch (RingException e) {
            stderr.println("RingCat: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (IOException e) {
            stderr.println("RingCat: cannot write output: " + e.getMessage());
            return 1;
        }
    }
}
