package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.curl;
import static dev.lbkit.proxy.Http.server;
import static dev.lbkit.proxy.Http.vip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpProxyTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private ProxyDataplane proxy(ProxyOptions options) {
        return leaks.track(ProxyDataplane.builder().ioThreads(2).defaultOptions(options).build());
    }

    private ProxyDataplane proxy() {
        return proxy(ProxyOptions.defaults());
    }

    private HttpBackend backend(String name) throws Exception {
        return leaks.closeAfter(new HttpBackend(name));
    }

    @Test
    void forwardsRequestsAndKeepsBothSidesAlive() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));

        HttpClient c = Http.client();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = Http.get(c, port, "/hello/" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("app1 /hello/" + i);
            assertThat(r.headers().firstValue("X-Backend")).contains("app1");
        }
        assertThat(app.requests.get()).isEqualTo(20);
        assertThat(app.connections).as("server connections reused").hasSize(1);
        // the last response may reach the client a moment before the I/O thread counts it
        Loopback.await("20 requests counted", () ->
                d.metrics().getCounters().get("lbkit.web.http.requests.2xx").getCount() == 20);
        assertThat(d.metrics().getCounters().get("lbkit.web.app1.http.requests.2xx").getCount()).isEqualTo(20);
        assertThat(d.metrics().getHistograms().get("lbkit.web.http.latencyMicros").getCount()).isEqualTo(20);
    }

    @Test
    void addsForwardingHeadersAndRemovesHopByHopOnes() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy(ProxyOptions.builder().http(HttpOptions.builder()
                .forwarded(HttpOptions.Forwarded.APPEND)
                .requestHeaderRule(HttpOptions.HeaderRule.set("X-Env", "test"))
                .requestHeaderRule(HttpOptions.HeaderRule.remove("X-Secret"))
                .responseHeaderRule(HttpOptions.HeaderRule.set("X-Proxy", "lbkit")).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));

        Http.Curl r = curl("-H", "X-Forwarded-For: 10.9.9.9", "-H", "Connection: keep-alive, X-Drop",
                "-H", "X-Drop: 1", "-H", "Keep-Alive: timeout=5", "-H", "X-Secret: s", "-H", "Host: www.example.com",
                "http://127.0.0.1:" + port + "/headers");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers("X-Proxy")).containsExactly("lbkit");
        String seen = r.body();
        assertThat(seen).contains("x-forwarded-for: 10.9.9.9, 127.0.0.1").contains("x-forwarded-proto: http")
                .contains("x-forwarded-port: " + port).contains("forwarded: for=127.0.0.1;proto=http;host=www.example.com")
                .contains("x-env: test").doesNotContain("x-secret").doesNotContain("x-drop")
                .doesNotContain("keep-alive: timeout");
    }

    @Test
    void routesByHostAndPathToPoolsWithTheirOwnServers() throws Exception {
        HttpBackend web = backend("web1");
        HttpBackend api = backend("api1");
        HttpBackend img = backend("img1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Configuration cfg = Configuration.of(
                vip("web", port).realServer(server("web1", web))
                        .route(HttpRoute.to("api").pathPrefix("/api/").build())
                        .route(HttpRoute.to("img").host("*.img.test").build())
                        .route(HttpRoute.to("img").pathRegex("\\.png$").build()).build(),
                VirtualServer.builder("api").pool().realServer(server("api1", api)).build(),
                VirtualServer.builder("img").pool().realServer(server("img1", img)).build());
        Loopback.apply(d, Configuration.empty(), cfg);

        String base = "http://127.0.0.1:" + port;
        assertThat(curl(base + "/index.html").body()).isEqualTo("web1 /index.html");
        assertThat(curl(base + "/api/v1/users?x=/a.png").body()).isEqualTo("api1 /api/v1/users");
        assertThat(curl("-H", "Host: cdn.img.test:8080", base + "/api/x").body()).isEqualTo("api1 /api/x");
        assertThat(curl("-H", "Host: cdn.img.test", base + "/x").body()).isEqualTo("img1 /x");
        assertThat(curl(base + "/logo.png").body()).isEqualTo("img1 /logo.png");
        assertThat(d.metrics().getCounters().get("lbkit.api.http.requests.2xx").getCount()).isEqualTo(2);
        assertThat(d.metrics().getCounters().get("lbkit.api.api1.http.requests.2xx").getCount()).isEqualTo(2);
        assertThat(d.stats().get("api").realServer("api1").connections()).isEqualTo(2);
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));

        try (Socket s = Loopback.connect(port)) {
            StringBuilder reqs = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                reqs.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            reqs.append("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            reqs.append("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            s.getOutputStream().write(reqs.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int i = 0; i < 5; i++) {
                assertThat(Http.readResponse(in).text()).isEqualTo("app1 /p" + i);
            }
            assertThat(Http.readResponse(in).text()).isEqualTo("hello");
            Http.Raw last = Http.readResponse(in);
            assertThat(last.text()).isEqualTo("app1 /last");
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(in.read()).as("closed after Connection: close").isEqualTo(-1);
        }
    }

    @Test
    void passesChunkedBodiesBothWays() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));

        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        try (Socket s = Loopback.connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < big.length; at += 70_000) {
                int n = Math.min(70_000, big.length - at);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(big, at, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // the JDK server takes no trailers
            Http.Raw r = Http.readResponse(s.getInputStream());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(Arrays.equals(r.body(), big)).isTrue();
        }
    }

    @Test
    void expectContinueLetsTheServerAskForTheBody(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));

        Path file = dir.resolve("body");
        Files.write(file, "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII));
        Http.Curl r = curl("-H", "Expect: 100-continue", "--expect100-timeout", "10", "--data-binary", "@" + file,
                "http://127.0.0.1:" + port + "/echo");
        assertThat(r.out()).startsWith("HTTP/1.1 100");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize(200_000);
    }

    @Test
    void answers503WithoutServersAnd502ForADeadOneAndACustomPage() throws Exception {
        ProxyDataplane d = proxy(ProxyOptions.builder().redispatchAttempts(0).http(HttpOptions.builder()
                .errorPage(503, "text/plain", "sorry, come back later\n").build()).build());
        int port = Loopback.freePort();
        int dead = Loopback.freePort();
        Configuration none = Loopback.config(vip("web", port).build());
        Loopback.apply(d, Configuration.empty(), none);
        Http.Curl r = curl("http://127.0.0.1:" + port + "/");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("sorry, come back later\n");
        assertThat(r.headers("Content-Type")).containsExactly("text/plain");

        Loopback.apply(d, none, Loopback.config(vip("web", port)
                .realServer(RealServer.builder("gone").address(Loopback.HOST).port(dead).build()).build()));
        assertThat(curl("http://127.0.0.1:" + port + "/").status()).as("connect refused").isEqualTo(503);
        assertThat(d.connectFailures("web", "gone")).isEqualTo(1);
        assertThat(d.metrics().getCounters().get("lbkit.web.http.requests.5xx").getCount()).isEqualTo(2);
    }

    @Test
    void answers502ForAGarbageResponseAnd504ForASilentServer() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy(ProxyOptions.builder().http(HttpOptions.builder()
                .serverResponseTimeout(Duration.ofMillis(500)).build()).build());
        int port = Loopback.freePort();
        try (java.net.ServerSocket garbage = new java.net.ServerSocket(0, 10,
                java.net.InetAddress.getByName(Loopback.HOST))) {
            Thread t = new Thread(() -> {
                try (Socket s = garbage.accept()) {
                    s.getInputStream().read(new byte[1000]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(1000);
                } catch (Exception ignored) {
                    // test over
                }
            });
            t.start();
            Configuration cfg = Loopback.config(vip("web", port)
                    .realServer(RealServer.builder("bad").address(Loopback.HOST).port(garbage.getLocalPort()).build())
                    .build());
            Loopback.apply(d, Configuration.empty(), cfg);
            assertThat(curl("http://127.0.0.1:" + port + "/").status()).isEqualTo(502);
            t.join(5000);
            Loopback.apply(d, cfg, Loopback.config(vip("web", port).realServer(server("app1", app)).build()));
        }
        Http.Curl slow = curl("http://127.0.0.1:" + port + "/slow");
        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.body()).contains("504 Gateway Timeout");
    }

    @Test
    void rejectsSmugglingAttemptsWithoutForwardingThem() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));
        String[] bad = {
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n",
        };
        for (String req : bad) {
            try (Socket s = Loopback.connect(port)) {
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                Http.Raw r = Http.readResponse(s.getInputStream());
                assertThat(r.status()).as(req).isEqualTo(400);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
        }
        assertThat(app.requests.get()).isZero();
        assertThat(d.metrics().getCounters().get("lbkit.web.http.rejected").getCount()).isEqualTo(bad.length);
        assertThat(d.metrics().getCounters().get("lbkit.web.http.rejected.content_length_with_transfer_encoding")
                .getCount()).isEqualTo(1);
        assertThat(d.metrics().getCounters().get("lbkit.web.http.rejected.obs_fold").getCount()).isEqualTo(1);
    }

    @Test
    void upgradesToAWebSocketTunnel() throws Exception {
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        try (java.net.ServerSocket ws = new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName(Loopback.HOST))) {
            Thread t = new Thread(() -> {
                try (Socket s = ws.accept()) {
                    InputStream in = s.getInputStream();
                    String line;
                    StringBuilder head = new StringBuilder();
                    while (!(line = Loopback.readLine(in)).equals("\r")) {
                        head.append(line).append('\n');
                    }
                    OutputStream out = s.getOutputStream();
                    boolean upgrade = head.toString().toLowerCase(java.util.Locale.ROOT).contains("upgrade: websocket");
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "X-Saw-Upgrade: " + upgrade + "\r\n\r\nhello-from-server\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    in.transferTo(out); // echo until the client closes
                } catch (Exception ignored) {
                    // test over
                }
            });
            t.start();
            Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                    .realServer(RealServer.builder("ws").address(Loopback.HOST).port(ws.getLocalPort()).build()).build()));
            try (Socket s = Loopback.connect(port)) {
                s.getOutputStream().write(("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                Http.Raw r = Http.readResponse(in);
                assertThat(r.status()).isEqualTo(101);
                assertThat(r.header("x-saw-upgrade")).isEqualTo("true");
                assertThat(r.header("upgrade")).isEqualTo("websocket");
                assertThat(Loopback.readLine(in)).isEqualTo("hello-from-server");
                for (int i = 0; i < 10; i++) {
                    Loopback.writeLine(s.getOutputStream(), "frame " + i);
                    assertThat(Loopback.readLine(in)).isEqualTo("frame " + i);
                }
            }
            t.join(5000);
        }
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aServerAtItsConnectionLimitGetsNoFurtherRequest() throws Exception {
        HttpBackend slow = backend("slow");
        HttpBackend other = backend("other");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port)
                .scheduler(dev.lbkit.api.Scheduler.WRR)
                .realServer(RealServer.builder("slow").address(Loopback.HOST).port(slow.port()).weight(100)
                        .maxConnections(1).build())
                .realServer(RealServer.builder("other").address(Loopback.HOST).port(other.port()).weight(1)
                        .build()).build()));
        try (Socket busy = Loopback.connect(port)) {
            busy.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Loopback.await("the slow request reached its server", () -> slow.requests.get() == 1);
            for (int i = 0; i < 3; i++) {
                assertThat(curl("http://127.0.0.1:" + port + "/x").headers("X-Backend")).containsExactly("other");
            }
            assertThat(Http.readResponse(busy.getInputStream()).text()).isEqualTo("slow slow");
        }
        assertThat(slow.requests.get()).isEqualTo(1);
    }

    @Test
    void keepsAnHttp10ClientAliveOnlyWhenItAsks() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy();
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));
        try (Socket s = Loopback.connect(port)) {
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(("GET /k" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                Http.Raw r = Http.readResponse(s.getInputStream());
                assertThat(r.text()).isEqualTo("app1 /k" + i);
                assertThat(r.header("connection")).isEqualTo("keep-alive");
            }
            s.getOutputStream().write("GET /last HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(Http.readResponse(s.getInputStream()).header("connection")).isEqualTo("close");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closesASlowlorisClientWith408() throws Exception {
        HttpBackend app = backend("app1");
        ProxyDataplane d = proxy(ProxyOptions.builder().http(HttpOptions.builder()
                .clientHeaderTimeout(Duration.ofMillis(300)).build()).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(server("app1", app)).build()));
        try (Socket s = Loopback.connect(port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            Http.Raw r = Http.readResponse(s.getInputStream());
            assertThat(r.status()).isEqualTo(408);
        }
        assertThat(d.metrics().getCounters().get("lbkit.web.http.headerTimeouts").getCount()).isEqualTo(1);
        assertThat(app.requests.get()).isZero();
    }
}
