package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static dev.lbkit.health.Harness.rs;
import static dev.lbkit.health.Harness.vs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.ActualStatus;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.FailureAction;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RealServerStatus;
import dev.lbkit.testkit.RecordingDataplane;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.VirtualServer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** lb-health wired into a LoadBalancer over a RecordingDataplane, against real loopback servers. */
class LoadBalancerIntegrationTest {
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final LoopbackServer server = LoopbackServer.on("127.0.0.1", s -> {
        LoopbackServer.readHead(s.getInputStream());
        LoopbackServer.write(s, healthy.get() ? "HTTP/1.0 200 OK\r\n\r\n" : "HTTP/1.0 503 X\r\n\r\n");
    });
    private final LoopbackServer other = LoopbackServer.on("127.0.0.2", LoopbackServer.http(200, "", ""));
    /** An agent (HAProxy agent-check protocol) whose answer the test sets. */
    private final AtomicReference<String> agentSays = new AtomicReference<>("up\n");
    private final LoopbackServer agent = LoopbackServer.on("127.0.0.1", s -> LoopbackServer.write(s, agentSays.get()));
    private final RecordingDataplane dataplane = new RecordingDataplane();
    private final LoadBalancer lb = LoadBalancer.builder().dataplane(dataplane)
            .healthMonitor(HealthChecker.builder().build()).build();

    @AfterEach
    void close() {
        lb.close();
        server.close();
        other.close();
        agent.close();
    }

    private Configuration config(FailureAction onFailure) {
        HealthCheck check = HealthCheck.http("/").withSettings(quick().withOnFailure(onFailure));
        return Configuration.of(vs("web", 80, check, rs("a", "127.0.0.1", server.port()),
                rs("b", "127.0.0.2", other.port())));
    }

    private RealServer inDataplane(String rs) {
        return dataplane.configuration().virtualServer("web").orElseThrow().realServer(rs).orElse(null);
    }

    private RealServerStatus status(String rs) {
        return lb.status().virtualServer("web").orElseThrow().realServer(rs).orElseThrow();
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not within 5 s: " + what);
    }

    @Test
    void aFailingRealServerIsQuiescedAndComesBackWithItsWeight() throws Exception {
        lb.apply(config(FailureAction.QUIESCE));
        eventually("a checked up", () -> status("a").lastCheck().isPresent());
        assertThat(inDataplane("a").weight()).isEqualTo(1);

        healthy.set(false);
        eventually("a quiesced", () -> inDataplane("a").weight() == 0);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.DOWN);
        assertThat(status("a").lastCheck().orElseThrow().reason()).startsWith("HTTP 503");
        assertThat(inDataplane("b").weight()).isEqualTo(1);

