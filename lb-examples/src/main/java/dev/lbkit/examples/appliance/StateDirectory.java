package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The appliance's state directory: certificate, credentials, audit log, configuration versions. */
final class StateDirectory {
    private StateDirectory() {}

    /** The state directory for this configuration file and settings, created owner-only. */
    static Path resolve(Path configFile, ApplianceConfig.Admin admin) throws IOException {
        Path dir = admin.stateDirectory().orElseGet(() -> {
            Path parent = configFile.toAbsolutePath().getParent();
            return parent.resolve("lbkit-state");
        });
        Files.createDirectories(dir);
        ownerOnly(dir);
        return dir;
    }

    static void ownerOnly(Path p) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwx------"
                    : "rw-------"));
        }
    }
}
