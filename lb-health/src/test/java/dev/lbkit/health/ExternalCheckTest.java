package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External commands: exit status, failures each with its reason, arguments and environment, killing. */
class ExternalCheckTest {
    @TempDir
    Path dir;
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private String script(String body) throws Exception {
        Path p = Files.createTempFile(dir, "check", ".sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p.toString();
    }

    /** Settings with room for a shell to start on a busy machine: 1 s timeout. */
    private static dev.lbkit.api.CheckSettings roomy() {
        return quick().withInterval(java.time.Duration.ofSeconds(2)).withTimeout(java.time.Duration.ofSeconds(1));
    }

    private HealthReport run(String command, List<String> args) {
        return run(command, args, roomy());
    }

    private HealthReport run(String command, List<String> args, dev.lbkit.api.CheckSettings settings) {
        h.check(HealthCheck.external(command, args).withSettings(settings), "127.0.0.5", 8080);
        return h.first();
    }

    @Test
    void exitZeroIsUpAndTheCommandGetsArgumentsAndEnvironment() throws Exception {
        Path out = dir.resolve("seen");
        String cmd = script("echo \"$* $LBKIT_SERVER_ADDR $LBKIT_SERVER_PORT $LBKIT_VIRTUAL_SERVER/$LBKIT_SERVER_NAME"
                + " $HAPROXY_SERVER_ADDR\" > " + out + "; exit 0");
        HealthReport r = run(cmd, List.of("--mode", "deep"));
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("exit 0");
        assertThat(Files.readString(out).trim())
                .isEqualTo("--mode deep 127.0.0.5 8080 127.0.0.5 8080 vs/rs 127.0.0.5");
    }

    @Test
    void nonZeroExitIsAFailureNamingTheStatus() throws Exception {
        HealthReport r = run(script("exit 3"), List.of());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("exit 3");
    }

    private HealthReport dynamic(int exit) throws Exception {
        h.reports.clear();
        h.check(HealthCheck.external(script("exit " + exit), List.of()).withWeightFromExit(true)
                .withSettings(roomy()), "127.0.0.5", 8080);
        return h.await(g -> g.report().reason().startsWith("exit " + exit)).report();
    }

    @Test
    void withWeightFromExitStatusesTwoAndAboveAreUpWithAWeightPercentage() throws Exception {
        HealthReport r = dynamic(52);
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("exit 52: weight 50%");
        assertThat(r.weightPercent()).isEqualTo(50);
        assertThat(r.drain()).isFalse();

        HealthReport drain = dynamic(2);
        assertThat(drain.state()).isEqualTo(HealthState.UP);
        assertThat(drain.drains()).isTrue();

        HealthReport zero = dynamic(0);
        assertThat(zero.weightPercent()).isEqualTo(100);
        assertThat(dynamic(1).state()).isEqualTo(HealthState.DOWN);
    }

    @Test
    void aMissingCommandIsAFailureNotASuccess() {
        HealthReport r = run("/nonexistent/check", List.of());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("cannot execute '/nonexistent/check': no such file");
    }

    @Test
    void aFileThatIsNotExecutableIsAFailure() throws Exception {
        Path p = Files.writeString(dir.resolve("plain"), "exit 0\n");
        HealthReport r = run(p.toString(), List.of());
        assertThat(r.reason()).isEqualTo("cannot execute '" + p + "': not an executable file");
    }

    @Test
    void aCommandThatCannotBeExecutedByTheKernelIsAFailure() throws Exception {
        Path p = Files.write(dir.resolve("binary"), new byte[] {0x7f, 'E', 'L', 'F', 0, 0, 0, 0});
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        HealthReport r = run(p.toString(), List.of());
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isNotEqualTo("exit 0");
    }

    @Test
    void aHangingCommandIsKilledWithItsWholeProcessGroup() throws Exception {
        Path pids = dir.resolve("pids");
        String cmd = script("sleep 300 & echo $! > " + pids + ".tmp; echo $$ >> " + pids + ".tmp; mv " + pids
                + ".tmp " + pids + "; wait");
        HealthReport r = run(cmd, List.of(), quick().withInterval(Duration.ofSeconds(2))
                .withTimeout(Duration.ofMillis(700)));
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("timed out after 700 ms; process group killed");
        List<String> started = Files.readAllLines(pids);
        assertThat(started).hasSize(2);
        for (String pid : started) {
            assertThat(goneOrZombie(Long.parseLong(pid.trim()))).as("process %s is gone", pid).isTrue();
        }
    }

    private static boolean goneOrZombie(long pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (!Files.exists(stat)) {
                return true;
            }
            String s = Files.readString(stat);
            if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
