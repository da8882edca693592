package dev.lbkit.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.Vip;
import dev.lbkit.examples.bench.ProxyBenchMain.Endpoint;
import dev.lbkit.examples.bench.ProxyBenchMain.Options;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyBenchMainTest {

    @Test
    void readsTheHarnessCommandLine() {
        Options o = Options.parse("--listen", "127.0.0.1:18110", "--backends", "127.0.0.1:18081,127.0.0.1:18082",
                "--mode", "tcp", "--threads", "2");
        assertThat(o.listen()).isEqualTo(new Endpoint("127.0.0.1", 18110));
        assertThat(o.backends()).containsExactly(new Endpoint("127.0.0.1", 18081), new Endpoint("127.0.0.1", 18082));
        assertThat(o.threads()).isEqualTo(2);
        assertThat(o.virtualServer().realServers()).hasSize(2);
    }

    @Test
    void acceptsNameEqualsValueAndIpv6InBrackets() {
        Options o = Options.parse("--listen=[::1]:8080", "--backends=[::1]:9001", "--buffer-size=16384");
        assertThat(o.listen()).isEqualTo(new Endpoint("::1", 8080));
        assertThat(o.threads()).isEqualTo(1);
        assertThat(o.bufferSize()).isEqualTo(16384);
        assertThat(o.virtualServer().vip()).isEqualTo(Vip.parse("[::1]:8080/tcp"));
    }

    @Test
    void badArgumentsAreNamedInTheMessage() {
        assertThatThrownBy(() -> Options.parse("--backends", "127.0.0.1:1")).hasMessageStartingWith("--listen is missing");
        assertThatThrownBy(() -> Options.parse("--listen", "127.0.0.1:1")).hasMessageStartingWith("--backends is missing");
        assertThatThrownBy(() -> Options.parse("--listen", "127.0.0.1")).hasMessageStartingWith("--listen must be HOST:PORT");
        assertThatThrownBy(() -> Options.parse("--listen", "127.0.0.1:0", "--backends", "127.0.0.1:1"))
                .hasMessageStartingWith("--listen: port must be 1..65535 but was '0'");
        assertThatThrownBy(() -> Options.parse("--listen", "::1:80")).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> Options.parse("--listen", "127.0.0.1:1", "--backends", "127.0.0.1:1,"))
                .hasMessageStartingWith("--backends must be HOST:PORT");
        assertThatThrownBy(() -> Options.parse("--threads", "x")).hasMessageStartingWith("--threads must be a whole number");
        assertThatThrownBy(() -> Options.parse("--threads")).hasMessageStartingWith("--threads: a value is missing");
        assertThatThrownBy(() -> Options.parse("--speed", "9")).hasMessageStartingWith("unknown argument '--speed'");
        assertThatThrownBy(() -> Options.parse("--mode", "udp")).hasMessageStartingWith("--mode must be tcp or http");
        assertThatThrownBy(() -> Options.parse("--listen", "localhost:80", "--backends", "127.0.0.1:1")
                .virtualServer()).hasMessageStartingWith("--listen localhost:80:");
        assertThatThrownBy(() -> Options.parse("--listen", "127.0.0.1:80", "--backends", "127.0.0.1:1,app:2")
                .virtualServer()).hasMessageStartingWith("--backends app:2:");
    }

    @Test
    void httpModeRunsAnHttpVirtualServer() {
        Options o = Options.parse("--listen", "127.0.0.1:1", "--backends", "127.0.0.1:2", "--mode", "http");
        assertThat(o.virtualServer().forwardingMethod()).isEqualTo(dev.lbkit.api.ForwardingMethod.HTTP);
        assertThat(Options.parse("--listen", "127.0.0.1:1", "--backends", "127.0.0.1:2").virtualServer()
                .forwardingMethod()).isEqualTo(dev.lbkit.api.ForwardingMethod.PROXY);
    }

    @Test
    void relaysToTheBackendsRoundRobin() throws Exception {
        try (Echo a = new Echo("a"); Echo b = new Echo("b")) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Options o = Options.parse("--listen", "127.0.0.1:" + port, "--backends",
                    "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port());
            try (LoadBalancer lb = ProxyBenchMain.start(o)) {
                assertThat(List.of(ask(port), ask(port), ask(port), ask(port))).containsOnly("a", "b")
                        .filteredOn("a"::equals).hasSize(2);
                assertThat(lb.status().toTable()).contains(ProxyBenchMain.VIRTUAL_SERVER);
            }
        }
    }

    private static String ask(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write('?');
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Answers every connection with its name once the client's first byte arrives, then closes. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server;

        Echo(String name) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(10_000);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        in.read();
                        out.write(name.getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }
            }, "bench-test-echo-" + name);
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
