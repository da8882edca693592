package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code lbkit-appliance.jar} as an operator runs it: --check, start, SIGHUP, SIGTERM. */
class ApplianceJarIT {
    static final Path JAR = Path.of("target", "lbkit-appliance.jar").toAbsolutePath();

    @TempDir
    Path dir;

    private Process java(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar",
                JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void checkValidatesWithoutStartingAndNamesTheLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "virtualServers:\n  web:\n    vip: 127.0.0.1:80/tcp\n    scheduler: fastest\n");
        Process p = java("--check", file.toString());
        String out = output(p);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out).contains("bad.yaml:4:16: virtualServers.web.scheduler: scheduler must be one of");
        Files.writeString(file, "virtualServers:\n  web:\n    vip: 127.0.0.1:80/tcp\n    scheduler: wlc\n");
        p = java("check", "--config", file.toString());
        out = output(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("valid: 1 virtual servers");
        assertThat(Files.exists(dir.resolve("lbkit-state"))).as("check starts nothing").isFalse();
    }

    @Test
    void checkNamesTheLineOfABadHaSection() throws Exception {
        Path file = dir.resolve("bad-ha.yaml");
        Files.writeString(file, "ha:\n  instances:\n    vi_ext:\n      interface: eth0\n      vrid: 300\n"
                + "      virtualAddresses: [" + "10.78.0.100/24]\n");
        Process p = java("--check", file.toString());
        String out = output(p);
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("bad-ha.yaml:5:").contains("ha.instances.vi_ext.vrid").contains("300");
    }

    @Test
    void startsServesReloadsOnSighupAndStopsOnSigterm() throws Exception {
        try (TestBackend a = new TestBackend("a")) {
            int port1 = RunningAppliance.freePort();
            int port2 = RunningAppliance.freePort();
            Path file = dir.resolve("lbkit.yaml");
            String one = "admin:\n  listen: 127.0.0.1:0\nvirtualServers:\n  web:\n    vip: 127.0.0.1:" + port1
                    + "/tcp\n    forwardingMethod: proxy\n    realServers:\n      a: {address: 127.0.0.1, port: "
                    + a.port() + "}\n";
            Files.writeString(file, one);
            Process p = java("--config", file.toString());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                StringBuilder seen = new StringBuilder();
                String line;
                while ((line = out.readLine()) != null && !line.contains("SIGHUP reloads it")) {
                    seen.append(line).append('\n');
                }
                assertThat(seen.toString()).contains("REST API on https://127.0.0.1:").contains("setup-");
                assertThat(RunningAppliance.fetch("127.0.0.1", port1)).isEqualTo("a");
                Files.writeString(file, one + "  second:\n    vip: 127.0.0.1:" + port2 + "/tcp\n"
                        + "    forwardingMethod: proxy\n    realServers:\n      a: {address: 127.0.0.1, port: "
                        + a.port() + "}\n");
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
                while ((line = out.readLine()) != null && !line.contains("reloaded")) {
                    seen.append(line).append('\n');
                }
                assertThat(line).contains("+ virtual server 'second'");
                assertThat(RunningAppliance.fetch("127.0.0.1", port2)).isEqualTo("a");
                assertThat(RunningAppliance.fetch("127.0.0.1", port1)).isEqualTo("a");
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void keepsRunningWithoutTheRestApiUntilSigterm() throws Exception {
        try (TestBackend a = new TestBackend("a")) {
            int port = RunningAppliance.freePort();
            Path file = dir.resolve("lbkit.yaml");
            String yaml = "admin:\n  listen: off\n  jmx: false\nvirtualServers:\n  web:\n    vip: 127.0.0.1:" + port
                    + "/tcp\n    forwardingMethod: proxy\n    realServers:\n      a: {address: 127.0.0.1, port: "
                    + a.port() + "}\n";
            Files.writeString(file, yaml);
            Process p = java("--config", file.toString());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.contains("SIGHUP reloads it")) {
                    // start-up lines
                }
                assertThat(line).as("started").isNotNull();
                // no REST API thread keeps the JVM up: a reload still finds it running, and so does the client
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
                while ((line = out.readLine()) != null && !line.contains("reloaded")) {
                    // log lines
                }
                assertThat(line).as("the appliance is still running and reloads").isNotNull();
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("a");
                assertThat(p.isAlive()).isTrue();
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
