package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.connect;
import static dev.lbkit.proxy.Loopback.readLine;
import static dev.lbkit.proxy.Loopback.realServer;
import static dev.lbkit.proxy.Loopback.vip;
import static dev.lbkit.proxy.Loopback.whoServes;
import static dev.lbkit.proxy.Loopback.writeLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SchedulingRulesTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private final int port = Loopback.freePort();

    private ProxyDataplane proxy() {
        return leaks.track(ProxyDataplane.builder().ioThreads(2).build());
    }

    private FakeBackend backend(String name) throws IOException {
        return leaks.closeAfter(new FakeBackend(name));
    }

    private static RealServer rs(String label, FakeBackend b, int weight) {
        return realServer(label, b).withWeight(weight);
    }

    /** Opens {@code n} connections one after the other, keeping them open; counts who served each. */
    private static Map<String, Integer> heldShares(int port, int n, List<Socket> keep) throws IOException {
        Map<String, Integer> shares = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Socket s = connect(port);
            keep.add(s);
            writeLine(s.getOutputStream(), "name");
            shares.merge(readLine(s.getInputStream()), 1, Integer::sum);
        }
        return shares;
    }

    private static Map<String, Integer> sequentialShares(int port, int n) throws IOException {
        Map<String, Integer> shares = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            shares.merge(whoServes(port), 1, Integer::sum);
        }
        return shares;
    }

    @ParameterizedTest
    @EnumSource(value = Scheduler.class, names = {"RR", "WRR", "LC", "WLC", "FO"})
    void everySchedulerGivesItsShareOverRealConnections(Scheduler scheduler) throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        FakeBackend c = backend("c");
        ProxyDataplane d = proxy();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(scheduler)
                .realServer(rs("a", a, 1)).realServer(rs("b", b, 2)).realServer(rs("c", c, 3)).build()));

        List<Socket> keep = new ArrayList<>();
        try {
            Map<String, Integer> shares = heldShares(port, 60, keep);
            switch (scheduler) {
                case RR:
                case LC:
                    assertThat(shares).containsExactly(entry("a", 20), entry("b", 20), entry("c", 20));
                    break;
                case FO:
                    assertThat(shares).containsExactly(entry("c", 60));
                    break;
                default: // WRR, WLC: by weight
                    assertThat(shares).containsExactly(entry("a", 10), entry("b", 20), entry("c", 30));
            }
        } finally {
            for (Socket s : keep) {
                s.close();
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @ParameterizedTest
    @EnumSource(value = Scheduler.class, names = {"SH", "MH"})
    void hashingSchedulersKeepEachClientAddressOnOneServer(Scheduler scheduler) throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(scheduler)
                .realServer(rs("a", a, 1)).realServer(rs("b", b, 1)).build()));

        Map<String, String> first = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 40; i++) {
                String from = "127.0.0." + i;
                String server = whoServesFrom(from, port);
                assertThat(first.putIfAbsent(from, server)).as("client %s", from).isIn(null, server);
            }
        }
        assertThat(first.values()).as("both servers get clients").contains("a", "b");
        ProxyLeakCheck.awaitQuiet(d);
    }

    private static String whoServesFrom(String source, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(Loopback.HOST, port), 5000);
            s.setSoTimeout(10_000);
            writeLine(s.getOutputStream(), "name");
            return readLine(s.getInputStream());
        }
    }

    @Test
    void drainedServerKeepsItsLiveConnectionsButGetsNoNewOnes() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        Configuration c1 = Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(Scheduler.RR)
                .realServer(rs("a", a, 1)).realServer(rs("b", b, 1)).build()));
        List<Socket> keep = new ArrayList<>();
        try {
            assertThat(heldShares(port, 2, keep)).containsOnlyKeys("a", "b");
            VirtualServer vs = c1.virtualServer("web").orElseThrow();
            Loopback.apply(d, c1, config(vs.withRealServer(vs.realServer("b").orElseThrow().withWeight(0))));

            assertThat(sequentialShares(port, 10)).containsExactly(entry("a", 10));
            for (Socket s : keep) { // both old connections still work, the drained one included
                writeLine(s.getOutputStream(), "still there");
                assertThat(readLine(s.getInputStream())).isEqualTo("still there");
            }
            assertThat(d.stats().get("web").realServer("b").activeConnections()).isEqualTo(1);
        } finally {
            for (Socket s : keep) {
                s.close();
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void drainKeepsPersistedClientsButOfflineSendsThemElsewhere() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        Configuration c = Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(Scheduler.RR)
                .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(60)))
                .realServer(rs("a", a, 1)).realServer(rs("b", b, 1)).build()));
        String first = whoServes(port);
        assertThat(sequentialShares(port, 5)).as("persistent").containsExactly(entry(first, 5));

        VirtualServer vs = c.virtualServer("web").orElseThrow();
        RealServer chosen = vs.realServer(first).orElseThrow();
        Configuration drained = Loopback.apply(d, c, config(vs.withRealServer(
                chosen.toBuilder().weight(0).requestedStatus(RequestedStatus.DRAIN).build())));
        assertThat(sequentialShares(port, 3)).as("drain keeps persisted clients").containsExactly(entry(first, 3));

        Loopback.apply(d, drained, config(vs.withRealServer(
                chosen.toBuilder().weight(0).requestedStatus(RequestedStatus.OFFLINE).build())));
        String other = first.equals("a") ? "b" : "a";
        assertThat(sequentialShares(port, 3)).as("offline takes not even persisted clients")
                .containsExactly(entry(other, 3));
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aFullServerQueuesTheNextConnectionUntilASlotFrees() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(5).queueTimeout(Duration.ofSeconds(10)).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port)
                .realServer(realServer("a", a).toBuilder().maxConnections(1).build()).build()));

        Socket first = connect(port);
        writeLine(first.getOutputStream(), "name");
        assertThat(readLine(first.getInputStream())).isEqualTo("a");
        try (Socket second = connect(port)) {
            writeLine(second.getOutputStream(), "name");
            Loopback.await("the second connection waits in the queue", () -> d.queueLength("web") == 1);
            assertThat(a.accepted()).isEqualTo(1);
            first.close();
            assertThat(readLine(second.getInputStream())).as("served once the first ended").isEqualTo("a");
            assertThat(d.queueLength("web")).isZero();
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aQueuedConnectionIsRefusedAfterTheQueueTimeout() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(5).queueTimeout(Duration.ofMillis(200)).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port)
                .realServer(realServer("a", a).toBuilder().maxConnections(1).build()).build()));

        try (Socket first = connect(port); Socket second = connect(port)) {
            writeLine(first.getOutputStream(), "name");
            assertThat(readLine(first.getInputStream())).isEqualTo("a");
            writeLine(second.getOutputStream(), "name");
            assertThat(Loopback.readLineOrNullOnReset(second)).as("refused: closed without an answer").isNull();
            assertThat(d.refusedConnections("web")).isEqualTo(1);
            assertThat(d.metrics().getGauges().get("lbkit.web.queueTimeouts").getValue()).isEqualTo(1L);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aFailedConnectIsRedispatchedToAnotherServerWhenOneIsKilledMidTest() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(Scheduler.RR)
                .realServer(rs("a", a, 1)).realServer(rs("b", b, 1)).build()));
        assertThat(sequentialShares(port, 4)).containsExactly(entry("a", 2), entry("b", 2));

        a.close(); // killed: connects to it are refused from now on
        awaitRefused(a.port());
        assertThat(sequentialShares(port, 10)).as("every client served").containsExactly(entry("b", 10));
        assertThat(d.connectFailures("web", "a")).isGreaterThanOrEqualTo(1);
        assertThat(d.stats().get("web").realServer("b").connections()).isEqualTo(12);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void withoutRedispatchAFailedConnectGoesToTheFallbackServer() throws Exception {
        FakeBackend sorry = backend("sorry");
        int dead = Loopback.freePort();
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().redispatchAttempts(0).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("a", dead))
                .fallback(realServer("sorry", sorry)).build()));

        assertThat(whoServes(port)).isEqualTo("sorry");
        assertThat(d.connectFailures("web", "a")).isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void theFallbackServerTakesConnectionsWhenNoRealServerHasWeight() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend sorry = backend("sorry");
        ProxyDataplane d = proxy();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(rs("a", a, 0))
                .fallback(realServer("sorry", sorry)).build()));

        assertThat(sequentialShares(port, 3)).containsExactly(entry("sorry", 3));
        assertThat(d.stats().get("web").realServer("sorry").connections()).isEqualTo(3);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void withNoServerAndNoFallbackTheClientIsClosed() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(rs("a", a, 0)).build()));

        assertThat(whoServes(port)).isNull();
        assertThat(d.refusedConnections("web")).isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    /** Waits (bounded) until a direct connect to this loopback port is refused: the backend is really gone. */
    private static void awaitRefused(int port) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress(Loopback.HOST, port), 1000);
            } catch (java.io.IOException refused) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("backend on port " + port + " still accepts connections after close()");
    }
}
