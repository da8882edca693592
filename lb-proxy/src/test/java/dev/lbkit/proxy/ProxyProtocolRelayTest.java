package dev.lbkit.proxy;

import static dev.lbkit.proxy.Loopback.config;
import static dev.lbkit.proxy.Loopback.connect;
import static dev.lbkit.proxy.Loopback.readLine;
import static dev.lbkit.proxy.Loopback.realServer;
import static dev.lbkit.proxy.Loopback.vip;
import static dev.lbkit.proxy.Loopback.writeLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.Scheduler;
import dev.lbkit.proxy.ProxyOptions.ProxyProtocol;
import dev.lbkit.proxy.proxyprotocol.ProxyHeader;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProxyProtocolRelayTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private final int port = Loopback.freePort();

    private ProxyDataplane proxy(ProxyOptions options) {
        return leaks.track(ProxyDataplane.builder().ioThreads(1).options("web", options).build());
    }

    @Test
    void realServersGetTheClientsAddressInAVersion1Header() throws Exception {
        FakeBackend a = leaks.closeAfter(new FakeBackend("a", true));
        ProxyDataplane d = proxy(ProxyOptions.builder().sendProxyProtocol(ProxyProtocol.V1).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("a", a)).build()));

        try (Socket s = connect(port)) {
            writeLine(s.getOutputStream(), "name");
            assertThat(readLine(s.getInputStream())).isEqualTo("a");
            ProxyHeader h = a.headers.get(0);
            assertThat(h.version()).isEqualTo(1);
            assertThat(h.source()).isEqualTo(s.getLocalSocketAddress());
            assertThat(h.destination()).isEqualTo(new InetSocketAddress(Loopback.HOST, port));
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aRealServerCanGetVersion2WhileTheOthersGetNone() throws Exception {
        FakeBackend a = leaks.closeAfter(new FakeBackend("a", false));
        FakeBackend b = leaks.closeAfter(new FakeBackend("b", true));
        ProxyDataplane d = proxy(ProxyOptions.builder().sendProxyProtocolTo("b", ProxyProtocol.V2).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).scheduler(Scheduler.RR)
                .realServer(realServer("a", a)).realServer(realServer("b", b)).build()));

        for (int i = 0; i < 4; i++) {
            assertThat(Loopback.whoServes(port)).isIn("a", "b");
        }
        assertThat(b.headers).hasSize(2).allSatisfy(h -> assertThat(h.version()).isEqualTo(2));
        assertThat(a.failures).isEmpty();
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aTrustedClientsHeaderReplacesItsAddressAndTheBytesAfterItAreRelayed() throws Exception {
        FakeBackend a = leaks.closeAfter(new FakeBackend("a", true));
        ProxyDataplane d = proxy(ProxyOptions.builder().acceptProxyProtocolFrom(List.of("127.0.0.0/8"))
                .sendProxyProtocol(ProxyProtocol.V1).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("a", a)).build()));
        InetSocketAddress original = new InetSocketAddress("192.0.2.7", 40000);
        InetSocketAddress frontVip = new InetSocketAddress("198.51.100.1", 443);

        try (Socket s = connect(port)) {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.write(new ProxyProtocolEncoder().encode(ProxyHeader.v2(original, frontVip)));
            first.write(FakeBackend.ascii("name\n"));
            s.getOutputStream().write(first.toByteArray()); // header and data in one segment
            assertThat(readLine(s.getInputStream())).isEqualTo("a");
        }
        assertThat(a.headers.get(0).source()).isEqualTo(original);
        assertThat(a.headers.get(0).destination()).isEqualTo(frontVip);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aMalformedHeaderClosesThatConnectionOnlyAndIsCounted() throws Exception {
        FakeBackend a = leaks.closeAfter(new FakeBackend("a"));
        ProxyDataplane d = proxy(ProxyOptions.builder().acceptProxyProtocolFrom(List.of("127.0.0.1")).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("a", a)).build()));

        try (Socket good = connect(port); Socket bad = connect(port)) {
            good.getOutputStream().write(FakeBackend.ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\nna"));
            bad.getOutputStream().write(FakeBackend.ascii("GET / HTTP/1.1\r\n\r\n"));
            assertThat(readOrReset(bad)).as("the bad one is closed").isEqualTo(-1);
            good.getOutputStream().write(FakeBackend.ascii("me\n"));
            assertThat(readLine(good.getInputStream())).isEqualTo("a");
        }
        assertThat(d.proxyProtocolRejected("web")).isEqualTo(1);
        assertThat(a.accepted()).isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aMissingHeaderOrAnUntrustedClientIsClosedAndCounted() throws Exception {
        FakeBackend a = leaks.closeAfter(new FakeBackend("a"));
        ProxyDataplane d = proxy(ProxyOptions.builder().acceptProxyProtocolFrom(List.of("127.0.0.1/32"))
                .proxyProtocolTimeout(Duration.ofMillis(200)).build());
        Loopback.apply(d, Configuration.empty(), config(vip("web", port).realServer(realServer("a", a)).build()));

        try (Socket silent = connect(port)) {
            assertThat(readOrReset(silent)).as("no header within the timeout").isEqualTo(-1);
        }
        try (Socket untrusted = new Socket()) {
            untrusted.bind(new InetSocketAddress("127.0.0.2", 0));
            int got;
            try {
                // The proxy may reset an untrusted client before its connect() even returns: that is a refusal too.
                untrusted.connect(new InetSocketAddress(Loopback.HOST, port), 5000);
                untrusted.setSoTimeout(10_000);
                untrusted.getOutputStream().write(FakeBackend.ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n"));
                got = readOrReset(untrusted);
            } catch (java.net.SocketException reset) {
                got = -1;
            }
            assertThat(got).as("not from a trusted network").isEqualTo(-1);
        }
        assertThat(d.proxyProtocolRejected("web")).isEqualTo(2);
        assertThat(a.accepted()).isZero();
        ProxyLeakCheck.awaitQuiet(d);
    }

    /** Reads one byte; a reset counts as the end (-1). */
    private static int readOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }
}
