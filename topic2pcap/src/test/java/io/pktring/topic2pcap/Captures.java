package io.pktring.topic2pcap;

import io.pktring.connect.testing.PcapFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers: a capture's packets as topic2pcap carries them, read by the project's one pcap
 * reader, and what tshark and tcpdump see in a file.
 */
final class Captures {

    private Captures() {
    }

    /** Every packet of FILE, read by libpcap with nanosecond timestamps; a damaged file fails. */
    static List<CapturedPacket> read(Path file) {
        PcapFile.Contents c = PcapFile.read(file);
        if (c.error() != null) {
            throw new IllegalStateException(file + ": " + c.error());
        }
        return c.packets().stream()
                .map(p -> new CapturedPacket(p.tsNanos(), p.caplen(), p.origlen(), c.linktype(), p.data()))
                .toList();
    }

    /** tshark's reading of FILE: one line per packet, epoch time, wire and captured length. */
    static List<String> tsharkFields(Path file) throws IOException, InterruptedException {
        return run(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"));
    }

    /** tcpdump's reading of FILE: time in ns, headers decoded, every byte in hex. */
    static List<String> tcpdumpHex(Path file) throws IOException, InterruptedException {
        return run(List.of("tcpdump", "-n", "-tt", "--nano", "-xx", "-r", file.toString()));
    }

    /** Runs a command (its stderr discarded) and gives its stdout lines; a failure throws. */
    static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited with " + p.exitValue());
        }
        return lines;
    }
}
