package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.connect;
import static dev.lbkit.proxy.Loopback.readLine;
import static dev.lbkit.proxy.Loopback.realServer;
import static dev.lbkit.proxy.Loopback.vip;
import static dev.lbkit.proxy.Loopback.writeLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.TrafficStats;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TcpRelayTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private ProxyDataplane proxy(int threads) {
        return leaks.track(ProxyDataplane.builder().ioThreads(threads).build());
    }

    @Test
    void relaysBytesBothWaysAndCountsThem() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(2);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            for (int i = 0; i < 100; i++) {
                writeLine(s.getOutputStream(), "hello " + i);
                assertThat(readLine(s.getInputStream())).isEqualTo("hello " + i);
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
        Loopback.await("byte counters published", () -> d.stats().get("web").total().bytesIn() > 0);
        TrafficStats rs = d.stats().get("web").realServer("app1");
        assertThat(rs.connections()).isEqualTo(1);
        assertThat(rs.activeConnections()).isZero();
        assertThat(rs.bytesIn()).isEqualTo(rs.bytesOut()).isEqualTo(d.stats().get("web").total().bytesIn());
        assertThat(d.metrics().getGauges()).containsKeys("lbkit.web.app1.bytesIn", "lbkit.web.connections");
    }

    @Test
    void clientHalfCloseKeepsTheAnswerFlowing() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(1);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "sink");
            s.getOutputStream().write(new byte[100_000]);
            s.shutdownOutput(); // FIN towards the real server; its answer must still come back
            assertThat(readLine(s.getInputStream())).isEqualTo("got 100000");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void serverHalfCloseKeepsTheClientsBytesFlowing() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(1);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "fin");
            assertThat(readLine(s.getInputStream())).isEqualTo("bye");
            assertThat(s.getInputStream().read()).as("the real server's FIN").isEqualTo(-1);
            s.getOutputStream().write(new byte[50_000]); // the other direction is still open
            s.shutdownOutput();
            Loopback.await("the real server got the client's bytes after its own FIN", () -> app.sunk.get() == 50_000);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void slowReaderHoldsAtMostOneBufferPerDirectionAndGetsEveryByte() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).bufferSize(16 * 1024).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));
        long total = 64L << 20;

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "stream " + total);
            // the client reads nothing: the real server must stall once socket buffers and one proxy buffer fill
            long before = -1;
            for (int i = 0; i < 200 && app.streamed.get() != before; i++) {
                before = app.streamed.get();
                Thread.sleep(50);
            }
            assertThat(app.streamed.get()).as("the real server is stalled by back-pressure").isLessThan(total);
            assertThat(d.bufferStats().heldByConnections()).isBetween(0L, 2L);

            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            long got = 0;
            int n;
            boolean ok = true;
            long maxHeld = 0;
            while ((n = in.read(buf)) != -1) {
                for (int i = 0; i < n; i++) {
                    ok &= buf[i] == (byte) ((got + i) % 251);
                }
                got += n;
                maxHeld = Math.max(maxHeld, d.bufferStats().heldByConnections());
            }
            assertThat(maxHeld).as("buffers held by the connection while streaming").isLessThanOrEqualTo(2L);
            assertThat(got).isEqualTo(total);
            assertThat(ok).as("bytes arrive in order and unchanged").isTrue();
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void idleConnectionsHoldNoBuffer() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(2);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = connect(port);
                clients.add(s);
                writeLine(s.getOutputStream(), "ping " + i);
                assertThat(readLine(s.getInputStream())).isEqualTo("ping " + i);
            }
            assertThat(d.openConnections()).isEqualTo(200);
            assertThat(d.bufferStats().heldByConnections()).isZero();
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aResetFromTheRealServerResetsTheClient() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(1);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "x");
            assertThat(readLine(s.getInputStream())).isEqualTo("x");
            app.resetConnections();
            Loopback.await("the proxied connection ends without the client closing", () -> d.openConnections() == 0);
            try {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                assertThat(reset.getMessage()).containsIgnoringCase("reset");
            }
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void theRealServersEndOfStreamReachesTheClient() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = proxy(1);
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "x");
            assertThat(readLine(s.getInputStream())).isEqualTo("x");
            app.close();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void clientIdleTimeoutClosesTheConnection() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1)
                .defaultOptions(ProxyOptions.builder().clientIdleTimeout(Duration.ofMillis(200)).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "x");
            assertThat(readLine(s.getInputStream())).isEqualTo("x");
            assertThat(s.getInputStream().read()).as("closed by the idle timeout").isEqualTo(-1);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void connectionLifetimeEndsEvenABusyConnection() throws Exception {
        FakeBackend app = leaks.closeAfter(new FakeBackend("app1"));
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).build());
        d.setOptions("web", ProxyOptions.builder().connectionLifetime(Duration.ofMillis(300)).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("app1", app)).build()));

        try (Socket s = connect(port)) {
            String line = "";
            for (int i = 0; i < 10_000 && line != null; i++) {
                writeLine(s.getOutputStream(), "busy");
                line = readLine(s.getInputStream());
                Thread.sleep(5);
            }
            assertThat(line).as("ended by the lifetime limit").isNull();
        } catch (java.net.SocketException expected) {
            // writing after the proxy closed may also fail outright
        }
        ProxyLeakCheck.awaitQuiet(d);
    }
}
