package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.testkit.RecordingDataplane;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The facade against in-memory dataplanes. These tests live in lb-testkit, beside the
 * {@link RecordingDataplane} they use, because lb-api cannot depend on it.
 */
class LoadBalancerTest {
    private final RecordingDataplane kernel = new RecordingDataplane("ipvs",
            EnumSet.of(ForwardingMethod.DIRECT_ROUTING, ForwardingMethod.NAT, ForwardingMethod.TUNNEL));
    private final RecordingDataplane proxy = new RecordingDataplane("proxy",
            EnumSet.of(ForwardingMethod.PROXY, ForwardingMethod.HTTP));
    private final List<LoadBalancerEvent> events = new CopyOnWriteArrayList<>();
    private final LoadBalancer lb = LoadBalancer.builder().dataplane(kernel).dataplane(proxy)
            .listener(events::add).drainPollInterval(Duration.ofMillis(10)).build();

    @AfterEach
    void close() {
        lb.close();
    }

    static RealServer rs(String label, String address, int weight) {
        return RealServer.builder(label).address(address).weight(weight).build();
    }

    static VirtualServer dr(String label, String vip, RealServer... rss) {
        return VirtualServer.builder(label).vip(vip).forwardingMethod(ForwardingMethod.DIRECT_ROUTING)
                .realServers(List.of(rss)).build();
    }

    static VirtualServer tcpProxy(String label, String vip, HealthCheck check, RealServer... rss) {
        return VirtualServer.builder(label).vip(vip).forwardingMethod(ForwardingMethod.PROXY).scheduler(Scheduler.RR)
                .healthCheck(check).realServers(List.of(rss)).build();
    }

    private final Configuration base = Configuration.of(
            dr("web", "10.0.0.1:80/tcp", rs("a", "10.0.1.1", 1), rs("b", "10.0.1.2", 2)),
            tcpProxy("db", "127.0.0.1:5432/tcp", HealthCheck.connect(), rs("p1", "127.0.0.2", 1),
                    rs("p2", "127.0.0.3", 1)));

    private RealServer inDataplane(RecordingDataplane d, String vs, String rs) {
        return d.configuration().virtualServer(vs).orElseThrow().realServer(rs).orElse(null);
    }

    @Test
    void routesEachVirtualServerToTheDataplaneThatSupportsItsForwardingMethods() {
        lb.apply(base);

        assertThat(kernel.configuration().virtualServers()).extracting(VirtualServer::label).containsExactly("web");
        assertThat(proxy.configuration().virtualServers()).extracting(VirtualServer::label).containsExactly("db");
        assertThat(lb.status().virtualServer("db").orElseThrow().dataplane()).isEqualTo("proxy");
    }

    @Test
    void rejectsAVirtualServerThatNoDataplaneSupportsAndNamesIt() {
        LoadBalancer proxyOnly = LoadBalancer.builder().dataplane(new RecordingDataplane("proxy",
                EnumSet.of(ForwardingMethod.PROXY))).build();

        assertThatThrownBy(() -> proxyOnly.apply(base))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtual server 'web' (10.0.0.1:80/tcp)")
                .hasMessageContaining("no dataplane supports forwarding method [DIRECT_ROUTING]");
        assertThat(proxyOnly.configuration()).isEqualTo(Configuration.empty());
        proxyOnly.close();
    }

    @Test
    void appliesOnlyTheDifferenceAndSendsNothingWhenNothingChanged() {
        lb.apply(base);
        kernel.clearDiffs();
        proxy.clearDiffs();

        Configuration next = base.with(base.virtualServer("web").orElseThrow().withRealServer(rs("a", "10.0.1.1", 5)));
        ConfigurationDiff diff = lb.apply(next);

        assertThat(proxy.diffs()).isEmpty();
        assertThat(kernel.diffs()).hasSize(1);
        ConfigurationDiff sent = kernel.lastDiff();
        assertThat(sent.changed()).hasSize(1);
        assertThat(sent.changed().get(0).changedRealServers()).singleElement()
                .satisfies(c -> assertThat(c.fields()).containsExactly(ConfigurationDiff.RealServerField.WEIGHT));
        assertThat(diff).isEqualTo(sent);

        assertThat(lb.apply(next).isEmpty()).isTrue();
        assertThat(kernel.diffs()).hasSize(1);
    }

