package io.pktring.topic2pcap;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helpers: the packets of a pcap as libpcap reads them, and tshark's view of a file. */
final class PcapFile {

    static final Path TESTDATA = Path.of(System.getProperty("pktring.testdata", "../../shared/testdata/pcap"));

    private PcapFile() {
    }

    static Path testdata(String name) {
        Path p = TESTDATA.resolve(name);
        if (!Files.isReadable(p)) {
            throw new IllegalStateException("test capture missing: " + p.toAbsolutePath());
        }
        return p;
    }

    /** Every packet of FILE, read by libpcap with nanosecond timestamps. */
    static List<CapturedPacket> read(Path file) {
        Libpcap pcap = Libpcap.get();
        byte[] err = new byte[256];
        Pointer h = pcap.pcap_open_offline_with_tstamp_precision(file.toString(),
                Libpcap.PCAP_TSTAMP_PRECISION_NANO, err);
        if (h == null) {
            throw new IllegalStateException(file + ": " + new String(err, StandardCharsets.US_ASCII).trim());
        }
        try {
            int linktype = pcap.pcap_datalink(h);
            List<CapturedPacket> out = new ArrayList<>();
            PointerByReference hdr = new PointerByReference();
            PointerByReference data = new PointerByReference();
            int rc;
            while ((rc = pcap.pcap_next_ex(h, hdr, data)) == 1) {
                Pointer hp = hdr.getValue();
                long sec = hp.getNativeLong(0).longValue();
                long nsec = hp.getNativeLong(com.sun.jna.NativeLong.SIZE).longValue();
                int caplen = hp.getInt(2L * com.sun.jna.NativeLong.SIZE);
                int len = hp.getInt(2L * com.sun.jna.NativeLong.SIZE + 4);
                out.add(new CapturedPacket(sec * 1_000_000_000L + nsec, caplen, len, linktype,
                        data.getValue().getByteArray(0, caplen)));
            }
            if (rc != -2) {
                throw new IllegalStateException(file + ": " + pcap.pcap_geterr(h));
            }
            return out;
        } finally {
            pcap.pcap_close(h);
        }
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

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
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
