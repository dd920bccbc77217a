package io.pktring.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pktring.connect.ring.RingException;
import io.pktring.connect.ring.RingMapping;

/**
 * Watches the path of the ring a {@link RingFollower} reads, for what an idle follower must act
 * on: the ring ended, or the file at the path was replaced (a re-created ring) or removed. Looks
 * at most every 500 ms; a path that stays empty, or holds a ring that cannot be opened, for
 * ring.missing.timeout.ms fails the task.
 */
final class RingPathWatch {

    private static final Logger log = LoggerFactory.getLogger(RingPathWatch.class);
    private static final long CHECK_INTERVAL_MS = 500;

    private final Path path;
    private final long missingTimeoutMs;
    private Object fileKey;
    private long nextCheck;
    private long missingSince = -1;
    private long unreadableSince = -1;
    private String lastProblem;

    RingPathWatch(Path path, long missingTimeoutMs) {
        this.path = path;
        this.missingTimeoutMs = missingTimeoutMs;
    }

    /** The ring now at the path is being read: watch its file from now on. */
    void following() {
        fileKey = fileKey(path);
        nextCheck = System.currentTimeMillis() + CHECK_INTERVAL_MS;
    }

    /**
     * A ring of another epoch than the one read, opened from the path when the read ring ended or
     * its file was replaced; null when there is none (yet), or it is not yet time to look.
     *
     * @throws ConnectException the path stayed empty or unreadable for longer than the timeout
     */
    RingMapping replacement(boolean ended, long epoch) {
        long now = System.currentTimeMillis();
        if (now < nextCheck) {
            return null;
        }
        nextCheck = now + CHECK_INTERVAL_MS;
        Object key = fileKey(path);
        if (key == null) {
            if (missingSince < 0) {
                missingSince = now;
                log.warn("{}: the ring file is gone{}; waiting up to {} ms for it to be re-created", path,
                        ended ? " and the ring has ended" : "", missingTimeoutMs);
            } else if (now - missingSince > missingTimeoutMs) {
                throw new ConnectException(path + ": the ring vanished (no file for " + (now - missingSince)
                        + " ms). Start its writer again (pktring-capd/pktring-replay, or create the kernel "
                        + "ring), or remove it from '" + PktringSourceConnectorConfig.RING_PATHS
                        + "', then restart the task.");
            }
            return null;
        }
        missingSince = -1;
        if (!ended && Objects.equals(key, fileKey)) {
            return null;
        }
        RingMapping fresh;
        try {
            fresh = RingMapping.open(path);
        } catch (RingException e) {
            if (!Objects.equals(e.getMessage(), lastProblem)) {
                log.warn("{}: the ring {}, but the ring now at the path cannot be opened yet: {}", path,
                        ended ? "ended" : "was replaced", e.getMessage());
                lastProblem = e.getMessage();
            }
            if (unreadableSince < 0) {
                unreadableSince = now; // a ring that never becomes readable fails the task like a vanished one
            } else if (now - unreadableSince > missingTimeoutMs) {
                throw new ConnectException(path + ": the ring " + (ended ? "ended" : "was replaced")
                        + " and what is at the path now cannot be read (for " + (now - unreadableSince) + " ms): "
                        + e.getMessage() + ". Fix or restart the ring's writer, then restart the task.", e);
            }
            return null;
        }
        lastProblem = null;
        unreadableSince = -1;
        if (fresh.identity().epoch() == epoch) {
            fresh.close(); // the same ring (ended and drained, or its file was only renamed)
            fileKey = key;
            return null;
        }
        return fresh;
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null; // gone (or unreadable): both are no ring at the path
        }
    }
}