        healthy.set(true);
        eventually("a back", () -> inDataplane("a").weight() == 1);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.UP);
        assertThat(status("a").recentChecks()).hasSizeGreaterThan(2);
    }

    @Test
    void aFailingRealServerIsRemovedWhenTheVirtualServerSaysSoAndAddedBack() throws Exception {
        lb.apply(config(FailureAction.REMOVE));
        eventually("a checked", () -> status("a").lastCheck().isPresent());
        healthy.set(false);
        eventually("a removed", () -> inDataplane("a") == null);
        assertThat(status("a").effectiveWeight()).isEqualTo(-1);
        healthy.set(true);
        eventually("a added back", () -> inDataplane("a") != null && inDataplane("a").weight() == 1);
    }

    @Test
    void anOperatorsOfflineWinsOverAHealthyCheck() throws Exception {
        lb.apply(config(FailureAction.QUIESCE));
        eventually("a checked", () -> status("a").lastCheck().isPresent());
        lb.takeOffline("web", "a");
        int before = status("a").recentChecks().size();
        eventually("more checks", () -> status("a").recentChecks().size() > before
                || status("a").recentChecks().size() == 10);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.OFFLINE);
        assertThat(inDataplane("a").weight()).isZero();
        lb.bringOnline("web", "a");
        eventually("a online", () -> inDataplane("a").weight() == 1);
    }

    // --- agent advice and fallback, end to end

    private Configuration agentConfig() {
        HealthCheck check = HealthCheck.agent().withSettings(quick().withPort(agent.port()));
        return Configuration.of(vs("web", 80, check,
                RealServer.builder("a").address("127.0.0.1").port(8080).weight(40).build(),
                RealServer.builder("b").address("127.0.0.1").port(8081).weight(10).build()));
    }

    private void agentAnswers(String line, String rs, int weight) throws InterruptedException {
        agentSays.set(line + "\n");
        eventually("'" + line + "' gives " + rs + " weight " + weight,
                () -> inDataplane(rs) != null && inDataplane(rs).weight() == weight
                        && status(rs).effectiveWeight() == weight);
    }

    @Test
    void anAgentsWeightPercentScalesTheRequestedWeightInTheDataplane() throws Exception {
        lb.apply(agentConfig());
        agentAnswers("up 50%", "a", 20);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.UP);
        assertThat(status("a").weight()).isEqualTo(40);
        assertThat(inDataplane("b").weight()).isEqualTo(5); // same address and agent port: one probe for both

        agentAnswers("ready", "a", 20); // no weight in the answer: the last one stays
        agentAnswers("150%", "a", 60);
        agentAnswers("1%", "a", 1); // never rounded to 0 while the agent asks for some traffic
        agentAnswers("100%", "a", 40);
    }

    @Test
    void anAgentsDrainDrainsLikeAnOperatorAndEndsWhenItSaysReady() throws Exception {
        lb.apply(agentConfig());
        agentAnswers("up", "a", 40);
        agentAnswers("drain", "a", 0);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.DRAINING);
        assertThat(inDataplane("a").requestedStatus()).isEqualTo(RequestedStatus.DRAIN);
        assertThat(status("a").requested()).isEqualTo(RequestedStatus.ONLINE);
        assertThat(lb.status().virtualServer("web").orElseThrow().fallbackActive()).isFalse();

        agentAnswers("ready", "a", 40);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.UP);
        assertThat(inDataplane("a").requestedStatus()).isEqualTo(RequestedStatus.ONLINE);

        agentAnswers("0%", "a", 0);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.DRAINING);
    }

    @Test
    void anAgentsDownTakesTheServerOutAndItsUpBringsItBack() throws Exception {
        lb.apply(agentConfig());
        agentAnswers("up 25%", "a", 10);
        agentSays.set("down # disk full\n");
        eventually("a down", () -> status("a").actual() == ActualStatus.DOWN && inDataplane("a").weight() == 0);
        assertThat(status("a").lastCheck().orElseThrow().reason()).isEqualTo("agent: down (disk full)");
        agentAnswers("up", "a", 10); // up without a weight: the 25 % it gave stays
    }

    @Test
    void theOperatorsStatusWinsOverTheAgentsAdvice() throws Exception {
        lb.apply(agentConfig());
        agentAnswers("up 50%", "a", 20);
        lb.takeOffline("web", "a");
        eventually("a offline", () -> status("a").actual() == ActualStatus.OFFLINE && inDataplane("a").weight() == 0);
        agentSays.set("up 200%\n");
        eventually("agent's answer seen", () -> status("a").lastCheck().orElseThrow().reason().contains("200%"));
        assertThat(inDataplane("a").weight()).isZero();
        assertThat(status("a").actual()).isEqualTo(ActualStatus.OFFLINE);

        lb.drain("web", "a");
        eventually("a draining", () -> status("a").actual() == ActualStatus.DRAINING);
        assertThat(inDataplane("a").weight()).isZero();

        lb.bringOnline("web", "a");
        eventually("a back with the agent's weight", () -> inDataplane("a").weight() == 80);
        assertThat(status("a").actual()).isEqualTo(ActualStatus.UP);
    }

    @Test
    void theFallbackServerTakesOverWhenEveryRealServerIsDownAndHandsBack() throws Exception {
        HealthCheck check = HealthCheck.http("/").withSettings(quick());
        VirtualServer web = VirtualServer.builder("web").vip("127.0.0.1:80/tcp")
                .forwardingMethod(dev.lbkit.api.ForwardingMethod.PROXY).healthCheck(check)
                .realServers(java.util.List.of(rs("a", "127.0.0.1", server.port())))
                .fallback(RealServer.builder("sorry").address("127.0.0.3").port(8080).build()).build();
        lb.apply(Configuration.of(web));
        eventually("a checked", () -> status("a").lastCheck().isPresent());
        assertThat(lb.status().virtualServer("web").orElseThrow().fallbackActive()).isFalse();

        healthy.set(false);
        eventually("fallback active", () -> lb.status().virtualServer("web").orElseThrow().fallbackActive());
        VirtualServer seen = dataplane.configuration().virtualServer("web").orElseThrow();
        assertThat(seen.realServers()).allMatch(r -> r.weight() == 0);
        assertThat(seen.fallback()).isPresent();
        assertThat(seen.fallback().get().label()).isEqualTo("sorry");

        healthy.set(true);
        eventually("fallback handed back", () -> !lb.status().virtualServer("web").orElseThrow().fallbackActive()
                && inDataplane("a").weight() == 1);
    }
}
