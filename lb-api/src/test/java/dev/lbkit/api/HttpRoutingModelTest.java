package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class HttpRoutingModelTest {

    private static RealServer rs(String label, String address, int port) {
        return RealServer.builder(label).address(address).port(port).build();
    }

    private static VirtualServer pool(String label) {
        return VirtualServer.builder(label).pool().realServer(rs(label + "1", "10.0.2.1", 8080)).build();
    }

    private static VirtualServer web(HttpRoute... routes) {
        return VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.HTTP)
                .realServer(rs("app1", "10.0.1.1", 8080)).routes(List.of(routes)).build();
    }

    @Test
    void matchesExactAndWildcardHostsCaseInsensitivelyWithoutPort() {
        HttpRoute exact = HttpRoute.to("api").host("API.example.com").build();
        assertThat(exact.host()).contains("api.example.com");
        assertThat(exact.matches("api.example.com", "/")).isTrue();
        assertThat(exact.matches("Api.Example.COM:8080", "/x")).isTrue();
        assertThat(exact.matches("api.example.com.", "/x")).isTrue();
        assertThat(exact.matches("www.example.com", "/")).isFalse();
        assertThat(exact.matches(null, "/")).isFalse();

        HttpRoute wild = HttpRoute.to("api").host("*.example.com").build();
        assertThat(wild.matches("a.example.com", "/")).isTrue();
        assertThat(wild.matches("a.b.example.com:443", "/")).isTrue();
        assertThat(wild.matches("example.com", "/")).isFalse();
        assertThat(wild.matches("badexample.com", "/")).isFalse();
    }

    @Test
    void matchesPathPrefixExactAndRegex() {
        assertThat(HttpRoute.to("p").pathPrefix("/api/").build().matches("h", "/api/v1")).isTrue();
        assertThat(HttpRoute.to("p").pathPrefix("/api/").build().matches("h", "/apix")).isFalse();
        assertThat(HttpRoute.to("p").pathExact("/login").build().matches("h", "/login")).isTrue();
        assertThat(HttpRoute.to("p").pathExact("/login").build().matches("h", "/login/")).isFalse();
        HttpRoute re = HttpRoute.to("p").pathRegex("\\.(png|jpg)$").build();
        assertThat(re.matches("h", "/img/a.png")).isTrue();
        assertThat(re.matches("h", "/img/a.png.html")).isFalse();
        assertThat(HttpRoute.to("p").build().matches(null, "/anything")).isTrue();
    }

    @Test
    void rejectsBadRoutesNamingTheFieldAndValue() {
        assertThatThrownBy(() -> HttpRoute.to("api").host("bad host").build())
                .hasMessageContaining("host").hasMessageContaining("'bad host'");
        assertThatThrownBy(() -> HttpRoute.to("api").host("*.*.example.com").build())
                .hasMessageContaining("*.*.example.com");
        assertThatThrownBy(() -> HttpRoute.to("api").pathPrefix("api").build())
                .hasMessageContaining("path prefix").hasMessageContaining("'api'");
        assertThatThrownBy(() -> HttpRoute.to("api").pathRegex("([a-z").build())
                .hasMessageContaining("path regex '([a-z'");
        assertThatThrownBy(() -> HttpRoute.to("bad label!").build()).hasMessageContaining("route pool label");
    }

    @Test
    void poolHasNoVipAndNeedsPortsAndHttp() {
        VirtualServer p = pool("api");
        assertThat(p.isPool()).isTrue();
        assertThat(p.vip()).isNull();
        assertThat(p.optionalVip()).isEmpty();
        assertThat(p.forwardingMethod()).isEqualTo(ForwardingMethod.HTTP);
        assertThat(p.describe()).isEqualTo("pool 'api'");
        assertThat(p.toBuilder().build()).isEqualTo(p);

        assertThatThrownBy(() -> VirtualServer.builder("api").pool().realServer(
                RealServer.builder("a1").address("10.0.2.1").build()).build())
                .hasMessageContaining("pool 'api'").hasMessageContaining("real server 'a1'")
                .hasMessageContaining("port must be set");
        assertThatThrownBy(() -> VirtualServer.builder("api").pool().vip("10.0.0.1:80/tcp").build())
                .hasMessageContaining("a pool has no VIP").hasMessageContaining("10.0.0.1:80/tcp");
        assertThatThrownBy(() -> VirtualServer.builder("api").pool().forwardingMethod(ForwardingMethod.PROXY)
                .build()).hasMessageContaining("a pool needs forwarding method HTTP but was PROXY");
        assertThatThrownBy(() -> VirtualServer.builder("api").pool().route(HttpRoute.to("x").build()).build())
                .hasMessageContaining("a pool cannot hold routes");
    }

    @Test
    void routesNeedHttpAndMayNotTargetTheVirtualServerItself() {
        assertThatThrownBy(() -> VirtualServer.builder("web").vip("10.0.0.1:80/tcp")
                .forwardingMethod(ForwardingMethod.PROXY).route(HttpRoute.to("api").build()).build())
                .hasMessageContaining("routes need forwarding method HTTP but was PROXY");
        assertThatThrownBy(() -> web(HttpRoute.to("web").pathPrefix("/a").build()))
                .hasMessageContaining("route 0").hasMessageContaining("targets the virtual server itself");
    }

    @Test
    void configurationChecksRouteTargetsExistAndArePools() {
        VirtualServer web = web(HttpRoute.to("api").pathPrefix("/api/").build());
        Configuration ok = Configuration.of(web, pool("api"));
        assertThat(ok.virtualServer("api")).isPresent();
        assertThatThrownBy(() -> Configuration.of(web))
                .hasMessageContaining("targets pool 'api', which is not in the configuration");
        VirtualServer notPool = VirtualServer.builder("api").vip("10.0.0.2:80/tcp")
                .forwardingMethod(ForwardingMethod.HTTP).build();
        assertThatThrownBy(() -> Configuration.of(web, notPool)).hasMessageContaining("which is not a pool");
        // two pools share no VIP, so they never collide on one
        assertThat(Configuration.of(pool("a"), pool("b")).size()).isEqualTo(2);
        // assembled one at a time (as LoadBalancer does per dataplane), the route is checked only by build()
        assertThat(Configuration.empty().with(web).with(pool("api"))).isEqualTo(ok);
        assertThatThrownBy(() -> ok.toBuilder().build().without("api"))
                .hasMessageContaining("targets pool 'api'");
    }

    @Test
    void diffReportsRouteChangesAndRoundTrips() {
        Configuration a = Configuration.of(web(HttpRoute.to("api").pathPrefix("/api/").build()), pool("api"));
        Configuration b = Configuration.of(web(HttpRoute.to("api").pathPrefix("/v2/").build()), pool("api")
                .withRealServer(rs("api2", "10.0.2.2", 8080)));
        ConfigurationDiff d = ConfigurationDiff.between(a, b);
        assertThat(d.changed()).hasSize(2);
        assertThat(d.changed().get(0).fields()).containsExactly(ConfigurationDiff.VirtualServerField.ROUTES);
        assertThat(d.changed().get(1).onlyRealServersChanged()).isTrue();
        assertThat(d.applyTo(a)).isEqualTo(b);
        assertThat(d.inverse().applyTo(b)).isEqualTo(a);
    }

    @Test
    void statusTableShowsPoolsWithoutVip() {
        VirtualServerStatus s = new VirtualServerStatus("api", null, "proxy", Scheduler.RR, TrafficStats.ZERO,
                List.of(), false);
        assertThat(new LoadBalancerStatus(java.time.Instant.EPOCH, List.of(s)).toTable()).contains("(pool)");
    }

    @Property
    void wildcardMatchesEverySubdomainAndNothingElse(@ForAll @AlphaChars @StringLength(min = 1, max = 10) String sub,
            @ForAll @AlphaChars @StringLength(min = 1, max = 10) String other) {
        HttpRoute wild = HttpRoute.to("p").host("*.example.com").build();
        assertThat(wild.matches(sub + ".example.com", "/")).isTrue();
        assertThat(wild.matches(sub + ".example.com:8443", "/")).isTrue();
        assertThat(wild.matches(other + "example.com", "/")).isFalse();
    }
}
