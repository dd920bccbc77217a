package io.pktring.connect;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** The default sensor name: the host the worker runs on, as the kernel names it (uname -n). */
final class Sensor {

    private Sensor() {
    }

    static String defaultName() {
        String name = null;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e2) {
                // no name: below
            }
        }
        // Whatever the host is called, the default must pass the sensor setting's own check.
        name = name == null ? "" : name.replaceAll("[^A-Za-z0-9._:-]", "_");
        return name.isEmpty() ? "localhost" : name.substring(0, Math.min(name.length(), 253));
    }
}
