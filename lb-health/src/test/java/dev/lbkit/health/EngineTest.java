package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static dev.lbkit.health.Harness.rs;
import static dev.lbkit.health.Harness.vs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.FailureAction;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.RealServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The engine: sharing probes, rise/fall over real results, isolation from servers that misbehave. */
class EngineTest {

    @Test
    void virtualServersCheckingTheSameServerTheSameWayShareOneProbe() throws Exception {
        try (Harness h = new Harness(); LoopbackServer s = LoopbackServer.on("127.0.0.1",
                LoopbackServer.http(200, "", "ok"))) {
            HealthCheck check = HealthCheck.http("/").withSettings(quick());
            HealthCheck removing = HealthCheck.http("/").withSettings(quick().withOnFailure(FailureAction.REMOVE));
            h.checker.update(Configuration.of(vs("a", 80, check, rs("x", "127.0.0.1", s.port())),
                    vs("b", 81, removing, rs("y", "127.0.0.1", s.port())),
                    vs("c", 82, check, rs("z", "127.0.0.1", s.port()))));

            assertThat(h.checker.probeCount()).isEqualTo(1);
            h.await(g -> g.virtualServer().equals("a"));
            h.await(g -> g.virtualServer().equals("b"));
            h.await(g -> g.virtualServer().equals("c"));
            List<Harness.Got> more = h.drainFor(Duration.ofMillis(700));
            Map<String, Long> perVs = more.stream().collect(Collectors.groupingBy(Harness.Got::virtualServer,
                    Collectors.counting()));
            // every result goes to all three; the server saw one check per result, not three
            assertThat(perVs.get("a")).isEqualTo(perVs.get("b")).isEqualTo(perVs.get("c"));
            assertThat(s.connections()).isLessThanOrEqualTo(perVs.get("a").intValue() + 2);
        }
    }

    @Test
    void aServerJoiningAnExistingProbeGetsItsStateAtOnce() throws Exception {
        try (Harness h = new Harness(HealthChecker.builder().reportEveryResult(false))) {
            HealthCheck check = HealthCheck.connect().withSettings(quick().withInterval(Duration.ofSeconds(5))
                    .withTimeout(Duration.ofMillis(200)));
            RealServer nothing = rs("x", "127.0.0.1", 1);
            Configuration one = Configuration.of(vs("a", 80, check, nothing));
            h.checker.update(one);
            assertThat(h.await(g -> true).report().state()).isEqualTo(HealthState.DOWN);

            h.checker.update(one.with(vs("b", 81, check, rs("y", "127.0.0.1", 1))));

            Harness.Got joined = h.await(g -> g.virtualServer().equals("b"));
            assertThat(joined.report().state()).isEqualTo(HealthState.DOWN);
            assertThat(h.checker.probeCount()).isEqualTo(1);
        }
    }

