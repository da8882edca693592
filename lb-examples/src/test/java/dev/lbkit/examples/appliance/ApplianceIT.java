package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance in this JVM without its REST API: refusals keep the running configuration. */
class ApplianceIT {
    @TempDir
    Path dir;

    @Test
    void withoutIpvsAKernelVirtualServerIsRefusedByNameAndTheRestKeepsRunning() throws Exception {
        try (TestBackend a = new TestBackend("a")) {
            int port = RunningAppliance.freePort();
            Path file = dir.resolve("lbkit.yaml");
            String base = "admin:\n  listen: off\ndataplanes:\n  ipvs:\n    enabled: false\nvirtualServers:\n"
                    + "  web:\n    vip: 127.0.0.1:" + port + "/tcp\n    forwardingMethod: proxy\n    realServers:\n"
                    + "      a: {address: 127.0.0.1, port: " + a.port() + "}\n";
            Files.writeString(file, base);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (Appliance app = new Appliance(file, ConfigFiles.load(file), new PrintStream(out, true))) {
                assertThat(out.toString()).doesNotContain("setup-"); // no API, no token to print
                Files.writeString(file, base + "  dr:\n    vip: 127.0.0.2:80/tcp\n    forwardingMethod: dr\n");
                assertThatThrownBy(() -> app.reload("test", "test"))
                        .hasMessageContaining("virtual server 'dr'")
                        .hasMessageContaining("needs the IPVS dataplane");
                assertThat(app.current().configuration().virtualServer("dr")).isEmpty();
                assertThat(app.version()).isEqualTo(1);
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("a");

                Files.writeString(file, base.replace("forwardingMethod: proxy", "forwardingMethod: teleport"));
                assertThatThrownBy(() -> app.reload("test", "test")).isInstanceOf(ConfigException.class)
                        .hasMessageContaining("lbkit.yaml:9:23: virtualServers.web.forwardingMethod");
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("a");
            }
        }
    }

    @Test
    void anHttpVirtualServerFromTheFileInsertsItsCookieAndRoutesToAPool() throws Exception {
        try (TestBackend web = new TestBackend("web"); TestBackend api = new TestBackend("api")) {
            int port = RunningAppliance.freePort();
            Path file = dir.resolve("lbkit.yaml");
            Files.writeString(file, "admin:\n  listen: off\nvirtualServers:\n"
                    + "  shop:\n    vip: 127.0.0.1:" + port + "/tcp\n    forwardingMethod: http\n"
                    + "    persistence: {type: cookie, mode: insert, name: SRV}\n"
                    + "    routes:\n      - {pool: apis, pathPrefix: /api/}\n"
                    + "    realServers:\n      w1: {address: 127.0.0.1, port: " + web.port() + "}\n"
                    + "  apis:\n    pool: true\n    realServers:\n      a1: {address: 127.0.0.1, port: "
                    + api.port() + "}\n");
            try (Appliance app = new Appliance(file, ConfigFiles.load(file), new PrintStream(
                    new ByteArrayOutputStream(), true))) {
                String home = request(port, "/");
                assertThat(home).startsWith("HTTP/1.1 200").containsIgnoringCase("Set-Cookie: SRV=").endsWith("web");
                assertThat(request(port, "/api/items")).startsWith("HTTP/1.1 200").endsWith("api");
                assertThat(app.status().virtualServer("apis")).isPresent();
            }
        }
    }

    @Test
    void healthChecksStartInTheBackgroundAndTakeAFailedServerOut() throws Exception {
        TestBackend a = new TestBackend("a");
        try (TestBackend b = new TestBackend("b")) {
            int port = RunningAppliance.freePort();
            Path file = dir.resolve("lbkit.yaml");
            Files.writeString(file, "admin:\n  listen: off\nvirtualServers:\n  web:\n    vip: 127.0.0.1:" + port
                    + "/tcp\n    forwardingMethod: proxy\n    scheduler: rr\n"
                    + "    healthCheck: {type: http, path: /, interval: 500ms, timeout: 400ms, rise: 1, fall: 1}\n"
                    + "    realServers:\n      a: {address: 127.0.0.1, port: " + a.port() + "}\n"
                    + "      b: {address: 127.0.0.1, port: " + b.port() + "}\n");
            try (Appliance app = new Appliance(file, ConfigFiles.load(file), new PrintStream(
                    new ByteArrayOutputStream(), true))) {
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isIn("a", "b");
                a.close();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (System.nanoTime() < deadline && app.status().virtualServer("web").orElseThrow()
                        .realServer("a").orElseThrow().health() != dev.lbkit.api.HealthState.DOWN) {
                    Thread.sleep(100);
                }
                assertThat(app.healthCheckerRunning()).isTrue();
                var rs = app.status().virtualServer("web").orElseThrow().realServer("a").orElseThrow();
                assertThat(rs.health()).isEqualTo(dev.lbkit.api.HealthState.DOWN);
                assertThat(rs.recentChecks()).isNotEmpty();
                for (int i = 0; i < 6; i++) {
                    assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("b");
                }
            }
        } finally {
            a.close();
        }
    }

    private static String request(int port, String path) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
