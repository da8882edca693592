package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An external-command check, run on the {@link BlockingPool}. The command gets its arguments, then the checked
 * address and port; its environment is {@code PATH} plus the variables of {@link #environment}. It runs in a
 * process group of its own ({@code setsid}), stdin from {@code /dev/null}, stdout and stderr discarded.
 *
 * <p>Each failure has its own reason: {@code exit N}; {@code cannot execute '...': ...} (missing, not
 * executable, or the start failed); {@code timed out after T; process group killed} (SIGKILL to the whole
 * group, so children it started die with it); {@code not started: ...} (the pool's queue was full or the
 * timeout passed while queued); {@code hung: ...} (the command was still there {@link #KILL_WAIT_NANOS} after
 * SIGKILL, or no result came within the timeout plus {@link #HANG_GRACE_NANOS}).
 */
final class ExternalAttempt extends Attempt {
    /** How long killing waits for {@code kill} and then for the command to be gone. */
    static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * How long past the timeout a result may come before the check counts as hung: more than killing can take
     * (twice {@link #KILL_WAIT_NANOS}), so a kill that works is always reported as a timeout.
     */
    static final long HANG_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final String SETSID = findSetsid();

    private final HealthCheck.External check;
    private final BlockingPool pool;
    private final Map<String, String> environment;
    private volatile boolean aborted;

    ExternalAttempt(EventLoop loop, ProbeKey key, BlockingPool pool, Map<String, String> environment,
            Consumer<Outcome> done) {
        super(loop, key, done);
        this.check = (HealthCheck.External) key.check();
        this.pool = pool;
        this.environment = environment;
    }

    private static String findSetsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    @Override
    long timeoutAfterNanos() {
        return timeoutNanos + HANG_GRACE_NANOS;
    }

    @Override
    void start() {
        long queuedAt = System.nanoTime();
        boolean accepted = pool.submit(() -> {
            String reason;
            boolean passed = false;
            Outcome.Advice advice = null;
            try {
                int exit = run(queuedAt);
                passed = exit == 0;
                reason = "exit " + exit;
                if (((HealthCheck.External) key.check()).weightFromExit()) {
                    if (exit == 0) {
                        advice = new Outcome.Advice(HealthReport.FULL_WEIGHT, false);
                    } else if (exit >= 2) {
                        passed = true;
                        advice = new Outcome.Advice(exit - 2, exit == 2);
                        reason = "exit " + exit + ": weight " + (exit - 2) + "%";
                    }
                }
            } catch (Failure f) {
                reason = f.getMessage();
            }
            boolean p = passed;
            String r = reason;
            Outcome.Advice a = advice;
            loop.execute(() -> finish(p, r, a));
        });
        if (!accepted) {
            fail("not started: the external-check queue is full (" + pool.queued() + " waiting for "
                    + pool.threads() + " runners)");
        }
    }

    /** A failure with its reason; the message is the reason. */
    private static final class Failure extends Exception {
        Failure(String reason) {
            super(reason, null, false, false);
        }
    }

    private int run(long queuedAt) throws Failure {
        if (aborted) {
            throw new Failure("aborted");
        }
        long remaining = timeoutNanos - (System.nanoTime() - queuedAt);
        if (remaining <= 0) {
            throw new Failure("not started: the timeout passed while waiting for a free runner");
        }
        Path command = Path.of(check.command());
        if (!Files.exists(command)) {
            throw new Failure("cannot execute '" + command + "': no such file");
        }
        if (!Files.isRegularFile(command) || !Files.isExecutable(command)) {
            throw new Failure("cannot execute '" + command + "': not an executable file");
        }
        List<String> argv = new ArrayList<>();
        if (SETSID != null) {
            argv.add(SETSID);
        }
        argv.add(check.command());
        argv.addAll(check.args());
        argv.add(key.address().getHostAddress());
        argv.add(Integer.toString(key.port()));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.putAll(environment);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new Failure("cannot execute '" + command + "': " + e.getMessage());
        }
        try {
            if (process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                return process.exitValue();
            }
            killGroup(process);
            throw new Failure("timed out after " + seconds(timeoutNanos) + "; process group killed");
        } catch (InterruptedException e) {
            killGroup(process);
            Thread.currentThread().interrupt();
            throw new Failure("aborted: the health checker is closing; process group killed");
        }
    }

    /** SIGKILL to the command's process group (and its descendants, should it have left the group). */
    private static void killGroup(Process process) throws Failure {
        long pid = process.pid();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (SETSID != null) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pid)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                kill.waitFor(KILL_WAIT_NANOS, TimeUnit.NANOSECONDS);
            } catch (IOException e) {
                // fall through to killing the process itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(KILL_WAIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new Failure("hung: process " + pid + " still runs " + seconds(KILL_WAIT_NANOS)
                        + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void release() {
        aborted = true;
    }

    @Override
    String timeoutReason() {
        return "hung: no result " + seconds(HANG_GRACE_NANOS) + " after the " + seconds(timeoutNanos) + " timeout";
    }
}
