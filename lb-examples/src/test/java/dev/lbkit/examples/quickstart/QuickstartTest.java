package dev.lbkit.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuickstartTest {
    @Test
    void servesBothDemoBackendsInTurnThroughTheTcpVip() throws Exception {
        int vipPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            vipPort = probe.getLocalPort(); // a free port; a VIP must name its port
        }
        try (Quickstart q = new Quickstart(Quickstart.Options.parse(new String[] {"--vip-port",
                Integer.toString(vipPort), "--http-port", Integer.toString(freePort()), "--backend-ports", "0,0"}))) {
            int port = q.tcpVip().getPort();
            List<String> answeredBy = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // A new client per request: the TCP VIP schedules per connection.
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/hello")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("you asked for /hello");
                answeredBy.add(r.headers().firstValue("X-Backend").orElseThrow());
            }
            assertThat(answeredBy).containsOnly("backend-1", "backend-2");
            assertThat(answeredBy).contains("backend-1", "backend-2");

            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            q.printBanner(new PrintStream(banner, true, StandardCharsets.UTF_8));
            assertThat(banner.toString(StandardCharsets.UTF_8)).contains("curl http://127.0.0.1:" + port + "/hello");
            assertThat(q.loadBalancer().status().toTable()).contains("tcp-demo").contains("backend-1");

            // The health checker runs: within a bounded wait, both backends have a result and are UP.
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until && q.loadBalancer().status().virtualServer("tcp-demo").orElseThrow()
                    .realServers().stream().anyMatch(r -> r.lastCheck().isEmpty())) {
                Thread.sleep(100);
            }
            assertThat(q.loadBalancer().status().virtualServer("tcp-demo").orElseThrow().realServers())
                    .allSatisfy(r -> {
                        assertThat(r.lastCheck()).isPresent();
                        assertThat(r.health()).isNotEqualTo(dev.lbkit.api.HealthState.DOWN);
                    });
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void theHttpVipKeepsAClientWithItsCookieOnOneBackend() throws Exception {
        try (Quickstart q = new Quickstart(Quickstart.Options.parse(new String[] {"--vip-port",
                Integer.toString(freePort()), "--http-port", Integer.toString(freePort()), "--backend-ports", "0,0"}))) {
            int port = q.httpVip().getPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/cart")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            String backend = first.headers().firstValue("X-Backend").orElseThrow();
            String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("LBKIT=").contains("Path=/");
            String pair = cookie.substring(0, cookie.indexOf(';'));
            List<String> sticky = new ArrayList<>();
            List<String> fresh = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sticky.add(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cart"))
                        .header("Cookie", pair).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Backend").orElseThrow());
                fresh.add(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                        .headers().firstValue("X-Backend").orElseThrow());
            }
            assertThat(sticky).containsOnly(backend);
            assertThat(fresh).contains("backend-1", "backend-2"); // requests without the cookie alternate
            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            q.printBanner(new PrintStream(banner, true, StandardCharsets.UTF_8));
            assertThat(banner.toString(StandardCharsets.UTF_8)).contains("http-demo 127.0.0.1:" + port);
        }
    }

    @Test
    void badOptionsNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> Quickstart.Options.parse(new String[] {"--vip-port", "70000"}))
                .hasMessage("--vip-port must be a port 0..65535 but was '70000'");
        assertThatThrownBy(() -> Quickstart.Options.parse(new String[] {"--refresh", "0"}))
                .hasMessageContaining("--refresh must be whole seconds, at least 1");
        assertThatThrownBy(() -> Quickstart.Options.parse(new String[] {"--bogus", "1"}))
                .hasMessageContaining("unknown option --bogus");
    }
}
