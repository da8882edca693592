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
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final RecordingDataplane dataplane = new RecordingDataplane();
    private final LoadBalancer lb = LoadBalancer.builder().dataplane(dataplane)
            .healthMonitor(HealthChecker.builder().build()).build();

    @AfterEach
    void close() {
        lb.close();
        server.close();
        other.close();
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
}
