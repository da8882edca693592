package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.vip;
import static dev.lbkit.proxy.RawHttpServer.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.RealServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which side a response waits for decides which timeout runs: the server's ({@code serverResponseTimeout}) only
 * while nothing is pending toward the client, the client's idle timeout while the client has not taken what the
 * server sent. Real slow-reading clients (small receive buffer, pauses longer than the server timeout) and real
 * servers on loopback sockets.
 */
class HttpBackPressureTest {
    /** More than every socket buffer on the way holds (the proxy's send buffer toward the client alone may grow to
     * 4 MiB on loopback, whose segments are 64 KiB). */
    private static final int BIG = 16 * 1024 * 1024;

    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private ProxyDataplane proxy(ProxyOptions options) {
        return leaks.track(ProxyDataplane.builder().ioThreads(2).defaultOptions(options).build());
    }

    /** {@code /big}: BIG bytes of the pattern, on a socket with a small send buffer; anything else: "ok". */
    private RawHttpServer bigServer(AtomicLong streamed) throws IOException {
        return leaks.closeAfter(new RawHttpServer((head, socket, out) -> {
            if (head.startsWith("GET /big ")) {
                socket.setSendBufferSize(16 * 1024);
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + BIG + "\r\n\r\n"));
                for (int sent = 0; sent < BIG; sent += 8192) {
                    out.write(RawHttpServer.pattern(sent, 8192));
                    streamed.set(sent + 8192);
                }
                out.flush();
            } else {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                out.flush();
            }
        }));
    }

    private static Socket slowClient(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // before connect: the window the proxy sees stays small
        s.connect(new InetSocketAddress(Loopback.HOST, port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads a response head; returns the status line. */
    private static String readHead(InputStream in) throws IOException {
        String status = Loopback.readLine(in);
        String line;
        while ((line = Loopback.readLine(in)) != null && !line.equals("\r")) {
            // fields
        }
        return status;
    }

    @Test
    void aSlowReadingClientGetsTheWholeResponseAlthoughItPausesLongerThanTheServerTimeout() throws Exception {
        AtomicLong streamed = new AtomicLong();
        RawHttpServer app = bigServer(streamed);
        ProxyDataplane d = proxy(ProxyOptions.builder().http(HttpOptions.builder()
                .serverResponseTimeout(Duration.ofMillis(250)).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                .realServer(RealServer.builder("app").address(Loopback.HOST).port(app.port()).build()).build()));

        try (Socket s = slowClient(port)) {
            s.getOutputStream().write(ascii("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
            InputStream in = s.getInputStream();
            assertThat(readHead(in)).isEqualTo("HTTP/1.1 200 OK\r");
            Thread.sleep(1000); // four server timeouts without reading a byte
            assertThat(streamed.get()).as("the server is held back by the client, not done").isLessThan(BIG);
            byte[] chunk = new byte[16 * 1024];
            long got = 0;
            long nextPause = 4 * 1024 * 1024;
            while (got < BIG) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, BIG - got));
                assertThat(n).as("the response ended early after %s bytes", got).isPositive();
                assertThat(chunk).startsWith(java.util.Arrays.copyOf(RawHttpServer.pattern(got, n), n));
                got += n;
                if (got >= nextPause && got < BIG) {
                    Thread.sleep(400); // longer than the server timeout again
                    nextPause += 4 * 1024 * 1024;
                }
            }
            // the connection is still good for the next request
            s.getOutputStream().write(ascii("GET /small HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertThat(Http.readResponse(in).text()).isEqualTo("ok");
        }
        Loopback.await("both requests counted (the last may reach the client a moment before it is)", () ->
                d.metrics().getCounters().get("lbkit.web.http.requests.2xx").getCount() == 2);
        assertThat(d.metrics().getCounters().get("lbkit.web.http.requests.aborted").getCount()).isZero();
        assertThat(d.metrics().getCounters().get("lbkit.web.http.requests.5xx").getCount()).isZero();
        assertThat(app.failures).isEmpty();
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aServerThatFallsSilentMidBodyIsStillCutAfterTheServerTimeout() throws Exception {
        RawHttpServer app = leaks.closeAfter(new RawHttpServer((head, socket, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
            out.write(RawHttpServer.pattern(0, 100));
            out.flush();
            Thread.sleep(5000); // silent; the test closes it
        }));
        ProxyDataplane d = proxy(ProxyOptions.builder().http(HttpOptions.builder()
                .serverResponseTimeout(Duration.ofMillis(250)).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                .realServer(RealServer.builder("app").address(Loopback.HOST).port(app.port()).build()).build()));

        try (Socket s = Loopback.connect(port)) {
            s.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            InputStream in = s.getInputStream();
            assertThat(readHead(in)).isEqualTo("HTTP/1.1 200 OK\r");
            assertThat(readToEnd(in)).as("the body was cut after what the server sent").hasSize(100);
        }
        Loopback.await("the exchange counted as aborted", () ->
                d.metrics().getCounters().get("lbkit.web.http.requests.aborted").getCount() == 1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheClientIdleTimeoutNotTheServerTimeout() throws Exception {
        AtomicLong streamed = new AtomicLong();
        RawHttpServer app = bigServer(streamed);
        ProxyDataplane d = proxy(ProxyOptions.builder().clientIdleTimeout(Duration.ofMillis(500))
                .http(HttpOptions.builder().serverResponseTimeout(Duration.ofSeconds(60)).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                .realServer(RealServer.builder("app").address(Loopback.HOST).port(app.port()).build()).build()));

        try (Socket s = slowClient(port)) {
            s.getOutputStream().write(ascii("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
            Loopback.await("the exchange counted as aborted", () ->
                    d.metrics().getCounters().get("lbkit.web.http.requests.aborted").getCount() == 1);
            assertThat(readToEnd(s.getInputStream()).length).as("cut before the end").isLessThan(BIG);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    /** Everything up to the end of the stream or a reset. */
    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) != -1) {
                b.write(chunk, 0, n);
            }
        } catch (SocketException reset) {
            // the proxy aborted with a reset: what came before it counts
        }
        return b.toByteArray();
    }
}
