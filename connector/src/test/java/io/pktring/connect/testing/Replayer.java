package io.pktring.connect.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's own C tools (kmod/bin, built by `make -C kmod`): pktring-replay feeds rings,
 * pktring-dump is a second, independent reader of the same ring.
 */
public final class Replayer {

    private static final Path BIN = TestData.REPO.resolve("kmod/bin");

    private Replayer() {
    }

    /** True when `make -C kmod` has built the tool. */
    public static boolean built(String name) {
        return Files.isExecutable(BIN.resolve(name));
    }

    public static Path tool(String name) {
        Path p = BIN.resolve(name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing: build the C tools first (make -C kmod)");
        }
        return p;
    }

    /** Replays files into the ring at path (a new ring unless append); returns the exit status. */
    public static int replay(Path ring, String size, boolean append, String... argsAndFiles) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool("pktring-replay").toString(), "-q", "-r", ring.toString(), "-s", size));
        if (append) {
            cmd.add("-a");
        }
        cmd.addAll(List.of(argsAndFiles));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pktring-replay did not finish in 120 s: " + cmd);
        }
        if (p.exitValue() != 0) {
            System.err.println("pktring-replay exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + new String(out));
        }
        return p.exitValue();
    }

    /** Starts a replay in the background (e.g. at a rate); the caller waits for or kills it. */
    public static Process startReplay(Path ring, String size, String... argsAndFiles) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(tool("pktring-replay").toString(), "-q", "-r", ring.toString(), "-s", size));
        cmd.addAll(List.of(argsAndFiles));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Runs a command to completion within timeout seconds and returns its stdout; fails on non-zero exit. */
    public static String run(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("did not finish in " + timeoutSeconds + " s: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", cmd));
        }
        return new String(out);
    }
}
