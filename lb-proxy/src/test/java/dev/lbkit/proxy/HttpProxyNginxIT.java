package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.curl;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP proxy in front of a real nginx (Debian's, started by the test on three loopback ports with a config
 * generated into a temp dir; {@code .ci/install-test-deps.sh} installs it): routing to a pool, INSERT cookies over
 * two servers, keep-alive reuse of server connections seen in nginx's own access log ({@code $connection} and
 * {@code $connection_requests}), request bodies, HEAD and 304/204 responses without bodies.
 */
class HttpProxyNginxIT {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    @TempDir
    Path dir;

    private Process nginx;
    private final int[] ports = new int[3];

    @BeforeEach
    void startNginx() throws Exception {
        Path binary = Path.of("/usr/sbin/nginx");
        Assumptions.assumeTrue(Files.isExecutable(binary), "nginx is not installed (.ci/install-test-deps.sh)");
        StringBuilder servers = new StringBuilder();
        String[] names = {"nginx-a", "nginx-b", "nginx-api"};
        for (int i = 0; i < 3; i++) {
            ports[i] = Loopback.freePort();
            servers.append("""
                    server {
                      listen 127.0.0.1:%d;
                      keepalive_requests 10000;
                      access_log %s/access-%s.log conns;
                      location = /nocontent { return 204; }
                      location = /cached { if ($http_if_none_match = "v1") { return 304; } add_header ETag v1; return 200 "fresh"; }
                      location / { add_header X-Backend %s always; return 200 "%s $request_method $request_uri $http_x_forwarded_for $http_cookie\\n"; }
                    }
                    """.formatted(ports[i], dir, names[i], names[i], names[i]));
        }
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections 512; }
                http {
                  client_body_temp_path %s/body;
                  proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi;
                  scgi_temp_path %s/scgi;
                  log_format conns '$connection $connection_requests $request';
                  keepalive_timeout 60s;
                  %s
                }
                """.formatted(dir, dir, dir, dir, dir, dir, dir, servers));
        nginx = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        for (int p : ports) {
            Loopback.await("nginx listening on " + p, () -> {
                try (java.net.Socket s = new java.net.Socket(Loopback.HOST, p)) {
                    return true;
                } catch (java.io.IOException e) {
                    return !nginx.isAlive() && fail();
                }
            });
        }
    }

    private boolean fail() {
        try {
            throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("nginx.out"))
                    + Files.readString(dir.resolve("error.log")));
        } catch (java.io.IOException e) {
            throw new AssertionError("nginx exited", e);
        }
    }

    @AfterEach
    void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private RealServer rs(String label, int i) {
        return RealServer.builder(label).address(Loopback.HOST).port(ports[i]).build();
    }

    @Test
    void routesPinsWithCookiesAndReusesServerConnections() throws Exception {
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).build());
        int port = Loopback.freePort();
        String base = "http://127.0.0.1:" + port;
        Loopback.apply(d, Configuration.empty(), Configuration.of(
                Http.vip("web", port).scheduler(Scheduler.RR)
                        .persistence(CookiePersistence.builder(CookiePersistence.Mode.INSERT, "SRV").path("/").build())
                        .realServer(rs("a", 0)).realServer(rs("b", 1))
                        .route(HttpRoute.to("api").pathPrefix("/api/").build()).build(),
                VirtualServer.builder("api").pool().realServer(rs("api", 2)).build()));

        Http.Curl api = curl("-d", "payload=1", base + "/api/items?x=1");
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.body()).startsWith("nginx-api POST /api/items?x=1 127.0.0.1");

        Http.Curl first = curl(base + "/page");
        String who = first.headers("X-Backend").get(0);
        String cookie = first.headers("Set-Cookie").get(0);
        assertThat(cookie).startsWith("SRV=").endsWith("; Path=/; HttpOnly");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        for (int i = 0; i < 5; i++) {
            Http.Curl r = curl("-H", "Cookie: " + pair, base + "/page/" + i);
            assertThat(r.headers("X-Backend")).containsExactly(who);
            assertThat(r.body()).endsWith(pair + "\n");
        }

        HttpClient c = Http.client();
        Map<String, Integer> by = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = Http.get(c, port, "/ka/" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            by.merge(r.headers().firstValue("X-Backend").orElseThrow(), 1, Integer::sum);
        }
        assertThat(by).containsOnlyKeys("nginx-a", "nginx-b");
        // nginx numbers its connections; the requests of the keep-alive run arrived over very few of them
        for (String n : List.of("nginx-a", "nginx-b")) {
            List<String> lines = Files.readAllLines(dir.resolve("access-" + n + ".log"), StandardCharsets.UTF_8);
            long conns = lines.stream().filter(l -> l.contains("/ka/")).map(l -> l.split(" ")[0]).distinct().count();
            assertThat(conns).as("connections nginx saw for 30 requests: %s", lines).isLessThanOrEqualTo(2);
        }

        Http.Curl head = curl("-I", base + "/page");
        assertThat(head.status()).isEqualTo(200);
        assertThat(curl(base + "/nocontent").status()).isEqualTo(204);
        assertThat(curl("-H", "If-None-Match: v1", base + "/cached").status()).isEqualTo(304);
        // the keep-alive connection survives bodiless answers
        for (String path : new String[] {"/nocontent", "/cached", "/page"}) {
            assertThat(Http.get(c, port, path).statusCode()).isIn(200, 204);
        }
    }
}