    @Test
    void applyIsAllOrNothingAcrossDataplanes() {
        lb.apply(base);
        proxy.rejectChangesTo("db", "bind 127.0.0.1:5432: Address already in use");
        Configuration next = base
                .with(base.virtualServer("web").orElseThrow().withRealServer(rs("c", "10.0.1.3", 1)))
                .with(base.virtualServer("db").orElseThrow().withRealServer(rs("p3", "127.0.0.4", 1)));

        assertThatThrownBy(() -> lb.apply(next))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("virtual server 'db' (127.0.0.1:5432/tcp)")
                .hasMessageContaining("dataplane 'proxy' rejected the change")
                .hasMessageContaining("Address already in use");

        assertThat(kernel.configuration()).isEqualTo(base.virtualServer("web").map(Configuration::of).orElseThrow());
        assertThat(lb.configuration()).isEqualTo(base);
        assertThat(kernel.diffs()).hasSize(3); // the first apply, the change, its rollback
    }

    @Test
    void dryRunReturnsTheDiffWithoutTouchingAnyDataplane() {
        lb.apply(base);
        kernel.clearDiffs();
        Configuration next = base.without("web");

        ConfigurationDiff diff = lb.dryRun(next);

        assertThat(diff.removed()).extracting(VirtualServer::label).containsExactly("web");
        assertThat(kernel.diffs()).isEmpty();
        assertThat(lb.configuration()).isEqualTo(base);
    }

    @Test
    void takeOfflineGivesWeightZeroAndOfflineAndBringOnlineRestoresTheWeight() {
        lb.apply(base);

        lb.takeOffline("web", "b");
        RealServer b = inDataplane(kernel, "web", "b");
        assertThat(b.weight()).isZero();
        assertThat(b.requestedStatus()).isEqualTo(RequestedStatus.OFFLINE);
        assertThat(lb.status().virtualServer("web").orElseThrow().realServer("b").orElseThrow().actual())
                .isEqualTo(ActualStatus.OFFLINE);

        lb.bringOnline("web", "b");
        assertThat(inDataplane(kernel, "web", "b").weight()).isEqualTo(2);
        assertThat(lb.configuration()).isEqualTo(base);
    }

    @Test
    void drainedServerGetsWeightZeroButKeepsItsRequestedDrain() {
        lb.apply(base);

        lb.drain("web", "b");

        RealServer b = inDataplane(kernel, "web", "b");
        assertThat(b.weight()).isZero();
        assertThat(b.requestedStatus()).isEqualTo(RequestedStatus.DRAIN);
        RealServerStatus s = lb.status().virtualServer("web").orElseThrow().realServer("b").orElseThrow();
        assertThat(s.actual()).isEqualTo(ActualStatus.DRAINING);
        assertThat(s.weight()).isEqualTo(2);
        assertThat(s.effectiveWeight()).isZero();
    }

