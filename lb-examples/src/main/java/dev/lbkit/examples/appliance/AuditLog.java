package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one line per change, {@code TIME who=... via=... action=... detail="..."}, appended to
 * {@code audit.log} in the state directory and forced to disk, and logged to the {@code lbkit.audit} logger.
 */
final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("lbkit.audit");

    private final Path file;
    private final Clock clock;

    AuditLog(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    synchronized void record(String who, String via, String action, String detail) {
        String entry = "who=" + quote(who) + " via=" + via + " action=" + quote(action) + " detail=" + quote(detail);
        String line = clock.instant() + " " + entry + "\n";
        log.info("{}", entry);
        try {
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (IOException e) {
            log.error("cannot write the audit log {}: {}", file, e.toString());
        }
    }

    /** The last {@code n} lines. */
    synchronized List<String> tail(int n) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    }

    private static String quote(String s) {
        String t = s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return t.matches("[A-Za-z0-9._:/@-]+") ? t : "\"" + t + "\"";
    }
}
