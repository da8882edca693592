package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.ipvs.TunnelType;
import dev.lbkit.proxy.HttpOptions;
import dev.lbkit.proxy.ProxyOptions;
import dev.lbkit.proxy.http.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the file and JSON codecs: what is written reads back equal; damaged JSON never passes. */
class CodecPropertiesTest {

    @Property(tries = 200)
    void writtenJsonReadsBackToTheSameTree(@ForAll("trees") Object tree) throws Exception {
        Node n = JsonReader.read("t", JsonWriter.write(tree));
        assertThat(plain(n)).isEqualTo(plain(tree));
    }

    @Property(tries = 200)
    void truncatedJsonIsRejectedWithAPosition(@ForAll("trees") Object tree, @ForAll("fractions") double cut) {
        String json = JsonWriter.write(Map.of("k", tree)).strip();
        int at = (int) (cut * (json.length() - 1));
        String truncated = json.substring(0, at);
        assertThatThrownBy(() -> JsonReader.read("t", truncated)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("t:");
    }

    @Property(tries = 150)
    void writtenConfigurationFileReadsBackEqual(@ForAll("configs") ApplianceConfig config) throws Exception {
        assertThat(ConfigFiles.parse(Path.of("p.yaml"), ConfigEncoder.yaml(config))).isEqualTo(config);
        String json = JsonWriter.write(ConfigEncoder.file(config));
        assertThat(ConfigDecoder.file(JsonReader.read("body", json), Path.of("p.yaml"))).isEqualTo(config);
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 0.99);
    }

