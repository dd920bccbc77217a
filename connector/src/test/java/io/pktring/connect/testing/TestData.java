package io.pktring.connect.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the test captures live, as tests/testdata.sh (the project's one definition) says: the
 * directories it prints, the project's own corpus (build/corpus, generated) first, then an
 * external corpus when one is beside the clone. Tests that read "every capture" read every
 * directory; tests that need a particular kind of capture name a file of the project's corpus.
 */
public final class TestData {

    /** The repository's root: -Dpktring.repo.root, else the parent of the module's directory. */
    public static final Path REPO = Path.of(System.getProperty("pktring.repo.root", "..")).toAbsolutePath().normalize();

    private static List<Path> directories;

    private TestData() {
    }

    /** The directories tests/testdata.sh prints, in its order; it is run once per JVM. */
    public static synchronized List<Path> directories() {
        if (directories == null) {
            directories = List.copyOf(run(REPO.resolve("tests/testdata.sh")));
        }
        return directories;
    }

    /** The project's own corpus, present in every clone. */
    public static Path corpus() {
        return directories().get(0);
    }

    /** A capture of the project's own corpus, by name (tcp.pcap, vlan.pcap, mixed.pcapng, ...). */
    public static Path corpus(String name) {
        Path p = corpus().resolve(name);
        if (!Files.isReadable(p)) {
            throw new IllegalStateException("test capture missing: " + p + " (made by tests/corpus/generate.sh)");
        }
        return p;
    }

    /** Every capture (*.pcap, *.pcapng) of one directory, by name. */
    public static List<Path> captures(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every capture of every directory. */
    public static List<Path> captures() {
        List<Path> all = new ArrayList<>();
        directories().forEach(d -> all.addAll(captures(d)));
        return all;
    }

    /**
     * From each directory at most perDirectory captures, spread evenly over its names: for tests
     * that run an outside tool on each file and would be slow on a large external corpus.
     */
    public static List<Path> sample(int perDirectory) {
        List<Path> out = new ArrayList<>();
        for (Path d : directories()) {
            List<Path> files = captures(d);
            int step = Math.max(1, (files.size() + perDirectory - 1) / perDirectory);
            for (int i = 0; i < files.size(); i += step) {
                out.add(files.get(i));
            }
        }
        return out;
    }

    private static List<Path> run(Path script) {
        try {
            Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in 600 s");
            }
            if (p.exitValue() != 0 || out.isBlank()) {
                throw new IllegalStateException(script + " failed (exit " + p.exitValue() + "): no test captures");
            }
            return out.lines().map(Path::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