    @Test
    void setWeightOutOfRangeNamesTheServerAndTheValue() {
        lb.apply(base);

        assertThatThrownBy(() -> lb.setWeight("web", "a", 70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtual server 'web'")
                .hasMessageContaining("real server 'a'")
                .hasMessageContaining("weight must be 0..65535 but was 70000");
        assertThatThrownBy(() -> lb.setWeight("web", "zz", 1)).hasMessageContaining("no real server 'zz'");
        assertThatThrownBy(() -> lb.setWeight("nope", "a", 1)).hasMessageContaining("no virtual server 'nope'");
    }

    private static HealthReport report(HealthState state, String reason) {
        return new HealthReport(state, reason, Duration.ofMillis(3), Instant.EPOCH);
    }

    @Test
    void failedHealthCheckQuiescesAndRecoveryRestoresTheRequestedWeight() {
        lb.apply(base);

        lb.reportHealth("db", "p1", report(HealthState.DOWN, "connect refused"));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isZero();
        assertThat(inDataplane(proxy, "db", "p1").requestedStatus()).isEqualTo(RequestedStatus.OFFLINE);
        RealServerStatus s = lb.status().virtualServer("db").orElseThrow().realServer("p1").orElseThrow();
        assertThat(s.actual()).isEqualTo(ActualStatus.DOWN);
        assertThat(s.requested()).isEqualTo(RequestedStatus.ONLINE);
        assertThat(s.lastCheck()).map(HealthReport::reason).contains("connect refused");

        lb.reportHealth("db", "p1", report(HealthState.UP, "connected"));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(1);
        assertThat(inDataplane(proxy, "db", "p1").requestedStatus()).isEqualTo(RequestedStatus.ONLINE);
        assertThat(events).filteredOn(e -> e instanceof LoadBalancerEvent.RealServerStatusChanged)
                .extracting(e -> ((LoadBalancerEvent.RealServerStatusChanged) e).to())
                .containsExactly(ActualStatus.DOWN, ActualStatus.UP);
    }

    @Test
    void failedHealthCheckWithRemovalTakesTheServerOutOfTheDataplane() {
        HealthCheck removing = HealthCheck.connect()
                .withSettings(CheckSettings.defaults().withOnFailure(FailureAction.REMOVE));
        lb.apply(Configuration.of(tcpProxy("db", "127.0.0.1:5432/tcp", removing, rs("p1", "127.0.0.2", 1),
                rs("p2", "127.0.0.3", 1))));

        lb.reportHealth("db", "p1", report(HealthState.DOWN, "timeout"));

        assertThat(inDataplane(proxy, "db", "p1")).isNull();
        RealServerStatus s = lb.status().virtualServer("db").orElseThrow().realServer("p1").orElseThrow();
        assertThat(s.effectiveWeight()).isEqualTo(-1);
        lb.reportHealth("db", "p1", report(HealthState.UP, "ok"));
        assertThat(inDataplane(proxy, "db", "p1")).isEqualTo(rs("p1", "127.0.0.2", 1));
    }

    @Test
    void requestedStatusWinsOverHealth() {
        lb.apply(base);
        lb.takeOffline("db", "p2");

        lb.reportHealth("db", "p2", report(HealthState.UP, "ok"));

        assertThat(inDataplane(proxy, "db", "p2").weight()).isZero();
        assertThat(lb.status().virtualServer("db").orElseThrow().realServer("p2").orElseThrow().actual())
                .isEqualTo(ActualStatus.OFFLINE);
    }

    private static HealthReport advice(HealthState state, int weightPercent, boolean drain) {
        return new HealthReport(state, "agent", Duration.ofMillis(3), Instant.EPOCH, weightPercent, drain);
    }

    private RealServerStatus dbStatus(String rs) {
        return lb.status().virtualServer("db").orElseThrow().realServer(rs).orElseThrow();
    }

    @Test
    void aChecksWeightPercentScalesTheRequestedWeightRoundedAndNeverToZero() {
        lb.apply(base);
        lb.setWeight("db", "p1", 40);

        lb.reportHealth("db", "p1", advice(HealthState.UP, 75, false));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(30);
        assertThat(dbStatus("p1").weight()).isEqualTo(40);
        assertThat(dbStatus("p1").effectiveWeight()).isEqualTo(30);
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.UP);

        lb.reportHealth("db", "p1", advice(HealthState.UP, 1, false));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(1);
        lb.reportHealth("db", "p1", advice(HealthState.UP, 256, false));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(102);
        lb.setWeight("db", "p1", 10);
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(26);
        lb.reportHealth("db", "p1", report(HealthState.UP, "plain"));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(10);
    }

    @Test
    void aChecksDrainAdviceDrainsLikeTheOperatorButTheOperatorAndHealthWin() {
        lb.apply(base);

        lb.reportHealth("db", "p1", advice(HealthState.UP, 100, true));
        assertThat(inDataplane(proxy, "db", "p1").weight()).isZero();
        assertThat(inDataplane(proxy, "db", "p1").requestedStatus()).isEqualTo(RequestedStatus.DRAIN);
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.DRAINING);
        assertThat(dbStatus("p1").requested()).isEqualTo(RequestedStatus.ONLINE);

        lb.reportHealth("db", "p1", advice(HealthState.DOWN, 100, true));
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.DOWN);
        lb.reportHealth("db", "p1", advice(HealthState.UP, 0, false));
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.DRAINING);

        lb.takeOffline("db", "p1");
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.OFFLINE);
        assertThat(inDataplane(proxy, "db", "p1").requestedStatus()).isEqualTo(RequestedStatus.OFFLINE);
        lb.bringOnline("db", "p1");
        lb.reportHealth("db", "p1", advice(HealthState.UP, 50, false));
        lb.setWeight("db", "p1", 4);
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(2);
        lb.drain("db", "p1");
        assertThat(inDataplane(proxy, "db", "p1").weight()).isZero();
        assertThat(dbStatus("p1").actual()).isEqualTo(ActualStatus.DRAINING);
    }

    @Test
    void aDrainAdviceOnEveryServerMakesTheFallbackActive() {
        VirtualServer vs = tcpProxy("db", "127.0.0.1:5432/tcp", HealthCheck.agent(), rs("p1", "127.0.0.2", 1))
                .toBuilder().fallback(rs("sorry", "127.0.0.9", 1)).build();
        lb.apply(Configuration.of(vs));
        lb.reportHealth("db", "p1", advice(HealthState.UP, 100, true));
        assertThat(lb.status().virtualServer("db").orElseThrow().fallbackActive()).isTrue();
        lb.reportHealth("db", "p1", advice(HealthState.UP, 100, false));
        assertThat(lb.status().virtualServer("db").orElseThrow().fallbackActive()).isFalse();
    }

    @Test
    void aReportRejectsAWeightPercentOutOfRangeNamingIt() {
        assertThatThrownBy(() -> advice(HealthState.UP, 257, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weightPercent must be 0..256 but was 257");
    }

    @Test
    void serversStartDownWhenTheCheckSaysSoAndTheFallbackBecomesActive() {
        HealthCheck downFirst = HealthCheck.connect()
                .withSettings(CheckSettings.defaults().withInitiallyUp(false));
        VirtualServer vs = tcpProxy("db", "127.0.0.1:5432/tcp", downFirst, rs("p1", "127.0.0.2", 1)).toBuilder()
                .fallback(rs("sorry", "127.0.0.9", 1)).build();

        lb.apply(Configuration.of(vs));

        VirtualServerStatus s = lb.status().virtualServer("db").orElseThrow();
        assertThat(s.realServer("p1").orElseThrow().actual()).isEqualTo(ActualStatus.DOWN);
        assertThat(s.fallbackActive()).isTrue();
        lb.reportHealth("db", "p1", report(HealthState.UP, "ok"));
        assertThat(lb.status().virtualServer("db").orElseThrow().fallbackActive()).isFalse();
    }

    @Test
    void healthIsForgottenWhenARealServerMovesToAnotherAddress() {
        lb.apply(base);
        lb.reportHealth("db", "p1", report(HealthState.DOWN, "refused"));

        VirtualServer moved = base.virtualServer("db").orElseThrow().withRealServer(rs("p1", "127.0.0.5", 1));
        lb.apply(base.with(moved));

        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(1);
        assertThat(lb.status().virtualServer("db").orElseThrow().realServer("p1").orElseThrow().health())
                .isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void statusReportsTheDataplanesConnectionCounts() {
        lb.apply(base);
        kernel.setActiveConnections("web", "a", 7);

        VirtualServerStatus web = lb.status().virtualServer("web").orElseThrow();

        assertThat(web.realServer("a").orElseThrow().stats().activeConnections()).isEqualTo(7);
        assertThat(web.stats().activeConnections()).isEqualTo(7);
        assertThat(lb.status().toTable()).contains("web").contains("10.0.1.1").contains("ONLINE");
    }

    @Test
    void drainCompletesWhenTheLastConnectionCloses() throws Exception {
        lb.apply(base);
        kernel.setActiveConnections("web", "a", 3);

        CompletableFuture<DrainResult> done = lb.drain("web", "a", Duration.ofSeconds(30), DrainAction.REMOVE);
        assertThat(inDataplane(kernel, "web", "a").weight()).isZero();
        assertThat(done).isNotDone();

        kernel.setActiveConnections("web", "a", 0);
        DrainResult r = done.get(10, TimeUnit.SECONDS);

        assertThat(r.drained()).isTrue();
        assertThat(r.remainingConnections()).isZero();
        assertThat(inDataplane(kernel, "web", "a")).isNull();
        assertThat(lb.configuration().virtualServer("web").orElseThrow().realServer("a")).isEmpty();
        assertThat(events).anySatisfy(e -> assertThat(e).isEqualTo(new LoadBalancerEvent.DrainFinished(r)));
    }

    @Test
    void drainClosesTheConnectionsLeftAtItsDeadline() throws Exception {
        lb.apply(base);
        kernel.setActiveConnections("web", "b", 4);

        DrainResult r = lb.drain("web", "b", Duration.ofMillis(50), DrainAction.CLOSE_CONNECTIONS)
                .get(10, TimeUnit.SECONDS);

        assertThat(r.drained()).isFalse();
        assertThat(r.remainingConnections()).isEqualTo(4);
        assertThat(kernel.closedConnections()).containsExactly("web/b");
        assertThat(inDataplane(kernel, "web", "b").requestedStatus()).isEqualTo(RequestedStatus.DRAIN);
    }

    @Test
    void drainEndsWithCancellationWhenTheServerIsBroughtBack() {
        lb.apply(base);
        kernel.setActiveConnections("web", "b", 4);
        CompletableFuture<DrainResult> done = lb.drain("web", "b", Duration.ofSeconds(30), DrainAction.KEEP);

        lb.bringOnline("web", "b");

        assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("no longer draining");
    }

    @Test
    void closeClosesTheDataplanesAndCancelsPendingDrains() {
        lb.apply(base);
        kernel.setActiveConnections("web", "b", 4);
        CompletableFuture<DrainResult> done = lb.drain("web", "b", Duration.ofMinutes(5), DrainAction.KEEP);

        lb.close();

        assertThat(kernel.isClosed()).isTrue();
        assertThat(proxy.isClosed()).isTrue();
        assertThat(done).isCompletedExceptionally();
        assertThatThrownBy(() -> lb.apply(base)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aThrowingListenerDoesNotUndoTheChangeOrSilenceOtherListeners() {
        List<LoadBalancerEvent> seen = new ArrayList<>();
        lb.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        lb.addListener(seen::add);

        lb.apply(base);

        assertThat(lb.configuration()).isEqualTo(base);
        assertThat(seen).singleElement().isInstanceOf(LoadBalancerEvent.ConfigurationApplied.class);
    }

    @Test
    void discoversDataplanesWithTheServiceLoader() {
        try (LoadBalancer discovered = LoadBalancer.builder().discoverDataplanes().build()) {
            assertThat(discovered.dataplanes()).extracting(Dataplane::name).contains("recording");
        }
    }

    @Test
    void concurrentEditsLeaveTheDataplaneEqualToTheEffectiveConfiguration() throws Exception {
        lb.apply(base);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        lb.setWeight("web", (i + seed) % 2 == 0 ? "a" : "b", (i * 7 + seed) % 100);
                        if (i % 10 == 0) {
                            lb.reportHealth("db", "p1", report(i % 20 == 0 ? HealthState.DOWN : HealthState.UP, "x"));
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Configuration desired = lb.configuration();
        assertThat(kernel.configuration()).isEqualTo(Configuration.of(desired.virtualServer("web").orElseThrow()));
        boolean p1Down = lb.status().virtualServer("db").orElseThrow().realServer("p1").orElseThrow()
                .actual() == ActualStatus.DOWN;
        assertThat(inDataplane(proxy, "db", "p1").weight()).isEqualTo(p1Down ? 0 : 1);
    }

    /** A monitor that records what it was told and lets the test report through its sink. */
    static final class ScriptedMonitor implements HealthMonitor {
        final List<Configuration> updates = new CopyOnWriteArrayList<>();
        volatile Sink sink;
        volatile boolean closed;

        @Override
        public void start(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void update(Configuration configuration) {
            updates.add(configuration);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void healthMonitorSeesEveryDesiredConfigurationAndItsResultsReachTheDataplane() {
        ScriptedMonitor monitor = new ScriptedMonitor();
        RecordingDataplane dp = new RecordingDataplane();
        LoadBalancer withMonitor = LoadBalancer.builder().dataplane(dp).healthMonitor(monitor).build();

        withMonitor.apply(base);
        withMonitor.takeOffline("web", "a");
        monitor.sink.report("db", "p2", report(HealthState.DOWN, "refused"));

        assertThat(monitor.updates).hasSize(2);
        assertThat(monitor.updates.get(0)).isEqualTo(base);
        assertThat(monitor.updates.get(1)).isEqualTo(withMonitor.configuration());
        assertThat(dp.configuration().virtualServer("db").orElseThrow().realServer("p2").orElseThrow().weight())
                .isZero();
        withMonitor.close();
        assertThat(monitor.closed).isTrue();
    }

    @Test
    void resultsThatChangeNothingAreKeptInTheHistoryWithoutTouchingAnyDataplane() {
        lb.apply(base);
        proxy.clearDiffs();
        events.clear();

        for (int i = 0; i < 5; i++) {
            lb.reportHealth("db", "p1", report(HealthState.UP, "ok " + i));
        }

        assertThat(proxy.diffs()).isEmpty();
        assertThat(events).isEmpty();
        assertThat(lb.status().virtualServer("db").orElseThrow().realServer("p1").orElseThrow().recentChecks())
                .extracting(HealthReport::reason).containsExactly("ok 0", "ok 1", "ok 2", "ok 3", "ok 4");
    }

    @Test
    void reportsHaStateInStatusEventsAndToDataplanesWithoutChangingTheConfiguration() {
        lb.apply(base);
        int diffsBefore = kernel.diffs().size() + proxy.diffs().size();
        events.clear();

        lb.reportHaState("vi1", HaState.INIT, HaState.BACKUP, "started");
        lb.reportHaState("vi2", HaState.INIT, HaState.MASTER, "no master seen");
        lb.reportHaState("vi1", HaState.BACKUP, HaState.MASTER, "master down timer expired");

        LoadBalancerStatus status = lb.status();
        assertThat(status.ha()).extracting(HaStatus::instance, HaStatus::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vi1", HaState.MASTER),
                        org.assertj.core.groups.Tuple.tuple("vi2", HaState.MASTER));
        assertThat(status.ha("vi1").orElseThrow().reason()).isEqualTo("master down timer expired");
        assertThat(status.toTable()).contains("HA vi1").contains("MASTER");
        assertThat(events).containsExactly(
                new LoadBalancerEvent.HaStateChanged("vi1", HaState.INIT, HaState.BACKUP, "started"),
                new LoadBalancerEvent.HaStateChanged("vi2", HaState.INIT, HaState.MASTER, "no master seen"),
                new LoadBalancerEvent.HaStateChanged("vi1", HaState.BACKUP, HaState.MASTER,
                        "master down timer expired"));
        assertThat(kernel.haChanges()).containsExactly("vi1 INIT->BACKUP", "vi2 INIT->MASTER", "vi1 BACKUP->MASTER");
        assertThat(proxy.haChanges()).isEqualTo(kernel.haChanges());
        assertThat(kernel.diffs().size() + proxy.diffs().size()).isEqualTo(diffsBefore);

        lb.forgetHaState("vi2");
        assertThat(lb.status().ha()).extracting(HaStatus::instance).containsExactly("vi1");
        lb.close();
        lb.reportHaState("vi1", HaState.MASTER, HaState.INIT, "stopping");
        assertThat(kernel.haChanges()).hasSize(3);
    }
}