    @Test
    void riseAndFallNeedConsecutiveResultsAgainstARealServer() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean healthy = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (Harness h = new Harness(); LoopbackServer s = LoopbackServer.on("127.0.0.1",
                sock -> {
                    LoopbackServer.readHead(sock.getInputStream());
                    LoopbackServer.write(sock, healthy.get() ? "HTTP/1.0 200 OK\r\n\r\n" : "HTTP/1.0 500 X\r\n\r\n");
                })) {
            h.check(HealthCheck.http("/").withSettings(quick().withInterval(Duration.ofMillis(100))
                    .withTimeout(Duration.ofMillis(100)).withRiseFall(2, 3)), "127.0.0.1", s.port());
            h.await(g -> g.report().state() == HealthState.UP);
            healthy.set(false);
            h.await(g -> g.report().reason().startsWith("HTTP 500"));
            List<Harness.Got> failing = new ArrayList<>();
            failing.add(h.seen.get(h.seen.size() - 1));
            h.await(g -> {
                failing.add(g);
                return g.report().state() == HealthState.DOWN;
            });
            assertThat(failing).hasSize(3);
            assertThat(failing.subList(0, 2)).allMatch(g -> g.report().state() == HealthState.UP);
            healthy.set(true);
            List<Harness.Got> rising = new ArrayList<>();
            h.await(g -> {
                if (g.report().reason().equals("HTTP 200")) {
                    rising.add(g);
                }
                return g.report().state() == HealthState.UP;
            });
            assertThat(rising).hasSize(2);
            assertThat(rising.get(0).report().state()).isEqualTo(HealthState.DOWN);
        }
    }

    @Test
    void blackHolesAndResettingServersDoNotDelayTheChecksOfHealthyOnes() throws Exception {
        List<LoopbackServer> servers = new ArrayList<>();
        try (Harness h = new Harness()) {
            List<RealServer> rss = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                LoopbackServer.Behaviour b = i % 3 == 0 ? LoopbackServer.http(200, "", "ok")
                        : i % 3 == 1 ? LoopbackServer.hangs() : LoopbackServer.resets();
                LoopbackServer s = LoopbackServer.on("127.0.2." + (i + 1), b);
                servers.add(s);
                rss.add(rs((i % 3 == 0 ? "ok" : i % 3 == 1 ? "hole" : "rst") + i, s.address(), s.port()));
            }
            HealthCheck check = HealthCheck.http("/").withSettings(quick().withInterval(Duration.ofMillis(300))
                    .withTimeout(Duration.ofMillis(300)));
            h.checker.update(Configuration.of(Harness.vs("v", 80, check, rss.toArray(RealServer[]::new))));

            List<Harness.Got> got = h.drainFor(Duration.ofMillis(3000));

            Map<String, List<Harness.Got>> byServer = got.stream()
                    .collect(Collectors.groupingBy(Harness.Got::realServer));
            long healthyChecked = byServer.entrySet().stream().filter(e -> e.getKey().startsWith("ok")).count();
            assertThat(healthyChecked).isEqualTo(20);
            for (var e : byServer.entrySet()) {
                if (e.getKey().startsWith("ok")) {
                    // 3 s at 300 ms: about 10 results; a stalled engine would give far fewer
                    assertThat(e.getValue()).as(e.getKey()).hasSizeGreaterThanOrEqualTo(7)
                            .allMatch(g -> g.report().state() == HealthState.UP);
                } else {
                    assertThat(e.getValue()).as(e.getKey()).last()
                            .matches(g -> g.report().state() == HealthState.DOWN);
                }
            }
        } finally {
            servers.forEach(LoopbackServer::close);
        }
    }

    @Test
    void removedServersAreNoLongerChecked() throws Exception {
        try (Harness h = new Harness(); LoopbackServer s = LoopbackServer.on("127.0.0.1", LoopbackServer.hangs())) {
            h.check(HealthCheck.connect().withSettings(quick()), "127.0.0.1", s.port());
            h.first();
            h.checker.update(Configuration.empty());
            h.drainFor(Duration.ofMillis(300));
            int after = s.connections();
            assertThat(h.drainFor(Duration.ofMillis(600))).isEmpty();
            assertThat(s.connections()).isEqualTo(after);
            assertThat(h.checker.probeCount()).isZero();
        }
    }

    @Test
    void metricsCountChecksPerRealServer() throws Exception {
        try (Harness h = new Harness(); LoopbackServer s = LoopbackServer.on("127.0.0.1", LoopbackServer.hangs())) {
            h.check(HealthCheck.connect().withSettings(quick()), "127.0.0.1", s.port());
            h.first();
            assertThat(h.checker.metrics().timer("lbkit.vs.rs.health.checks").getCount()).isPositive();
            assertThat(h.checker.metrics().meter("lbkit.health.checks").getCount()).isPositive();
            assertThat(h.checker.recentResults("vs", "rs")).isNotEmpty();
        }
    }
}
