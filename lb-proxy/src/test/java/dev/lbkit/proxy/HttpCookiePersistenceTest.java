package dev.lbkit.proxy;

import static dev.lbkit.proxy.Http.curl;
import static dev.lbkit.proxy.Http.server;
import static dev.lbkit.proxy.Http.vip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.CookiePersistence.Mode;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpCookiePersistenceTest {
    @RegisterExtension
    final ProxyLeakCheck leaks = new ProxyLeakCheck();

    private HttpBackend app1;
    private HttpBackend app2;
    private int port;
    private String base;

    private ProxyDataplane start(CookiePersistence cookie, HttpOptions http) throws Exception {
        app1 = leaks.closeAfter(new HttpBackend("app1"));
        app2 = leaks.closeAfter(new HttpBackend("app2"));
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(2)
                .defaultOptions(ProxyOptions.builder().http(http).build()).build());
        port = Loopback.freePort();
        base = "http://127.0.0.1:" + port;
        Loopback.apply(d, Configuration.empty(), Configuration.of(webVip(cookie)));
        return d;
    }

    private VirtualServer webVip(CookiePersistence cookie) {
        return vip("web", port).scheduler(Scheduler.RR).persistence(cookie).realServer(server("app1", app1))
                .realServer(server("app2", app2)).build();
    }

    private static String cookieValue(Http.Curl r, String name) {
        for (String c : r.headers("Set-Cookie")) {
            if (c.startsWith(name + "=")) {
                int semi = c.indexOf(';');
                return c.substring(name.length() + 1, semi < 0 ? c.length() : semi);
            }
        }
        return null;
    }

    private static String servedBy(Http.Curl r) {
        return r.headers("X-Backend").get(0);
    }

    @Test
    void insertPinsTheClientToItsServerWithAnOpaqueIdAndTheAttributes() throws Exception {
        CookiePersistence c = CookiePersistence.builder(Mode.INSERT, "SRV").path("/").maxAge(Duration.ofHours(1))
                .secure(true).sameSite(CookiePersistence.SameSite.LAX).noCache(true).build();
        start(c, HttpOptions.defaults());

        Http.Curl first = curl(base + "/a");
        String who = servedBy(first);
        String id = cookieValue(first, "SRV");
        assertThat(id).isNotNull().isNotEqualTo(who).matches("[0-9a-f]{12}");
        assertThat(first.headers("Set-Cookie")).containsExactly(
                "SRV=" + id + "; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax");
        assertThat(first.headers("Cache-Control")).containsExactly("private");
        for (int i = 0; i < 8; i++) {
            Http.Curl r = curl("-H", "Cookie: a=1; SRV=" + id + "; b=2", base + "/x" + i);
            assertThat(servedBy(r)).isEqualTo(who);
        }
        HttpBackend mine = who.equals("app1") ? app1 : app2;
        assertThat(mine.lastCookie()).as("without indirect the cookie reaches the server").contains("SRV=" + id);
        Set<String> fresh = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            fresh.add(servedBy(curl(base + "/y")));
        }
        assertThat(fresh).as("clients without the cookie are balanced").containsExactlyInAnyOrder("app1", "app2");
    }

    @Test
    void insertIndirectStripsTheCookieAndSetsItOnlyWhenNeededPostOnlyOnPosts() throws Exception {
        CookiePersistence c = CookiePersistence.builder(Mode.INSERT, "SRV").indirect(true).postOnly(true).build();
        start(c, HttpOptions.builder().cookieValueIsLabel(true).cookieValue("app2", "b").build());

        assertThat(curl(base + "/get").headers("Set-Cookie")).as("postonly: no cookie on GET").isEmpty();
        Http.Curl post = curl("-X", "POST", "-d", "x=1", base + "/form");
        String who = servedBy(post);
        assertThat(cookieValue(post, "SRV")).isEqualTo(who.equals("app1") ? "app1" : "b");
        String id = cookieValue(post, "SRV");
        Http.Curl again = curl("-X", "POST", "-d", "x=1", "-H", "Cookie: SRV=" + id + "; keep=1", base + "/form");
        assertThat(servedBy(again)).isEqualTo(who);
        assertThat(again.headers("Set-Cookie")).as("indirect: a valid cookie is not sent again").isEmpty();
        HttpBackend mine = who.equals("app1") ? app1 : app2;
        assertThat(mine.lastCookie()).isEqualTo("keep=1");
        curl("-H", "Cookie: SRV=" + id, base + "/only");
        assertThat(mine.lastCookie()).as("a Cookie field left empty is removed").isNull();
    }

    @Test
    void redispatchesAwayFromAnOfflineServerAndKeepsPersistedClientsOfADrainingOne() throws Exception {
        CookiePersistence c = CookiePersistence.builder(Mode.INSERT, "SRV").build();
        ProxyDataplane d = start(c, HttpOptions.defaults());
        try (LoadBalancer lb = LoadBalancer.builder().dataplane(d).build()) {
            d.apply(dev.lbkit.api.ConfigurationDiff.between(Configuration.of(webVip(c)), Configuration.empty()));
            lb.apply(Configuration.of(webVip(c)));
            String id1 = cookieForServer("app1");

            lb.drain("web", "app1");
            for (int i = 0; i < 4; i++) {
                assertThat(servedBy(curl("-H", "Cookie: SRV=" + id1, base + "/d"))).isEqualTo("app1");
                assertThat(servedBy(curl(base + "/new"))).as("no new client for a draining server").isEqualTo("app2");
            }

            lb.takeOffline("web", "app1");
            Http.Curl r = curl("-H", "Cookie: SRV=" + id1, base + "/o");
            assertThat(servedBy(r)).isEqualTo("app2");
            assertThat(cookieValue(r, "SRV")).as("the new server's cookie").isNotNull().isNotEqualTo(id1);

            lb.bringOnline("web", "app1");
            lb.apply(Configuration.of(webVip(c.toBuilder().redispatchWhenUnavailable(false).build())));
            lb.takeOffline("web", "app1");
            assertThat(curl("-H", "Cookie: SRV=" + id1, base + "/o").status()).isEqualTo(503);
        }
    }

    private String cookieForServer(String server) throws Exception {
        for (int i = 0; i < 4; i++) {
            Http.Curl r = curl(base + "/find");
            if (servedBy(r).equals(server)) {
                return cookieValue(r, "SRV");
            }
        }
        throw new AssertionError("round robin never reached " + server);
    }

    @Test
    void rewriteReplacesTheApplicationsValueWithTheServerId() throws Exception {
        start(CookiePersistence.builder(Mode.REWRITE, "SRV").build(), HttpOptions.defaults());
        Http.Curl login = curl(base + "/login?cookie=SRV");
        String who = servedBy(login);
        String id = cookieValue(login, "SRV");
        assertThat(id).doesNotStartWith("app");
        assertThat(login.headers("Set-Cookie")).contains("SRV=" + id + "; Path=/; HttpOnly");
        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(curl("-H", "Cookie: SRV=" + id, base + "/r"))).isEqualTo(who);
        }
    }

    @Test
    void prefixCarriesTheServerIdBeforeTheApplicationsValueAndStripsIt() throws Exception {
        start(CookiePersistence.builder(Mode.PREFIX, "SRV").build(), HttpOptions.defaults());
        Http.Curl login = curl(base + "/login?cookie=SRV");
        String who = servedBy(login);
        String value = cookieValue(login, "SRV");
        assertThat(value).matches("[0-9a-f]{12}~app1");
        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(curl("-H", "Cookie: SRV=" + value, base + "/p"))).isEqualTo(who);
        }
        HttpBackend mine = who.equals("app1") ? app1 : app2;
        assertThat(mine.lastCookie()).isEqualTo("SRV=app1");
    }

    @Test
    void passiveLearnsTheApplicationsSessionCookie() throws Exception {
        ProxyDataplane d = start(CookiePersistence.builder(Mode.PASSIVE, "JSESSIONID").build(), HttpOptions.defaults());
        Http.Curl a = curl(base + "/login");
        Http.Curl b = curl(base + "/login");
        String sa = cookieValue(a, "JSESSIONID");
        String sb = cookieValue(b, "JSESSIONID");
        assertThat(servedBy(a)).isNotEqualTo(servedBy(b));
        assertThat(a.headers("Set-Cookie")).as("passed through untouched").contains("JSESSIONID=" + sa + "; Path=/");
        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(curl("-H", "Cookie: JSESSIONID=" + sa, base + "/s"))).isEqualTo(servedBy(a));
            assertThat(servedBy(curl("-H", "Cookie: JSESSIONID=" + sb, base + "/s"))).isEqualTo(servedBy(b));
        }
        assertThat(d.metrics().getCounters().get("lbkit.web.http.requests.2xx").getCount()).isEqualTo(10);
    }

    @Test
    void eachPoolHasItsOwnPersistenceAndItsServersAreDrainedByPoolLabel() throws Exception {
        app1 = leaks.closeAfter(new HttpBackend("app1"));
        app2 = leaks.closeAfter(new HttpBackend("app2"));
        HttpBackend web1 = leaks.closeAfter(new HttpBackend("web1"));
        ProxyDataplane d = leaks.track(ProxyDataplane.builder().ioThreads(1).build());
        port = Loopback.freePort();
        base = "http://127.0.0.1:" + port;
        try (LoadBalancer lb = LoadBalancer.builder().dataplane(d).build()) {
            lb.apply(Configuration.of(
                    vip("web", port).realServer(server("web1", web1))
                            .route(HttpRoute.to("api").pathPrefix("/api/").build()).build(),
                    VirtualServer.builder("api").pool().scheduler(Scheduler.RR)
                            .persistence(CookiePersistence.builder(Mode.INSERT, "API").path("/api/").build())
                            .realServer(server("app1", app1)).realServer(server("app2", app2)).build()));
            assertThat(curl(base + "/").headers("Set-Cookie")).as("the default pool has no persistence").isEmpty();
            Http.Curl first = curl(base + "/api/x");
            String who = servedBy(first);
            String id = cookieValue(first, "API");
            lb.drain("api", who);
            for (int i = 0; i < 3; i++) {
                assertThat(servedBy(curl("-H", "Cookie: API=" + id, base + "/api/y"))).isEqualTo(who);
                assertThat(servedBy(curl(base + "/api/z"))).isNotEqualTo(who);
            }
            assertThat(lb.status().virtualServer("api").orElseThrow().realServer(who).orElseThrow()
                    .stats().connections()).isGreaterThanOrEqualTo(4);
        }
    }
}
