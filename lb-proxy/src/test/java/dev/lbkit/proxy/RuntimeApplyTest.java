package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.connect;
import static dev.lbkit.proxy.Loopback.readLine;
import static dev.lbkit.proxy.Loopback.realServer;
import static dev.lbkit.proxy.Loopback.vip;
import static dev.lbkit.proxy.Loopback.whoServes;
import static dev.lbkit.proxy.Loopback.writeLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.Dataplane;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RuntimeApplyTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private ProxyDataplane proxy() {
        return leaks.track(ProxyDataplane.builder().ioThreads(2).build());
    }

    private FakeBackend backend(String name) throws IOException {
        return leaks.closeAfter(new FakeBackend(name));
    }

    @Test
    void aBindErrorNamesTheVirtualServerAndAddressAndAppliesNothing() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        int good = Loopback.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Loopback.HOST))) {
            int busy = taken.getLocalPort();
            Configuration c = config(vip("fine", good).realServer(realServer("a", a)).build(),
                    vip("web", busy).realServer(realServer("a", a)).build());

            assertThatThrownBy(() -> d.apply(ConfigurationDiff.between(Configuration.empty(), c)))
                    .isInstanceOf(DataplaneException.class)
                    .hasMessageContaining("virtual server 'web'")
                    .hasMessageContaining("bind 127.0.0.1:" + busy)
                    .satisfies(e -> assertThat(((DataplaneException) e).virtualServer()).isEqualTo("web"));
            assertThat(d.stats()).isEmpty();
            try (ServerSocket free = new ServerSocket(good, 1, InetAddress.getByName(Loopback.HOST))) {
                assertThat(free.getLocalPort()).as("the other VIP's socket was released").isEqualTo(good);
            }
        }
        Loopback.apply(d, Configuration.empty(), config(vip("fine", good).realServer(realServer("a", a)).build()));
        assertThat(whoServes(good)).isEqualTo("a");
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aLoadBalancerRollsBackWhenTheProxyCannotBind() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Loopback.HOST));
                LoadBalancer lb = LoadBalancer.builder().dataplane(d).build()) {
            Configuration c = config(vip("web", taken.getLocalPort()).realServer(realServer("a", a)).build());
            assertThatThrownBy(() -> lb.apply(c)).isInstanceOf(DataplaneException.class)
                    .hasMessageContaining("virtual server 'web'");
            int port = Loopback.freePort();
            lb.apply(config(vip("web", port).realServer(realServer("a", a)).build()));
            assertThat(whoServes(port)).isEqualTo("a");
        }
    }

    @Test
    void serviceLoaderFindsTheProxyDataplane() {
        List<Dataplane> found = new ArrayList<>();
        ServiceLoader.load(Dataplane.class).forEach(found::add);
        assertThat(found).anySatisfy(p -> {
            assertThat(p).isInstanceOf(ProxyDataplane.class);
            assertThat(p.forwardingMethods()).containsExactlyInAnyOrder(ForwardingMethod.PROXY, ForwardingMethod.HTTP);
        });
        found.forEach(Dataplane::close);
    }

    @Test
    void aVipCanBeRemovedAndAddedAgainOnTheSamePort() throws Exception {
        FakeBackend a = backend("a");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Configuration c = config(vip("web", port).realServer(realServer("a", a)).build());
        for (int i = 0; i < 3; i++) {
            Loopback.apply(d, Configuration.empty(), c);
            assertThat(whoServes(port)).isEqualTo("a");
            Loopback.apply(d, c, Configuration.empty());
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void closeConnectionsClosesOnlyThatRealServersConnections() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(Scheduler.RR)
                .realServer(realServer("a", a)).realServer(realServer("b", b)).build()));
        try (Socket s1 = connect(port); Socket s2 = connect(port)) {
            writeLine(s1.getOutputStream(), "name");
            writeLine(s2.getOutputStream(), "name");
            Socket onA = readLine(s1.getInputStream()).equals("a") ? s1 : s2;
            Socket onB = onA == s1 ? s2 : s1;
            readLine(onB.getInputStream());

            assertThat(d.closeConnections("web", "a")).isTrue();
            assertThat(onA.getInputStream().read()).isEqualTo(-1);
            writeLine(onB.getOutputStream(), "alive");
            assertThat(readLine(onB.getInputStream())).isEqualTo("alive");
            assertThat(d.closeConnections("web", "nobody")).isFalse();
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aRemovedRealServersConnectionsFinishUnlessTheOptionClosesThem() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        VirtualServer both = vip("web", port).scheduler(Scheduler.FO).realServer(realServer("a", a).withWeight(2))
                .realServer(realServer("b", b)).build();
        Configuration c1 = Loopback.apply(d, Configuration.empty(), config(both));
        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "name");
            assertThat(readLine(s.getInputStream())).isEqualTo("a");
            Configuration c2 = Loopback.apply(d, c1, config(both.withoutRealServer("a")));
            writeLine(s.getOutputStream(), "finishes");
            assertThat(readLine(s.getInputStream())).isEqualTo("finishes");
            assertThat(whoServes(port)).isEqualTo("b");
            assertThat(d.stats().get("web").realServers()).containsOnlyKeys("b");

            d.setOptions("web", ProxyOptions.builder().closeConnectionsOnRemove(true).build());
            Loopback.apply(d, c2, config(both));
            try (Socket t = connect(port)) {
                writeLine(t.getOutputStream(), "name");
                assertThat(readLine(t.getInputStream())).isEqualTo("a");
                Loopback.apply(d, config(both), config(both.withoutRealServer("a")));
                assertThat(t.getInputStream().read()).as("closed with its real server").isEqualTo(-1);
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void applyingChangesUnderLoadLosesNoConnection() throws Exception {
        FakeBackend a = backend("a");
        FakeBackend b = backend("b");
        FakeBackend c = backend("c");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        int otherPort = Loopback.freePort();
        RealServer ra = realServer("a", a);
        RealServer rb = realServer("b", b);
        RealServer rc = realServer("c", c);
        List<Configuration> steps = List.of(
                config(vip("web", port).realServer(ra).realServer(rb).build()),
                config(vip("web", port).realServer(ra).realServer(rb).realServer(rc).build()),
                config(vip("web", port).scheduler(Scheduler.RR).realServer(ra.withWeight(0)).realServer(rb)
                        .realServer(rc).build()),
                config(vip("web", port).scheduler(Scheduler.RR).realServer(rb).realServer(rc).build(),
                        vip("other", otherPort).realServer(ra).build()),
                config(vip("web", port).scheduler(Scheduler.WRR).realServer(rb.withWeight(3)).realServer(rc)
                        .realServer(ra).build()),
                config(vip("web", port).scheduler(Scheduler.MH).realServer(rc).realServer(ra).build()));

        Configuration current = Loopback.apply(d, Configuration.empty(), steps.get(0));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger exchanges = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        int clients = 8;
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    // each client: connections of 20 exchanges each, until told to stop (bounded by count too)
                    for (int conn = 0; conn < 500 && !stop.get(); conn++) {
                        try (Socket s = connect(port)) {
                            for (int k = 0; k < 20; k++) {
                                String msg = "c" + id + "-" + conn + "-" + k;
                                writeLine(s.getOutputStream(), msg);
                                assertThat(readLine(s.getInputStream())).isEqualTo(msg);
                                exchanges.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        for (int round = 0; round < 3; round++) {
            for (Configuration next : steps.subList(1, steps.size())) {
                Thread.sleep(30);
                current = Loopback.apply(d, current, next);
            }
            Thread.sleep(30);
            current = Loopback.apply(d, current, steps.get(0));
        }
        stop.set(true);
        assertThat(done.await(60, TimeUnit.SECONDS)).as("clients finished").isTrue();
        assertThat(errors).isEmpty();
        assertThat(exchanges.get()).isPositive();
        ProxyLeakCheck.awaitQuiet(d);
    }
}
