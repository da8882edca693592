package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.lbkit.testkit.NetnsLab.awaitTrue;
import static dev.lbkit.testkit.NetnsLab.sh;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.lbkit.testkit.NetnsLab;

/**
 * Two packaged appliances as an HA pair, each in a network namespace of its own joined by a bridge, with a client in
 * a third: the same file on both (priorities 150 and 100), a Layer 4 proxy VIP on the floating IP 10.78.0.100 over
 * a real server that answers with its node's name (socat, in each node). The master serves; the backup runs the same
 * VIP waiting for the address; after the master is killed (SIGKILL) the backup takes the floating IP and serves.
 * State is read as an operator does: the REST API ({@code GET /ha}, {@code /status}, {@code /metrics}) with curl
 * inside each node. Skipped without root, socat or curl.
 */
class ApplianceHaIT {
    private static final String VIP = "10.78.0.100";
    private static final String PASSWORD = "ha-test-password";

    private NetnsLab lab;

    @TempDir
    Path dir;

    @BeforeEach
    void lab() {
        assumeTrue(NetnsLab.available(), "runs as root with iproute2");
        assumeTrue(new java.io.File("/usr/bin/socat").canExecute(), "socat is installed");
        assumeTrue(new java.io.File("/usr/bin/curl").canExecute(), "curl is installed");
        lab = new NetnsLab("aha");
        lab.bridge("br").node("1", "br", "10.78.0.1/24").node("2", "br", "10.78.0.2/24").node("c", "br",
                "10.78.0.10/24");
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theBackupRunsTheSameVipsAndServesThemAfterTheMasterIsKilled() throws Exception {
        String hash = Passwords.hash(PASSWORD.toCharArray(), 1000);
        backend("1");
        backend("2");
        Process node1 = appliance("1", 150, hash);
        awaitTrue(Duration.ofSeconds(20), () -> holdsVip("1"), "node 1 (priority 150) holds the floating IP");
        Process node2 = appliance("2", 100, hash);
        awaitTrue(Duration.ofSeconds(20), () -> api("2", "/api/v1/ha").contains("\"state\":\"BACKUP\""),
                "node 2 reports BACKUP");

        assertThat(client()).isEqualTo("node1");
        String ha1 = api("1", "/api/v1/ha");
        assertThat(ha1).contains("\"enabled\":true").contains("\"name\":\"vi_ext\"").contains("\"state\":\"MASTER\"")
                .contains("\"holdsAddresses\":true").contains("\"floatingIps\":[\"" + VIP + "\"]")
                .contains("\"priority\":150");
        assertThat(api("1", "/api/v1/status")).contains("\"ha\":[{\"instance\":\"vi_ext\",\"state\":\"MASTER\"");
        String metrics2 = api("2", "/metrics");
        assertThat(metrics2).contains("lbkit_ha_state{instance=\"vi_ext\",state=\"BACKUP\"} 1")
                .as("the backup's VIP waits for its address").contains("lbkit_web_listening 0");
        assertThat(holdsVip("2")).isFalse();

        // a reload that changes only node 1's priority changes it in place: no transition, the VIP stays
        Path file1 = dir.resolve("node1").resolve("lbkit.yaml");
        Files.writeString(file1, Files.readString(file1).replace("priority: 150", "priority: 140"));
        sh("kill", "-HUP", Long.toString(node1.pid()));
        awaitTrue(Duration.ofSeconds(10), () -> api("1", "/api/v1/ha").contains("\"priority\":140"),
                "node 1 advertises priority 140 after the reload");
        assertThat(api("1", "/api/v1/ha")).contains("\"state\":\"MASTER\"").contains("\"becameMaster\":1");
        assertThat(client()).isEqualTo("node1");

        node1.destroyForcibly(); // SIGKILL: no priority-0 advert, the backup must notice the silence
        node1.waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        awaitTrue(Duration.ofSeconds(10), () -> holdsVip("2"), "node 2 takes the floating IP");
        awaitTrue(Duration.ofSeconds(10), () -> "node2".equals(client()), "the client is served by node 2");
        long servedAfterMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("ApplianceHaIT: node 2 served the VIP " + servedAfterMs + " ms after node 1 was killed");
        // the killed node still has the floating IP; systemd's ExecStopPost runs the script the appliance keeps
        assertThat(holdsVip("1")).as("a killed node cannot release its floating IP itself").isTrue();
        Path release = dir.resolve("node1").resolve("lbkit-state").resolve(Appliance.RELEASE_SCRIPT);
        assertThat(Files.readString(release)).contains("ip address del " + VIP + "/24 dev eth0");
        lab.exec("1", "/bin/sh", release.toString());
        assertThat(holdsVip("1")).isFalse();
        assertThat(holdsVip("2")).isTrue();

        String ha2 = api("2", "/api/v1/ha");
        assertThat(ha2).contains("\"state\":\"MASTER\"").contains("\"becameMaster\":1").contains("\"reason\":\"");
        assertThat(api("2", "/metrics")).contains("lbkit_ha_state{instance=\"vi_ext\",state=\"MASTER\"} 1")
                .contains("lbkit_web_listening 1");

        node2.destroy(); // SIGTERM: a clean stop releases the floating IP
        assertThat(node2.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(holdsVip("2")).as("a stopped node keeps no floating IP").isFalse();
    }

    private Process appliance(String node, int priority, String hash) throws IOException {
        Path nodeDir = Files.createDirectories(dir.resolve("node" + node));
        Path file = nodeDir.resolve("lbkit.yaml");
        Files.writeString(file, "admin:\n  listen: 127.0.0.1:9443\n  passwordHash: " + hash + "\n  jmx: false\n"
                + "ha:\n  instances:\n    vi_ext:\n      interface: eth0\n      vrid: 78\n      priority: " + priority
                + "\n      advertInterval: 300ms\n      garpRefreshDelay: 0s\n      virtualAddresses: [" + VIP
                + "/24]\n"
                + "virtualServers:\n  web:\n    vip: " + VIP + ":8080/tcp\n    forwardingMethod: proxy\n"
                + "    realServers:\n      local: {address: 127.0.0.1, port: 9000}\n");
        Process p = lab.start(node, List.of(java(), "-Xmx64m", "-jar", ApplianceJarIT.JAR.toString(), "--config",
                file.toString()), nodeDir.resolve("out.log").toFile());
        awaitTrue(Duration.ofSeconds(30), () -> read(nodeDir.resolve("out.log")).contains("SIGHUP reloads it")
                || !p.isAlive(), "node " + node + " started");
        assertThat(p.isAlive()).as(read(nodeDir.resolve("out.log"))).isTrue();
        return p;
    }

    /** A real server in a node: answers every connection with the node's name. */
    private void backend(String node) {
        lab.start(node, List.of("socat", "TCP-LISTEN:9000,bind=127.0.0.1,fork,reuseaddr", "SYSTEM:echo node" + node),
                null);
        awaitTrue(Duration.ofSeconds(10), () -> lab.exec(node, "ss", "-ltn").contains("127.0.0.1:9000"),
                "backend in node " + node);
    }

    /** The client connects to the VIP's proxy and returns the answer, or null when nothing answered. */
    private String client() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", lab.ns("c"), "socat", "-T", "2", "-",
                    "TCP:" + VIP + ":8080,connect-timeout=1").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return answer.isEmpty() ? null : answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * GET on a node's REST API with curl inside its namespace (the API listens on the node's loopback); JSON is
     * returned compact (the API indents it) so that tests can look for {@code "key":value}.
     */
    private String api(String node, String path) {
        String body = lab.exec(node, "curl", "-sk", "--max-time", "10", "-u", "admin:" + PASSWORD,
                "https://127.0.0.1:9443" + path);
        return path.equals("/metrics") ? body : body.replaceAll("\\n\\s*", "").replace("\": ", "\":");
    }

    private boolean holdsVip(String node) {
        return sh("ip", "-n", lab.ns(node), "-4", "-o", "addr", "show", "dev", "eth0").contains(" " + VIP + "/");
    }


    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
