package dev.lbkit.examples.appliance;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.proxy.HttpOptions;
import dev.lbkit.proxy.ProxyOptions;
import dev.lbkit.proxy.http.HttpLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Turns an {@link ApplianceConfig} (or a part of it) into a tree of maps, lists and scalars in the file's
 * format, written as YAML (the configuration file) or JSON (the REST API). {@link ConfigDecoder} reads back
 * exactly what this writes. Values equal to their defaults are left out, so a written file stays short.
 */
final class ConfigEncoder {
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);

    private ConfigEncoder() {}

    static String yaml(ApplianceConfig config) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setWidth(120).build();
        return "# lbkit appliance configuration; edits through the REST API rewrite this file (comments are not kept)\n"
                + new Dump(settings).dumpToString(file(config));
    }

    static Map<String, Object> file(ApplianceConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> admin = admin(c.admin());
        if (!admin.isEmpty()) {
            m.put("admin", admin);
        }
        ApplianceConfig.Runtime r = c.runtime();
        ApplianceConfig.Runtime d = ApplianceConfig.Runtime.defaults();
        Map<String, Object> dp = new LinkedHashMap<>();
        if (r.proxyIoThreads() != d.proxyIoThreads()) {
            dp.put("proxy", Map.of("ioThreads", r.proxyIoThreads()));
        }
        if (r.ipvs() != d.ipvs()) {
            dp.put("ipvs", Map.of("enabled", r.ipvs()));
        }
        ipvsSysctls(r, dp);
        if (!dp.isEmpty()) {
            m.put("dataplanes", dp);
        }
        if (r.healthHistory() != d.healthHistory()) {
            m.put("health", Map.of("historySize", r.healthHistory()));
        }
        Map<String, Object> ha = HaSection.encode(c.ha());
        if (!ha.isEmpty()) {
            m.put("ha", ha);
        }
        m.put("virtualServers", virtualServers(c));
        return m;
    }

    static Map<String, Object> virtualServers(ApplianceConfig c) {
        Map<String, Object> vss = new LinkedHashMap<>();
        for (VirtualServer vs : c.configuration().virtualServers()) {
            vss.put(vs.label(), virtualServer(vs, c.proxyOptions().get(vs.label()), c.ipvsOptions().get(vs.label())));
        }
        return vss;
    }

    private static Map<String, Object> admin(ApplianceConfig.Admin a) {
        ApplianceConfig.Admin d = ApplianceConfig.Admin.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        if (a.listenPort() < 0) {
            m.put("listen", "off");
        } else if (!a.listenAddress().equals(d.listenAddress()) || a.listenPort() != d.listenPort()) {
            m.put("listen", (a.listenAddress().contains(":") ? "[" + a.listenAddress() + "]" : a.listenAddress())
                    + ":" + a.listenPort());
        }
        a.stateDirectory().ifPresent(p -> m.put("stateDirectory", p.toString()));
        a.keystore().ifPresent(p -> m.put("keystore", p.toString()));
        a.keystorePassword().ifPresent(p -> m.put("keystorePassword", p));
        a.passwordHash().ifPresent(p -> m.put("passwordHash", p));
        if (a.keepVersions() != d.keepVersions()) {
            m.put("keepVersions", a.keepVersions());
        }
        if (a.metricsWithoutAuth() != d.metricsWithoutAuth()) {
            m.put("metricsWithoutAuth", a.metricsWithoutAuth());
        }
        if (a.jmx() != d.jmx()) {
            m.put("jmx", a.jmx());
        }
        return m;
    }

    /** One virtual server as it appears under its label ({@code proxy} and {@code ipvs} may be null). */
    static Map<String, Object> virtualServer(VirtualServer vs, ProxyOptions proxy, IpvsOptions ipvs) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (vs.isPool()) {
            m.put("pool", true);
        } else {
            m.put("vip", vs.vip().toString());
        }
        m.put("forwardingMethod", Fields.name(vs.forwardingMethod()));
        m.put("scheduler", vs.scheduler().ipvsName());
        if (!(vs.persistence() instanceof PersistencePolicy.None)) {
            m.put("persistence", persistence(vs.persistence()));
        }
        if (!(vs.healthCheck() instanceof HealthCheck.None)) {
            m.put("healthCheck", healthCheck(vs.healthCheck()));
        }
        if (!vs.routes().isEmpty()) {
            List<Object> routes = new ArrayList<>();
            for (HttpRoute r : vs.routes()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("pool", r.pool());
                r.host().ifPresent(h -> rm.put("host", h));
                switch (r.pathMatch()) {
                    case PREFIX: rm.put("pathPrefix", r.path().orElseThrow()); break;
                    case EXACT: rm.put("pathExact", r.path().orElseThrow()); break;
                    case REGEX: rm.put("pathRegex", r.path().orElseThrow()); break;
                    default: break;
                }
                routes.add(rm);
            }
            m.put("routes", routes);
        }
        if (!vs.connectTimeout().equals(DEFAULT_CONNECT_TIMEOUT)) {
            m.put("connectTimeout", duration(vs.connectTimeout()));
        }
        if (!vs.idleTimeout().equals(DEFAULT_IDLE_TIMEOUT)) {
            m.put("idleTimeout", duration(vs.idleTimeout()));
        }
        vs.fallback().ifPresent(f -> {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("label", f.label());
            fm.putAll(realServer(f));
            m.put("fallback", fm);
        });
        if (proxy != null) {
            m.put("proxy", proxyOptions(proxy));
            cookieValues(vs, proxy.http(), m);
        }
        if (ipvs != null) {
            m.put("ipvs", ipvsOptions(ipvs));
        }
        Map<String, Object> rss = new LinkedHashMap<>();
        for (RealServer r : vs.realServers()) {
            rss.put(r.label(), realServer(r));
        }
        m.put("realServers", rss);
        return m;
    }

    static Map<String, Object> realServer(RealServer r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", ip(r.address()));
        if (r.port() != 0) {
            m.put("port", r.port());
        }
        m.put("weight", r.weight());
        if (r.minConnections() != 0) {
            m.put("minConnections", r.minConnections());
        }
        if (r.maxConnections() != 0) {
            m.put("maxConnections", r.maxConnections());
        }
        r.forwardingMethod().ifPresent(f -> m.put("forwardingMethod", Fields.name(f)));
        if (r.requestedStatus() != RequestedStatus.ONLINE) {
            m.put("status", Fields.name(r.requestedStatus()));
        }
        return m;
    }

    private static Object persistence(PersistencePolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p instanceof SourceIpPersistence s) {
            m.put("type", "sourceIp");
            m.put("timeout", duration(s.timeout()));
            if (s.ipv4PrefixLength() != 32) {
                m.put("ipv4PrefixLength", s.ipv4PrefixLength());
            }
            if (s.ipv6PrefixLength() != 128) {
                m.put("ipv6PrefixLength", s.ipv6PrefixLength());
            }
        } else if (p instanceof CookiePersistence c) {
            m.put("type", "cookie");
            m.put("mode", Fields.name(c.mode()));
            m.put("name", c.name());
            c.path().ifPresent(v -> m.put("path", v));
            c.domain().ifPresent(v -> m.put("domain", v));
            c.maxAge().ifPresent(v -> m.put("maxAge", duration(v)));
            m.put("secure", c.secure());
            m.put("httpOnly", c.httpOnly());
            c.sameSite().ifPresent(v -> m.put("sameSite", Fields.name(v)));
            m.put("indirect", c.indirect());
            m.put("noCache", c.noCache());
            m.put("postOnly", c.postOnly());
            m.put("redispatchWhenUnavailable", c.redispatchWhenUnavailable());
        }
        return m;
    }

    static Map<String, Object> healthCheck(HealthCheck hc) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (hc instanceof HealthCheck.Connect) {
            m.put("type", "connect");
        } else if (hc instanceof HealthCheck.Ping) {
            m.put("type", "ping");
        } else if (hc instanceof HealthCheck.Http h) {
            m.put("type", h.tls() ? "https" : "http");
            m.put("path", h.path());
            if (!h.method().equals("GET")) {
                m.put("method", h.method());
            }
            h.host().ifPresent(v -> m.put("host", v));
            List<Object> st = new ArrayList<>();
            h.expectedStatus().forEach(r -> st.add(r.toString()));
            m.put("expectStatus", st);
            h.bodyRegex().ifPresent(v -> m.put("bodyRegex", v));
            h.header().ifPresent(v -> {
                Map<String, Object> hm = new LinkedHashMap<>();
                hm.put("name", v.name());
                hm.put("valueRegex", v.valueRegex());
                m.put("header", hm);
            });
            h.sni().ifPresent(v -> m.put("sni", v));
            if (h.verifyTls()) {
                m.put("verifyTls", true);
            }
        } else if (hc instanceof HealthCheck.Dns d) {
            m.put("type", "dns");
            m.put("name", d.name());
            m.put("recordType", d.type().name());
            d.expectedAnswer().ifPresent(v -> m.put("expectedAnswer", v));
        } else if (hc instanceof HealthCheck.Agent a) {
            m.put("type", "agent");
            a.send().ifPresent(v -> m.put("send", v));
        } else if (hc instanceof HealthCheck.SendExpect se) {
            m.put("type", "sendExpect");
            List<Object> steps = new ArrayList<>();
            for (HealthCheck.SendExpect.Step s : se.steps()) {
                if (s instanceof HealthCheck.SendExpect.Send send) {
                    steps.add(Map.of("send", send.text()));
                } else {
                    steps.add(Map.of("expect", ((HealthCheck.SendExpect.Expect) s).regex()));
                }
            }
            m.put("steps", steps);
        } else if (hc instanceof HealthCheck.External e) {
            m.put("type", "external");
            m.put("command", e.command());
            m.put("args", new ArrayList<Object>(e.args()));
        }
        CheckSettings s = hc.settings();
        m.put("interval", duration(s.interval()));
        if (!s.fastInterval().equals(s.interval())) {
            m.put("fastInterval", duration(s.fastInterval()));
        }
        if (!s.downInterval().equals(s.interval())) {
            m.put("downInterval", duration(s.downInterval()));
        }
        m.put("timeout", duration(s.timeout()));
        m.put("rise", s.rise());
        m.put("fall", s.fall());
        if (!s.initiallyUp()) {
            m.put("initiallyUp", false);
        }
        m.put("onFailure", Fields.name(s.onFailure()));
        if (s.port() != 0) {
            m.put("port", s.port());
        }
        s.address().ifPresent(a -> m.put("address", ip(a)));
        s.sourceAddress().ifPresent(a -> m.put("sourceAddress", ip(a)));
        return m;
    }

    static Map<String, Object> proxyOptions(ProxyOptions o) {
        ProxyOptions d = ProxyOptions.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        o.clientIdleTimeout().ifPresent(v -> m.put("clientIdleTimeout", duration(v)));
        o.serverIdleTimeout().ifPresent(v -> m.put("serverIdleTimeout", duration(v)));
        if (!o.connectionLifetime().equals(d.connectionLifetime())) {
            m.put("connectionLifetime", duration(o.connectionLifetime()));
        }
        if (o.queueSize() != d.queueSize()) {
            m.put("queueSize", o.queueSize());
        }
        if (!o.queueTimeout().equals(d.queueTimeout())) {
            m.put("queueTimeout", duration(o.queueTimeout()));
        }
        if (o.redispatchAttempts() != d.redispatchAttempts()) {
            m.put("redispatchAttempts", o.redispatchAttempts());
        }
        if (o.sendProxyProtocol() != d.sendProxyProtocol()) {
            m.put("sendProxyProtocol", Fields.name(o.sendProxyProtocol()));
        }
        if (!o.sendProxyProtocolOverrides().isEmpty()) {
            Map<String, Object> to = new LinkedHashMap<>();
            o.sendProxyProtocolOverrides().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> to.put(e.getKey(), Fields.name(e.getValue())));
            m.put("sendProxyProtocolTo", to);
        }
        if (!o.acceptProxyProtocolFrom().isEmpty()) {
            m.put("acceptProxyProtocolFrom", new ArrayList<Object>(o.acceptProxyProtocolFrom()));
        }
        if (!o.proxyProtocolTimeout().equals(d.proxyProtocolTimeout())) {
            m.put("proxyProtocolTimeout", duration(o.proxyProtocolTimeout()));
        }
        if (o.tcpNoDelay() != d.tcpNoDelay()) {
            m.put("tcpNoDelay", o.tcpNoDelay());
        }
        if (o.keepAlive() != d.keepAlive()) {
            m.put("keepAlive", o.keepAlive());
        }
        if (o.closeConnectionsOnRemove() != d.closeConnectionsOnRemove()) {
            m.put("closeConnectionsOnRemove", o.closeConnectionsOnRemove());
        }
        if (o.backlog() != d.backlog()) {
            m.put("backlog", o.backlog());
        }
        if (o.floatingAddress() != d.floatingAddress()) {
            m.put("floatingAddress", o.floatingAddress());
        }
        if (!o.http().equals(d.http())) {
            m.put("http", httpOptions(o.http()));
        }
        return m;
    }

    private static Map<String, Object> httpOptions(HttpOptions o) {
        HttpOptions d = HttpOptions.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        if (!o.clientHeaderTimeout().equals(d.clientHeaderTimeout())) {
            m.put("clientHeaderTimeout", duration(o.clientHeaderTimeout()));
        }
        if (!o.keepAliveTimeout().equals(d.keepAliveTimeout())) {
            m.put("keepAliveTimeout", duration(o.keepAliveTimeout()));
        }
        if (!o.serverResponseTimeout().equals(d.serverResponseTimeout())) {
            m.put("serverResponseTimeout", duration(o.serverResponseTimeout()));
        }
        if (!o.serverIdleTimeout().equals(d.serverIdleTimeout())) {
            m.put("serverIdleTimeout", duration(o.serverIdleTimeout()));
        }
        if (o.maxIdleServerConnections() != d.maxIdleServerConnections()) {
            m.put("maxIdleServerConnections", o.maxIdleServerConnections());
        }
        if (o.xForwarded() != d.xForwarded()) {
            m.put("xForwarded", Fields.name(o.xForwarded()));
        }
        if (o.forwarded() != d.forwarded()) {
            m.put("forwarded", Fields.name(o.forwarded()));
        }
        if (!o.requestHeaderRules().isEmpty()) {
            m.put("requestHeaders", headerRules(o.requestHeaderRules()));
        }
        if (!o.responseHeaderRules().isEmpty()) {
            m.put("responseHeaders", headerRules(o.responseHeaderRules()));
        }
        if (o.accessLog() != d.accessLog()) {
            m.put("accessLog", o.accessLog());
        }
        if (o.cookieValueIsLabel() != d.cookieValueIsLabel()) {
            m.put("cookieValueIsLabel", o.cookieValueIsLabel());
        }
        if (o.learnedCookies() != d.learnedCookies()) {
            m.put("learnedCookies", o.learnedCookies());
        }
        if (!o.learnedCookieTimeout().equals(d.learnedCookieTimeout())) {
            m.put("learnedCookieTimeout", duration(o.learnedCookieTimeout()));
        }
        httpExtras(o, m);
        return m;
    }

    private static List<Object> headerRules(List<HttpOptions.HeaderRule> rules) {
        List<Object> out = new ArrayList<>();
        for (HttpOptions.HeaderRule r : rules) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (r.value() == null) {
                m.put("remove", r.name());
            } else {
                m.put("set", r.name());
                m.put("value", r.value());
            }
            out.add(m);
        }
        return out;
    }

    // ---- per-VIP dataplane options: IPVS options, IPVS sysctls, HTTP limits, error pages, cookie values

    private static void ipvsSysctls(ApplianceConfig.Runtime r, Map<String, Object> dataplanes) {
        if (r.ipvsSysctls().isEmpty()) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> ipvs = new LinkedHashMap<>((Map<String, Object>) dataplanes.getOrDefault("ipvs",
                Map.of()));
        Map<String, Object> sysctls = new LinkedHashMap<>();
        for (IpvsSysctl s : IpvsSysctl.values()) {
            Integer v = r.ipvsSysctls().get(s);
            if (v != null) {
                sysctls.put(s.fileName(), v);
            }
        }
        ipvs.put("sysctls", sysctls);
        dataplanes.put("ipvs", ipvs);
    }

    static Map<String, Object> ipvsOptions(IpvsOptions o) {
        IpvsOptions d = IpvsOptions.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        if (o.onePacket() != d.onePacket()) {
            m.put("onePacket", o.onePacket());
        }
        if (o.schedulerFallback() != d.schedulerFallback()) {
            m.put("schedulerFallback", o.schedulerFallback());
        }
        if (o.schedulerPort() != d.schedulerPort()) {
            m.put("schedulerPort", o.schedulerPort());
        }
        if (o.persistenceEngine() != null) {
            m.put("persistenceEngine", o.persistenceEngine());
        }
        m.putAll(tunnel(o.tunnel(), "tunnelType", "tunnelPort", "tunnelChecksum", "tunnelRemoteChecksum"));
        if (!o.realServerTunnels().isEmpty()) {
            Map<String, Object> rs = new LinkedHashMap<>();
            o.realServerTunnels().forEach((label, t) -> rs.put(label, tunnel(t, "type", "port", "checksum",
                    "remoteChecksum")));
            m.put("realServerTunnels", rs);
        }
        return m;
    }

    private static Map<String, Object> tunnel(IpvsOptions.Tunnel t, String type, String port, String checksum,
            String remoteChecksum) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (t.type() != IpvsOptions.Tunnel.IPIP.type()) {
            m.put(type, Fields.name(t.type()));
        }
        if (t.port() != 0) {
            m.put(port, t.port());
        }
        if (t.checksum()) {
            m.put(checksum, true);
        }
        if (t.remoteChecksum()) {
            m.put(remoteChecksum, true);
        }
        return m;
    }

    /** {@code limits} and {@code errorPages} of {@code proxy.http}. */
    private static void httpExtras(HttpOptions o, Map<String, Object> m) {
        HttpLimits l = o.limits();
        HttpLimits d = HttpLimits.defaults();
        Map<String, Object> lm = new LinkedHashMap<>();
        if (l.maxRequestLineLength() != d.maxRequestLineLength()) {
            lm.put("maxRequestLineLength", l.maxRequestLineLength());
        }
        if (l.maxHeaderSectionLength() != d.maxHeaderSectionLength()) {
            lm.put("maxHeaderSectionLength", l.maxHeaderSectionLength());
        }
        if (l.maxHeaderCount() != d.maxHeaderCount()) {
            lm.put("maxHeaderCount", l.maxHeaderCount());
        }
        if (l.maxChunkLineLength() != d.maxChunkLineLength()) {
            lm.put("maxChunkLineLength", l.maxChunkLineLength());
        }
        if (l.rejectUnknownMethods() != d.rejectUnknownMethods()) {
            lm.put("rejectUnknownMethods", l.rejectUnknownMethods());
        }
        if (l.requireLength() != d.requireLength()) {
            lm.put("requireLength", l.requireLength());
        }
        if (!lm.isEmpty()) {
            m.put("limits", lm);
        }
        Map<String, Object> pages = new LinkedHashMap<>();
        for (int status : ConfigDecoder.ERROR_PAGE_STATUSES) {
            HttpOptions.ErrorPage p = o.errorPage(status);
            if (p != null) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("contentType", p.contentType());
                pm.put("body", new String(p.body(), StandardCharsets.UTF_8));
                pages.put(Integer.toString(status), pm);
            }
        }
        if (!pages.isEmpty()) {
            m.put("errorPages", pages);
        }
    }

    /**
     * {@code proxy.http.cookieValues}, for the real servers (and fallback) of {@code vs}: HttpOptions answers
     * by label only, and the decoder accepts no other labels.
     */
    @SuppressWarnings("unchecked")
    private static void cookieValues(VirtualServer vs, HttpOptions o, Map<String, Object> vsMap) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<RealServer> servers = new ArrayList<>(vs.realServers());
        vs.fallback().ifPresent(servers::add);
        for (RealServer r : servers) {
            String v = o.cookieValue(r.label());
            if (v != null) {
                values.put(r.label(), v);
            }
        }
        if (values.isEmpty()) {
            return;
        }
        Map<String, Object> proxy = (Map<String, Object>) vsMap.get("proxy");
        Map<String, Object> http = new LinkedHashMap<>((Map<String, Object>) proxy.getOrDefault("http", Map.of()));
        http.put("cookieValues", values);
        proxy.put("http", http);
    }

    static String ip(java.net.InetAddress a) {
        String t = a.getHostAddress();
        int scope = t.indexOf('%');
        return scope < 0 ? t : t.substring(0, scope);
    }

    /** Whole seconds as {@code 5s}, else milliseconds as {@code 250ms}; finer durations as ISO-8601. */
    static String duration(Duration d) {
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        if (d.getNano() % 1_000_000 == 0) {
            return d.toMillis() + "ms";
        }
        return d.toString();
    }
}
