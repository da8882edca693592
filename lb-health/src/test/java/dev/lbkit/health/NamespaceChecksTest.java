package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.api.ActualStatus;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.testkit.RecordingDataplane;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TCP and HTTP checks against real servers (socat) on a host of their own: a network namespace joined by a veth
 * pair, 10.213.79.1 here and 10.213.79.2 there, made and removed by the test. There: port 8080 answers HTTP 200,
 * 8081 accepts and never answers (a black hole), nothing listens on 8083. Skipped without root, ip or socat.
 */
class NamespaceChecksTest {
    private static final String NS = "lbk-hl-" + ProcessHandle.current().pid();
    private static final String VETH = "lbkh" + ProcessHandle.current().pid() % 100000;
    private static final String THERE = "10.213.79.2";
    private static final List<Process> servers = new ArrayList<>();
    private static boolean ready;

    private static boolean sh(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean inNs(String... argv) {
        String[] all = new String[argv.length + 4];
        System.arraycopy(new String[] {"ip", "netns", "exec", NS}, 0, all, 0, 4);
        System.arraycopy(argv, 0, all, 4, argv.length);
        return sh(all);
    }

    private static void serve(int port, String shellCommand) throws Exception {
        servers.add(new ProcessBuilder("ip", "netns", "exec", NS, "socat",
                "TCP-LISTEN:" + port + ",bind=" + THERE + ",fork,reuseaddr", "SYSTEM:" + shellCommand)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    @BeforeAll
    static void makeAHostWithServers() throws Exception {
        ready = sh("which", "socat") && sh("ip", "netns", "add", NS)
                && sh("ip", "link", "add", VETH + "a", "type", "veth", "peer", "name", VETH + "b")
                && sh("ip", "link", "set", VETH + "b", "netns", NS)
                && sh("ip", "addr", "add", "10.213.79.1/30", "dev", VETH + "a")
                && sh("ip", "link", "set", VETH + "a", "up")
                && inNs("ip", "addr", "add", THERE + "/30", "dev", VETH + "b")
                && inNs("ip", "link", "set", VETH + "b", "up")
                && inNs("ip", "link", "set", "lo", "up")
                // should the veth route go, this keeps the test's traffic off the default route
                && sh("ip", "route", "add", "blackhole", "10.213.79.0/30", "metric", "9999");
        if (ready) {
            java.nio.file.Path response = java.nio.file.Files.createTempFile("lbk-hl-response", ".http");
            response.toFile().deleteOnExit();
            java.nio.file.Files.writeString(response, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
            serve(8080, "cat " + response);
            serve(8081, "sleep 30");
            for (int i = 0; i < 100 && !sh("ip", "netns", "exec", NS, "sh", "-c",
                    "ss -ltn | grep -q ':8080 ' && ss -ltn | grep -q ':8081 '"); i++) {
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void removeTheHost() {
        for (Process p : servers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        sh("ip", "link", "del", VETH + "a");
        sh("ip", "route", "del", "blackhole", "10.213.79.0/30", "metric", "9999");
        sh("ip", "netns", "del", NS);
    }

    @AfterEach
    void removeTheFirewall() {
        if (ready) {
            inNs("nft", "delete", "table", "inet", "lbkhc");
            inNs("ip", "link", "set", VETH + "b", "up");
        }
    }

    private static HealthReport check(HealthCheck check, int port) {
        assumeTrue(ready, "needs root, ip and socat to make a host in a network namespace");
        try (Harness h = new Harness()) {
            h.check(check.withSettings(quick().withInterval(java.time.Duration.ofSeconds(1))
                    .withTimeout(java.time.Duration.ofMillis(500))), THERE, port);
            return h.first();
        }
    }

    private static boolean firewall(String rule) {
        return inNs("nft", "add", "table", "inet", "lbkhc")
                && inNs("nft", "add", "chain", "inet", "lbkhc", "input", "{ type filter hook input priority 0; }")
                && inNs(("nft add rule inet lbkhc input " + rule).split(" "));
    }

    @Test
    void anHttpCheckPassesAgainstAServerOnAnotherHost() {
        HealthReport r = check(HealthCheck.http("/"), 8080);
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("HTTP 200");
    }

    @Test
    void aPortNobodyListensOnIsRefused() {
        HealthReport r = check(HealthCheck.connect(), 8083);
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("connect: connection refused");
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersTimesOutInItsPhase() {
        HealthReport r = check(HealthCheck.http("/"), 8081);
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("timeout after 500 ms waiting for the HTTP status line");
    }

    @Test
    void aFirewallThatDropsTheSynIsAConnectTimeout() {
        assumeTrue(ready, "needs a namespace");
        assertThat(firewall("tcp dport 8080 drop")).isTrue();
        HealthReport r = check(HealthCheck.http("/"), 8080);
        assertThat(r.reason()).isEqualTo("connect timeout after 500 ms");
    }

    @Test
    void aFirewallThatResetsIsARefusal() {
        assumeTrue(ready, "needs a namespace");
        assertThat(firewall("tcp dport 8080 reject with tcp reset")).isTrue();
        HealthReport r = check(HealthCheck.http("/"), 8080);
        assertThat(r.reason()).isEqualTo("connect: connection refused");
    }

    @Test
    void aHostWhoseLinkWentDownIsAConnectTimeout() {
        assumeTrue(ready, "needs a namespace");
        assertThat(inNs("ip", "link", "set", VETH + "b", "down")).isTrue();
        HealthReport r = check(HealthCheck.connect(), 8080);
        assertThat(r.reason()).isEqualTo("connect timeout after 500 ms");
    }

    @Test
    void theLoadBalancerQuiescesTheBlackHoleAndKeepsTheHealthyServerInTheDataplane() throws Exception {
        assumeTrue(ready, "needs a namespace");
        RecordingDataplane dataplane = new RecordingDataplane();
        try (LoadBalancer lb = LoadBalancer.builder().dataplane(dataplane)
                .healthMonitor(HealthChecker.builder().build()).build()) {
            HealthCheck check = HealthCheck.http("/").withSettings(quick().withInterval(java.time.Duration.ofSeconds(1))
                    .withTimeout(java.time.Duration.ofMillis(900)));
            lb.apply(Configuration.of(Harness.vs("web", 80, check, Harness.rs("ok", THERE, 8080),
                    Harness.rs("hole", THERE, 8081))));
            for (int i = 0; i < 250; i++) {
                var s = lb.status().virtualServer("web").orElseThrow();
                if (s.realServer("hole").orElseThrow().actual() == ActualStatus.DOWN
                        && s.realServer("ok").orElseThrow().lastCheck().isPresent()) {
                    break;
                }
                Thread.sleep(20);
            }
            var s = lb.status().virtualServer("web").orElseThrow();
            assertThat(s.realServer("hole").orElseThrow().actual()).isEqualTo(ActualStatus.DOWN);
            assertThat(s.realServer("ok").orElseThrow().actual()).isEqualTo(ActualStatus.UP);
            var seen = dataplane.configuration().virtualServer("web").orElseThrow();
            assertThat(seen.realServer("hole").orElseThrow().weight()).isZero();
            assertThat(seen.realServer("ok").orElseThrow().weight()).isEqualTo(1);
        }
    }
}
