package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.vip;
import static dev.lbkit.proxy.RawHttpServer.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When every real server of a pool is at its {@code maxConnections}, HTTP requests wait in the pool's bounded
 * queue ({@code ProxyOptions.queueSize/queueTimeout} of the pool's label), as the TCP proxy's connections do:
 * 503 only when the queue is full or the queue timeout expires. A real server on loopback holds requests until
 * the test lets them go.
 */
class HttpRequestQueueTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    /** Released once per {@code /hold} request the server may answer. */
    private final Semaphore gate = new Semaphore(0);

    private RawHttpServer server() throws Exception {
        return leaks.closeAfter(new RawHttpServer((head, socket, out) -> {
            String path = head.substring(4, head.indexOf(' ', 4));
            if (path.equals("/hold") && !gate.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never let /hold go");
            }
            String body = "served " + path;
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
            out.flush();
        }));
    }

    private ProxyDataplane proxy() {
        return leaks.track(ProxyDataplane.builder().ioThreads(2).build());
    }

    private static Socket send(int port, String path) throws Exception {
        Socket s = Loopback.connect(port);
        s.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        return s;
    }

    private static long gauge(ProxyDataplane d, String name) {
        return ((Number) d.metrics().getGauges().get(name).getValue()).longValue();
    }

    private static long counter(ProxyDataplane d, String name) {
        return d.metrics().getCounters().get(name).getCount();
    }

    private static RealServer limited(String label, RawHttpServer s, int max) {
        return RealServer.builder(label).address(Loopback.HOST).port(s.port()).maxConnections(max).build();
    }

    @Test
    void aRequestWaitsInThePoolsQueueWhileEveryServerIsFullAndGoesOnWhenASlotFrees() throws Exception {
        RawHttpServer app = server();
        ProxyDataplane d = proxy();
        d.setOptions("api", ProxyOptions.builder().queueSize(5).queueTimeout(Duration.ofSeconds(10)).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(
                vip("web", port).route(HttpRoute.to("api").pathPrefix("/").build()).build(),
                VirtualServer.builder("api").pool().realServer(limited("api1", app, 1)).build()));

        try (Socket first = send(port, "/hold")) {
            Loopback.await("the first request holds the only slot", () -> app.requests.get() == 1);
            try (Socket second = send(port, "/next")) {
                Loopback.await("the second request waits in the pool's queue", () -> d.queueLength("api") == 1);
                assertThat(app.requests.get()).as("nothing beyond the limit reached the server").isEqualTo(1);
                gate.release();
                assertThat(Http.readResponse(first.getInputStream()).text()).isEqualTo("served /hold");
                Http.Raw r = Http.readResponse(second.getInputStream());
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("served /next");
            }
        }
        assertThat(d.queueLength("api")).isZero();
        assertThat(gauge(d, "lbkit.api.queued")).isEqualTo(1);
        assertThat(gauge(d, "lbkit.api.refused")).isZero();
        Loopback.await("both requests counted", () -> counter(d, "lbkit.web.http.requests.2xx") == 2);
        assertThat(counter(d, "lbkit.web.http.requests.5xx")).isZero();
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aFullQueueAnswers503AtOnceWhileTheQueuedRequestIsStillServed() throws Exception {
        RawHttpServer app = server();
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(1).queueTimeout(Duration.ofSeconds(10)).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(limited("a", app, 1))
                .build()));

        try (Socket first = send(port, "/hold")) {
            Loopback.await("the first request holds the only slot", () -> app.requests.get() == 1);
            try (Socket second = send(port, "/queued")) {
                Loopback.await("the second request fills the queue", () -> d.queueLength("web") == 1);
                try (Socket third = send(port, "/third")) {
                    Http.Raw r = Http.readResponse(third.getInputStream());
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(r.header("connection")).isEqualTo("close");
                }
                assertThat(d.queueLength("web")).as("the queued request still waits").isEqualTo(1);
                gate.release();
                assertThat(Http.readResponse(first.getInputStream()).status()).isEqualTo(200);
                assertThat(Http.readResponse(second.getInputStream()).text()).isEqualTo("served /queued");
            }
        }
        assertThat(gauge(d, "lbkit.web.refused")).isEqualTo(1);
        assertThat(gauge(d, "lbkit.web.queued")).isEqualTo(1);
        assertThat(gauge(d, "lbkit.web.queueTimeouts")).isZero();
        assertThat(counter(d, "lbkit.web.http.requests.5xx")).isEqualTo(1);
        assertThat(app.requests.get()).isEqualTo(2);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void aQueuedRequestIsAnswered503WhenTheQueueTimeoutExpires() throws Exception {
        RawHttpServer app = server();
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(5).queueTimeout(Duration.ofMillis(200)).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(limited("a", app, 1))
                .build()));

        try (Socket first = send(port, "/hold")) {
            Loopback.await("the first request holds the only slot", () -> app.requests.get() == 1);
            try (Socket second = send(port, "/late")) {
                Http.Raw r = Http.readResponse(second.getInputStream());
                assertThat(r.status()).isEqualTo(503);
                assertThat(second.getInputStream().read()).as("closed after the 503").isEqualTo(-1);
            }
            assertThat(gauge(d, "lbkit.web.queueTimeouts")).isEqualTo(1);
            assertThat(gauge(d, "lbkit.web.refused")).isEqualTo(1);
            assertThat(d.queueLength("web")).isZero();
            gate.release();
            assertThat(Http.readResponse(first.getInputStream()).text()).isEqualTo("served /hold");
        }
        assertThat(app.requests.get()).as("the timed-out request never reached the server").isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void whenTheQueueIsFullTheFallbackServerAnswersInstead() throws Exception {
        RawHttpServer app = server();
        RawHttpServer sorry = leaks.closeAfter(new RawHttpServer((head, socket, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsorry"));
            out.flush();
        }));
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(1).queueTimeout(Duration.ofSeconds(10)).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(limited("a", app, 1))
                .fallback(RealServer.builder("sorry").address(Loopback.HOST).port(sorry.port()).build()).build()));

        try (Socket first = send(port, "/hold")) {
            Loopback.await("the first request holds the only slot", () -> app.requests.get() == 1);
            try (Socket second = send(port, "/queued")) {
                Loopback.await("the second request fills the queue", () -> d.queueLength("web") == 1);
                try (Socket third = send(port, "/third")) {
                    assertThat(Http.readResponse(third.getInputStream()).text()).as("not queued: the sorry server")
                            .isEqualTo("sorry");
                }
                assertThat(sorry.requests.get()).isEqualTo(1);
                gate.release();
                assertThat(Http.readResponse(first.getInputStream()).text()).isEqualTo("served /hold");
                assertThat(Http.readResponse(second.getInputStream()).text()).as("the queue comes before the "
                        + "fallback server").isEqualTo("served /queued");
            }
        }
        assertThat(gauge(d, "lbkit.web.refused")).isZero();
        assertThat(sorry.requests.get()).isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }

    @Test
    void withoutAQueueAFullPoolAnswers503AtOnce() throws Exception {
        RawHttpServer app = server();
        ProxyDataplane d = proxy();
        d.setOptions("web", ProxyOptions.builder().queueSize(0).build());
        int port = Loopback.freePort();
        Loopback.apply(d, Configuration.empty(), Loopback.config(vip("web", port).realServer(limited("a", app, 1))
                .build()));

        try (Socket first = send(port, "/hold")) {
            Loopback.await("the first request holds the only slot", () -> app.requests.get() == 1);
            try (Socket second = send(port, "/now")) {
                assertThat(Http.readResponse(second.getInputStream()).status()).isEqualTo(503);
            }
            gate.release();
            assertThat(Http.readResponse(first.getInputStream()).status()).isEqualTo(200);
        }
        assertThat(gauge(d, "lbkit.web.queued")).isZero();
        assertThat(gauge(d, "lbkit.web.refused")).isEqualTo(1);
        ProxyLeakCheck.awaitQuiet(d);
    }
}