    @Provide
    Arbitrary<Object> trees() {
        Arbitrary<Object> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.strings().withChars("\"\\\n\t\u0001é€").ofMaxLength(6).map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b));
        return Arbitraries.recursive(() -> scalars, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), inner).ofMaxSize(4)
                        .map(m -> (Object) new LinkedHashMap<>(m))), 3);
    }

    /** Scalars as text, so a tree compares equal to its parsed form. */
    private static Object plain(Object o) {
        if (o instanceof Node.MapNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> out.put(k, plain(v)));
            return out;
        }
        if (o instanceof Node.ListNode l) {
            List<Object> out = new ArrayList<>();
            l.items().forEach(v -> out.add(plain(v)));
            return out;
        }
        if (o instanceof Node.ScalarNode s) {
            return s.text();
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, plain(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(plain(v)));
            return out;
        }
        return String.valueOf(o);
    }

    @Provide
    Arbitrary<ApplianceConfig> configs() {
        Arbitrary<RealServer> rs = Combinators.combine(Arbitraries.integers().between(1, 250),
                Arbitraries.integers().between(1, 65535), Arbitraries.integers().between(0, 65535),
                Arbitraries.integers().between(0, 100), Arbitraries.of(RequestedStatus.class))
                .as((a, port, weight, max, status) -> RealServer.builder("r" + a + "-" + port)
                        .address("10.1.0." + a).port(port).weight(weight).maxConnections(max)
                        .requestedStatus(status).build());
        Arbitrary<PersistencePolicy> persistence = Arbitraries.oneOf(Arbitraries.just(PersistencePolicy.none()),
                Combinators.combine(Arbitraries.integers().between(1, 86400), Arbitraries.integers().between(1, 32))
                        .as((t, p) -> PersistencePolicy.sourceIp(Duration.ofSeconds(t), p, 128)));
        Arbitrary<HealthCheck> check = Arbitraries.oneOf(Arbitraries.just(HealthCheck.none()),
                Arbitraries.integers().between(1, 60).map(s -> HealthCheck.connect().withSettings(
                        CheckSettings.defaults().withInterval(Duration.ofSeconds(s)))),
                Arbitraries.of("/", "/health", "/a/b?c=d").map(p -> (HealthCheck) HealthCheck.http(p)
                        .withStatus(new HealthCheck.StatusRange(200, 204)).withBodyRegex("ok|up")));
        Arbitrary<ProxyOptions> options = Arbitraries.oneOf(Arbitraries.just((ProxyOptions) null),
                Combinators.combine(Arbitraries.integers().between(0, 5000), Arbitraries.integers().between(0, 9),
                        Arbitraries.of(ProxyOptions.ProxyProtocol.class))
                        .as((q, r, pp) -> ProxyOptions.builder().queueSize(q).redispatchAttempts(r)
                                .sendProxyProtocol(pp).clientIdleTimeout(Duration.ofMillis(1500)).build()));
        Arbitrary<Object[]> vs = Combinators.combine(Arbitraries.of(Scheduler.RR, Scheduler.WLC, Scheduler.MH,
                Scheduler.SH), persistence, check, rs.list().ofMaxSize(4).uniqueElements(RealServer::label),
                options, Arbitraries.integers().between(1, 600))
                .as((s, p, c, rss, o, idle) -> new Object[] {s, p, c, rss, o, idle});
        return vs.list().ofMinSize(0).ofMaxSize(3).map(list -> {
            Configuration.Builder b = Configuration.builder();
            Map<String, ProxyOptions> opts = new LinkedHashMap<>();
            int i = 0;
            for (Object[] v : list) {
                String label = "vs" + i;
                @SuppressWarnings("unchecked")
                List<RealServer> rss = (List<RealServer>) v[3];
                b.add(VirtualServer.builder(label).vip("127.0.0." + (1 + i) + ":" + (1000 + i) + "/tcp")
                        .forwardingMethod(ForwardingMethod.PROXY).scheduler((Scheduler) v[0])
                        .persistence((PersistencePolicy) v[1]).healthCheck((HealthCheck) v[2])
                        .idleTimeout(Duration.ofSeconds((Integer) v[5])).realServers(rss).build());
                if (v[4] != null) {
                    opts.put(label, (ProxyOptions) v[4]);
                }
                i++;
            }
            return ApplianceConfig.empty().withServers(b.build(), opts);
        });
    }

    @Property(tries = 150)
    void writtenDataplaneOptionsReadBackEqual(@ForAll("dataplaneOptions") ApplianceConfig config) throws Exception {
        assertThat(ConfigFiles.parse(Path.of("p.yaml"), ConfigEncoder.yaml(config))).isEqualTo(config);
        String json = JsonWriter.write(ConfigEncoder.file(config));
        assertThat(ConfigDecoder.file(JsonReader.read("body", json), Path.of("p.yaml"))).isEqualTo(config);
    }

    /** An HTTP and an IPVS virtual server with random HTTP limits, pages, cookie values, IPVS options, sysctls. */
    @Provide
    Arbitrary<ApplianceConfig> dataplaneOptions() {
        Arbitrary<HttpLimits> limits = Combinators.combine(Arbitraries.integers().between(16, 1 << 20),
                Arbitraries.integers().between(2, 1 << 20), Arbitraries.integers().between(1, 10_000),
                Arbitraries.integers().between(3, 65536), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((line, section, count, chunk, unknown, length) -> HttpLimits.builder().maxRequestLineLength(line)
                        .maxHeaderSectionLength(section).maxHeaderCount(count).maxChunkLineLength(chunk)
                        .rejectUnknownMethods(unknown).requireLength(length).build());
        Arbitrary<String> bodies = Arbitraries.strings().withChars("<>/ah1 \n\"'é€:#-").ofMaxLength(40);
        Arbitrary<List<Integer>> statuses = Arbitraries.of(ConfigDecoder.ERROR_PAGE_STATUSES).list().ofMaxSize(4)
                .uniqueElements();
        Arbitrary<String> cookieValues = Arbitraries.strings().withChars("abcXYZ019-_.!").ofMinLength(1)
                .ofMaxLength(12);
        Arbitrary<HttpOptions> http = Combinators.combine(limits, statuses, bodies, Arbitraries.of("text/plain",
                "text/html; charset=utf-8", "application/json"), cookieValues.list().ofSize(2))
                .as((l, st, body, type, cv) -> {
                    HttpOptions.Builder b = HttpOptions.builder().limits(l);
                    st.forEach(s -> b.errorPage(s, type, body + s));
                    b.cookieValue("h1", cv.get(0));
                    if (cv.get(1).length() > 6) {
                        b.cookieValue("h2", cv.get(1));
                    }
                    return b.build();
                });
        Arbitrary<IpvsOptions.Tunnel> tunnels = Arbitraries.oneOf(Arbitraries.just(IpvsOptions.Tunnel.IPIP),
                Arbitraries.of(true, false).map(c -> new IpvsOptions.Tunnel(TunnelType.GRE, 0, c, false)),
                Combinators.combine(Arbitraries.integers().between(1, 65535), Arbitraries.integers().between(0, 2))
                        .as((port, csum) -> new IpvsOptions.Tunnel(TunnelType.GUE, port, csum == 1, csum == 2)));
        Arbitrary<IpvsOptions> ipvs = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.of(true, false), tunnels, tunnels.list().ofMaxSize(2))
                .as((one, fallback, port, t, rs) -> {
                    IpvsOptions.Builder b = IpvsOptions.builder().onePacket(one).schedulerFallback(fallback)
                            .schedulerPort(port).tunnelType(t.type()).tunnelPort(t.port())
                            .tunnelChecksum(t.checksum()).tunnelRemoteChecksum(t.remoteChecksum());
                    for (int i = 0; i < rs.size(); i++) {
                        b.realServerTunnel("k" + (i + 1), rs.get(i));
                    }
                    return b.build();
                });
        Arbitrary<Map<IpvsSysctl, Integer>> sysctls = Arbitraries.maps(Arbitraries.of(IpvsSysctl.class),
                Arbitraries.integers().between(0, 1)).ofMaxSize(3).map(m -> m.isEmpty() ? Map.of()
                        : new EnumMap<>(m));
        return Combinators.combine(http, ipvs, sysctls, Arbitraries.of(true, false)).as((h, i, sc, withIpvs) -> {
            Configuration.Builder b = Configuration.builder();
            b.add(VirtualServer.builder("web").vip("127.0.0.1:8080/tcp").forwardingMethod(ForwardingMethod.HTTP)
                    .realServer(RealServer.builder("h1").address("127.0.0.1").port(9001).build())
                    .realServer(RealServer.builder("h2").address("127.0.0.1").port(9002).build()).build());
            Map<String, IpvsOptions> ipvsOptions = new LinkedHashMap<>();
            if (withIpvs) {
                b.add(VirtualServer.builder("kernel").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.TUNNEL)
                        .scheduler(Scheduler.MH)
                        .realServer(RealServer.builder("k1").address("10.0.0.2").build())
                        .realServer(RealServer.builder("k2").address("10.0.0.3").build()).build());
                ipvsOptions.put("kernel", i);
            }
            return ApplianceConfig.empty().withServers(b.build(), Map.of("web", ProxyOptions.builder().http(h)
                    .build()), ipvsOptions).withIpvsSysctls(sc);
        });
    }
}
