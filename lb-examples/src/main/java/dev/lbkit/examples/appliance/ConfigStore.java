package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content, never a mix: the new
 * text goes to a temporary file in the same directory, is forced to disk, renamed over the target (atomic on
 * POSIX file systems), and the directory is forced so the rename itself survives a power loss. The previous
 * content is first kept as {@code versions/NAME.TIMESTAMP}; only the newest {@code keep} versions stay.
 */
final class ConfigStore {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path file;
    private final Path versions;
    private final int keep;

    ConfigStore(Path file, Path versionsDirectory, int keep) {
        this.file = file.toAbsolutePath();
        this.versions = versionsDirectory;
        this.keep = keep;
    }

    Path file() {
        return file;
    }

    /** Replaces the file's content atomically, keeping the previous content as a version. */
    synchronized void write(String text) throws IOException {
        Path dir = file.getParent();
        if (keep > 0 && Files.exists(file)) {
            Files.createDirectories(versions);
            Path version = versions.resolve(file.getFileName() + "." + STAMP.format(Instant.now()));
            int n = 1;
            while (Files.exists(version)) {
                version = versions.resolve(file.getFileName() + "." + STAMP.format(Instant.now()) + "-" + n++);
            }
            atomicWrite(version, Files.readAllBytes(file));
            prune();
        }
        atomicWrite(file, text.getBytes(StandardCharsets.UTF_8));
        forceDirectory(dir);
    }

    /** The kept versions, oldest first. */
    List<Path> versions() throws IOException {
        if (!Files.isDirectory(versions)) {
            return List.of();
        }
        String prefix = file.getFileName() + ".";
        try (Stream<Path> s = Files.list(versions)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.getFileName().toString()
                    .contains(".tmp-")).sorted().forEach(out::add);
            return out;
        }
    }

    private void prune() throws IOException {
        List<Path> all = versions();
        for (int i = 0; i < all.size() - keep + 1; i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    static void atomicWrite(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot replace " + target + " atomically on this file system", e);
        }
    }

    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory; the rename is still atomic, only its durability waits.
        }
    }
}
