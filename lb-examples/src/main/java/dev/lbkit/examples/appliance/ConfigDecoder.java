package dev.lbkit.examples.appliance;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.FailureAction;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.ipvs.TunnelType;
import dev.lbkit.proxy.HttpOptions;
import dev.lbkit.proxy.ProxyOptions;
import dev.lbkit.proxy.http.HttpLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link Node} tree (from the YAML file or a JSON body) into an {@link ApplianceConfig}. Values are
 * checked by lbkit's own builders; their {@link IllegalArgumentException} messages are kept word for word and
 * prefixed with the file, line and field they are about.
 */
final class ConfigDecoder {
    static final Map<String, ForwardingMethod> METHOD_ALIASES = Map.of("dr", ForwardingMethod.DIRECT_ROUTING,
            "direct", ForwardingMethod.DIRECT_ROUTING, "tun", ForwardingMethod.TUNNEL, "ipip",
            ForwardingMethod.TUNNEL, "l4", ForwardingMethod.PROXY, "l7", ForwardingMethod.HTTP);
    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");

    private ConfigDecoder() {}

    /** Decodes a whole configuration file. */
    static ApplianceConfig file(Node root, Path file) throws ConfigException {
        Fields f = Fields.of(root);
        if (f.get("tls").isPresent()) {
            throw new ConfigException(f.at("tls"), "TLS termination is not yet available in the appliance; remove "
                    + "this section");
        }
        ApplianceConfig.Admin admin = admin(f.get("admin"), file);
        ApplianceConfig.Runtime runtime = runtime(f.get("dataplanes"), f.get("health"));
        Map<String, ProxyOptions> proxyOptions = new LinkedHashMap<>();
        Map<String, IpvsOptions> ipvsOptions = new LinkedHashMap<>();
        Configuration configuration = virtualServers(f.get("virtualServers"), proxyOptions, ipvsOptions);
        ApplianceConfig.Ha ha = HaSection.decode(f.get("ha"));
        if (ha.ipvsSync().isPresent() && !runtime.ipvs()) {
            throw new ConfigException(f.at("ha"), "ha.ipvsSync runs the IPVS connection-sync daemon, but "
                    + "dataplanes.ipvs.enabled is false");
        }
        f.done();
        return new ApplianceConfig(configuration, proxyOptions, admin, runtime, ipvsOptions, ha);
    }

    /** Decodes a mapping of label to virtual server, filling {@code proxyOptions} and {@code ipvsOptions}. */
    static Configuration virtualServers(Optional<Node> node, Map<String, ProxyOptions> proxyOptions,
            Map<String, IpvsOptions> ipvsOptions) throws ConfigException {
        if (node.isEmpty()) {
            return Configuration.empty();
        }
        Configuration.Builder b = Configuration.builder();
        List<Map.Entry<String, Node>> entries = new ArrayList<>(Fields.entries(node.get()).entrySet());
        for (Map.Entry<String, Node> e : entries) {
            b.add(virtualServer(e.getKey(), e.getValue(), proxyOptions, ipvsOptions));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(Fields.of(node.get()), e);
        }
    }

    /**
     * Decodes one virtual server (the value under its label); its proxy options go into {@code proxyOptions},
     * its IPVS options into {@code ipvsOptions}.
     */
    static VirtualServer virtualServer(String label, Node node, Map<String, ProxyOptions> proxyOptions,
            Map<String, IpvsOptions> ipvsOptions) throws ConfigException {
        Fields f = Fields.of(node);
        VirtualServer.Builder b = VirtualServer.builder(label);
        Optional<String> vip = f.string("vip");
        boolean pool = f.bool("pool", false);
        if (vip.isEmpty() && !pool) {
            throw new ConfigException(f.location(), "vip is required, e.g. vip: 10.0.0.1:80/tcp (or pool: true for "
                    + "an HTTP pool that routes send to)");
        }
        try {
            if (vip.isPresent()) {
                b.vip(vip.get());
            }
            f.enumValue("forwardingMethod", ForwardingMethod.class, METHOD_ALIASES).ifPresent(b::forwardingMethod);
            if (pool) {
                b.pool();
            }
            List<HttpRoute> routes = new ArrayList<>();
            for (Node r : f.list("routes")) {
                routes.add(route(r));
            }
            b.routes(routes);
            Optional<Node> s = f.get("scheduler");
            if (s.isPresent()) {
                try {
                    b.scheduler(Scheduler.parse(Fields.scalar(s.get()).trim()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(s.get().location(), e.getMessage());
                }
            }
            Optional<Node> p = f.get("persistence");
            if (p.isPresent()) {
                b.persistence(persistence(p.get()));
            }
            Optional<Node> hc = f.get("healthCheck");
            if (hc.isPresent()) {
                b.healthCheck(healthCheck(hc.get()));
            }
            f.duration("connectTimeout").ifPresent(b::connectTimeout);
            f.duration("idleTimeout").ifPresent(b::idleTimeout);
            Optional<Node> fb = f.get("fallback");
            if (fb.isPresent()) {
                Fields ff = Fields.of(fb.get());
                String fbLabel = ff.string("label", "fallback");
                b.fallback(realServer(fbLabel, ff));
            }
            for (Map.Entry<String, Node> e : f.map("realServers").entrySet()) {
                b.realServer(realServer(e.getKey(), Fields.of(e.getValue())));
            }
            Optional<Node> proxy = f.get("proxy");
            if (proxy.isPresent()) {
                proxyOptions.put(label, proxyOptions(proxy.get()));
            } else {
                proxyOptions.remove(label);
            }
            Optional<Node> ipvsNode = f.get("ipvs");
            f.done();
            VirtualServer vs = b.build();
            ipvsOptionsInto(vs, ipvsNode, ipvsOptions);
            if (proxy.isPresent()) {
                checkCookieValueLabels(vs, proxy.get());
            }
            return vs;
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static RealServer realServer(String label, Fields f) throws ConfigException {
        RealServer.Builder b = RealServer.builder(label);
        try {
            b.address(f.requireString("address"));
            b.port(f.integer("port", 0));
            b.weight(f.integer("weight", 1));
            b.minConnections(f.integer("minConnections", 0));
            b.maxConnections(f.integer("maxConnections", 0));
            f.enumValue("forwardingMethod", ForwardingMethod.class, METHOD_ALIASES).ifPresent(b::forwardingMethod);
            f.enumValue("status", RequestedStatus.class, Map.of()).ifPresent(b::requestedStatus);
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    static PersistencePolicy persistence(Node n) throws ConfigException {
        if (n instanceof Node.ScalarNode s && !s.isNull()) {
            if (s.text().trim().equalsIgnoreCase("none")) {
                return PersistencePolicy.none();
            }
            throw new ConfigException(n.location(), "must be none or a mapping with type: sourceIp or cookie");
        }
        Fields f = Fields.of(n);
        String type = f.string("type", "none");
        try {
            switch (type) {
                case "none":
                    f.done();
                    return PersistencePolicy.none();
                case "sourceIp": {
                    PersistencePolicy p = PersistencePolicy.sourceIp(f.duration("timeout", Duration.ofMinutes(5)),
                            f.integer("ipv4PrefixLength", 32), f.integer("ipv6PrefixLength", 128));
                    f.done();
                    return p;
                }
                case "cookie": {
                    CookiePersistence.Mode mode = f.enumValue("mode", CookiePersistence.Mode.class, Map.of())
                            .orElse(CookiePersistence.Mode.INSERT);
                    CookiePersistence.Builder b = CookiePersistence.builder(mode, f.string("name", "SERVERID"));
                    f.string("path").ifPresent(b::path);
                    f.string("domain").ifPresent(b::domain);
                    f.duration("maxAge").ifPresent(b::maxAge);
                    b.secure(f.bool("secure", false));
                    b.httpOnly(f.bool("httpOnly", true));
                    f.enumValue("sameSite", CookiePersistence.SameSite.class, Map.of()).ifPresent(b::sameSite);
                    b.indirect(f.bool("indirect", false));
                    b.noCache(f.bool("noCache", false));
                    b.postOnly(f.bool("postOnly", false));
                    b.redispatchWhenUnavailable(f.bool("redispatchWhenUnavailable", true));
                    f.done();
                    return b.build();
                }
                default:
                    throw new ConfigException(f.at("type"), "must be one of none, sourceIp, cookie but was '" + type
                            + "'");
            }
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    static HealthCheck healthCheck(Node n) throws ConfigException {
        if (n instanceof Node.ScalarNode s && !s.isNull()) {
            if (s.text().trim().equalsIgnoreCase("none")) {
                return HealthCheck.none();
            }
            throw new ConfigException(n.location(), "must be none or a mapping with a type such as connect or http");
        }
        Fields f = Fields.of(n);
        String type = f.string("type", "none");
        try {
            HealthCheck check;
            switch (type) {
                case "none":
                    f.done();
                    return HealthCheck.none();
                case "connect":
                    check = HealthCheck.connect();
                    break;
                case "ping":
                    check = HealthCheck.ping();
                    break;
                case "http":
                case "https": {
                    HealthCheck.Http h = HealthCheck.http(f.string("path", "/"));
                    h = h.withTls(f.bool("tls", type.equals("https")));
                    h = h.withMethod(f.string("method", "GET"));
                    Optional<String> host = f.string("host");
                    if (host.isPresent()) {
                        h = h.withHost(host.get());
                    }
                    List<String> statuses = f.strings("expectStatus");
                    if (!statuses.isEmpty()) {
                        List<HealthCheck.StatusRange> ranges = new ArrayList<>();
                        List<Node> nodes = f.list("expectStatus");
                        for (int i = 0; i < statuses.size(); i++) {
                            var m = STATUS_RANGE.matcher(statuses.get(i).trim());
                            if (!m.matches()) {
                                throw new ConfigException(nodes.get(i).location(),
                                        "must be a status such as 200 or a range such as 200-399 but was '"
                                                + statuses.get(i) + "'");
                            }
                            int from = Integer.parseInt(m.group(1));
                            ranges.add(new HealthCheck.StatusRange(from,
                                    m.group(2) == null ? from : Integer.parseInt(m.group(2))));
                        }
                        h = h.withStatus(ranges.toArray(new HealthCheck.StatusRange[0]));
                    }
                    Optional<String> body = f.string("bodyRegex");
                    if (body.isPresent()) {
                        h = h.withBodyRegex(body.get());
                    }
                    Optional<Node> header = f.get("header");
                    if (header.isPresent()) {
                        Fields hf = Fields.of(header.get());
                        h = h.withHeader(hf.requireString("name"), hf.string("valueRegex", ""));
                        hf.done();
                    }
                    Optional<String> sni = f.string("sni");
                    if (sni.isPresent()) {
                        h = h.withSni(sni.get());
                    }
                    h = h.withVerifyTls(f.bool("verifyTls", false));
                    check = h;
                    break;
                }
                case "dns": {
                    HealthCheck.Dns d = HealthCheck.dns(f.requireString("name"),
                            f.enumValue("recordType", HealthCheck.Dns.Type.class, Map.of())
                                    .orElse(HealthCheck.Dns.Type.A));
                    Optional<String> answer = f.string("expectedAnswer");
                    check = answer.isPresent() ? d.withExpectedAnswer(answer.get()) : d;
                    break;
                }
                case "agent": {
                    HealthCheck.Agent a = HealthCheck.agent();
                    Optional<String> send = f.string("send");
                    check = send.isPresent() ? a.withSend(send.get()) : a;
                    break;
                }
                case "sendExpect": {
                    List<HealthCheck.SendExpect.Step> steps = new ArrayList<>();
                    for (Node step : f.list("steps")) {
                        Fields sf = Fields.of(step);
                        Optional<String> send = sf.string("send");
                        Optional<String> expect = sf.string("expect");
                        sf.done();
                        if (send.isPresent() == expect.isPresent()) {
                            throw new ConfigException(step.location(), "a step has either send or expect");
                        }
                        try {
                            steps.add(send.isPresent() ? new HealthCheck.SendExpect.Send(send.get())
                                    : new HealthCheck.SendExpect.Expect(expect.get()));
                        } catch (IllegalArgumentException e) {
                            throw new ConfigException(step.location(), e.getMessage(), e);
                        }
                    }
                    check = HealthCheck.sendExpect(steps);
                    break;
                }
                case "external":
                    check = HealthCheck.external(f.requireString("command"), f.strings("args"));
                    break;
                default:
                    throw new ConfigException(f.at("type"), "must be one of none, connect, http, https, ping, dns, "
                            + "agent, sendExpect, external but was '" + type + "'");
            }
            check = check.withSettings(settings(f));
            f.done();
            return check;
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static CheckSettings settings(Fields f) throws ConfigException {
        CheckSettings d = CheckSettings.defaults();
        Duration interval = f.duration("interval", d.interval());
        Duration timeout = f.duration("timeout").orElse(d.timeout().compareTo(interval) > 0 ? interval : d.timeout());
        CheckSettings s = new CheckSettings(interval, f.duration("fastInterval", interval),
                f.duration("downInterval", interval), timeout, f.integer("rise", d.rise()),
                f.integer("fall", d.fall()), f.bool("initiallyUp", d.initiallyUp()),
                f.enumValue("onFailure", FailureAction.class, Map.of()).orElse(d.onFailure()),
                f.integer("port", 0));
        Optional<String> address = f.string("address");
        if (address.isPresent()) {
            s = s.withAddress(address.get());
        }
        Optional<String> source = f.string("sourceAddress");
        if (source.isPresent()) {
            s = s.withSourceAddress(source.get());
        }
        return s;
    }

    private static HttpRoute route(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        try {
            HttpRoute.Builder b = HttpRoute.to(f.requireString("pool"));
            f.string("host").ifPresent(b::host);
            Optional<String> prefix = f.string("pathPrefix");
            Optional<String> exact = f.string("pathExact");
            Optional<String> regex = f.string("pathRegex");
            if ((prefix.isPresent() ? 1 : 0) + (exact.isPresent() ? 1 : 0) + (regex.isPresent() ? 1 : 0) > 1) {
                throw new ConfigException(n.location(), "a route has at most one of pathPrefix, pathExact, pathRegex");
            }
            prefix.ifPresent(b::pathPrefix);
            exact.ifPresent(b::pathExact);
            regex.ifPresent(b::pathRegex);
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static HttpOptions httpOptions(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        HttpOptions d = HttpOptions.defaults();
        HttpOptions.Builder b = HttpOptions.builder();
        try {
            b.clientHeaderTimeout(f.duration("clientHeaderTimeout", d.clientHeaderTimeout()));
            b.keepAliveTimeout(f.duration("keepAliveTimeout", d.keepAliveTimeout()));
            b.serverResponseTimeout(f.duration("serverResponseTimeout", d.serverResponseTimeout()));
            b.serverIdleTimeout(f.duration("serverIdleTimeout", d.serverIdleTimeout()));
            b.maxIdleServerConnections(f.integer("maxIdleServerConnections", d.maxIdleServerConnections()));
            b.xForwarded(f.enumValue("xForwarded", HttpOptions.Forwarded.class, Map.of()).orElse(d.xForwarded()));
            b.forwarded(f.enumValue("forwarded", HttpOptions.Forwarded.class, Map.of()).orElse(d.forwarded()));
            for (Node r : f.list("requestHeaders")) {
                b.requestHeaderRule(headerRule(r));
            }
            for (Node r : f.list("responseHeaders")) {
                b.responseHeaderRule(headerRule(r));
            }
            b.accessLog(f.bool("accessLog", d.accessLog()));
            b.cookieValueIsLabel(f.bool("cookieValueIsLabel", d.cookieValueIsLabel()));
            b.learnedCookies(f.integer("learnedCookies", d.learnedCookies()));
            b.learnedCookieTimeout(f.duration("learnedCookieTimeout", d.learnedCookieTimeout()));
            httpExtras(f, b);
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static HttpOptions.HeaderRule headerRule(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        Optional<String> set = f.string("set");
        Optional<String> remove = f.string("remove");
        Optional<String> value = f.string("value");
        f.done();
        try {
            if (set.isPresent() && remove.isEmpty()) {
                return HttpOptions.HeaderRule.set(set.get(), value.orElse(""));
            }
            if (remove.isPresent() && set.isEmpty() && value.isEmpty()) {
                return HttpOptions.HeaderRule.remove(remove.get());
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.location(), e.getMessage(), e);
        }
        throw new ConfigException(n.location(), "a header rule is {set: NAME, value: VALUE} or {remove: NAME}");
    }

    static ProxyOptions proxyOptions(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        ProxyOptions d = ProxyOptions.defaults();
        ProxyOptions.Builder b = ProxyOptions.builder();
        try {
            f.duration("clientIdleTimeout").ifPresent(b::clientIdleTimeout);
            f.duration("serverIdleTimeout").ifPresent(b::serverIdleTimeout);
            b.connectionLifetime(f.duration("connectionLifetime", d.connectionLifetime()));
            b.queueSize(f.integer("queueSize", d.queueSize()));
            b.queueTimeout(f.duration("queueTimeout", d.queueTimeout()));
            b.redispatchAttempts(f.integer("redispatchAttempts", d.redispatchAttempts()));
            b.sendProxyProtocol(f.enumValue("sendProxyProtocol", ProxyOptions.ProxyProtocol.class, Map.of())
                    .orElse(d.sendProxyProtocol()));
            Optional<Node> to = f.get("sendProxyProtocolTo");
            if (to.isPresent()) {
                for (Map.Entry<String, Node> e : Fields.entries(to.get()).entrySet()) {
                    b.sendProxyProtocolTo(e.getKey(),
                            Fields.enumValue(e.getValue(), ProxyOptions.ProxyProtocol.class, Map.of()));
                }
            }
            b.acceptProxyProtocolFrom(f.strings("acceptProxyProtocolFrom"));
            b.proxyProtocolTimeout(f.duration("proxyProtocolTimeout", d.proxyProtocolTimeout()));
            b.tcpNoDelay(f.bool("tcpNoDelay", d.tcpNoDelay()));
            b.keepAlive(f.bool("keepAlive", d.keepAlive()));
            b.closeConnectionsOnRemove(f.bool("closeConnectionsOnRemove", d.closeConnectionsOnRemove()));
            b.backlog(f.integer("backlog", d.backlog()));
            b.floatingAddress(f.bool("floatingAddress", d.floatingAddress()));
            Optional<Node> http = f.get("http");
            if (http.isPresent()) {
                b.http(httpOptions(http.get()));
            }
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static ApplianceConfig.Admin admin(Optional<Node> node, Path file) throws ConfigException {
        ApplianceConfig.Admin d = ApplianceConfig.Admin.defaults();
        if (node.isEmpty()) {
            return d;
        }
        Fields f = Fields.of(node.get());
        String listen = f.string("listen", d.listenAddress() + ":" + d.listenPort()).trim();
        String host;
        int port;
        if (listen.equals("off")) {
            host = d.listenAddress();
            port = -1;
        } else {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) {
                throw new ConfigException(f.at("listen"), "must be address:port such as 127.0.0.1:9443, "
                        + "[::1]:9443 or off but was '" + listen + "'");
            }
            host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
                InetAddress.getByName(literalOnly(host));
            } catch (java.net.UnknownHostException | IllegalArgumentException e) {
                throw new ConfigException(f.at("listen"), "must be address:port with an IP literal and a port "
                        + "0..65535 but was '" + listen + "'");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(f.at("listen"), "port must be 0..65535 but was " + port);
            }
        }
        Path base = file == null || file.toAbsolutePath().getParent() == null ? Path.of(".")
                : file.toAbsolutePath().getParent();
        Optional<Path> state = f.string("stateDirectory").map(base::resolve);
        Optional<Path> keystore = f.string("keystore").map(base::resolve);
        Optional<String> keystorePassword = f.string("keystorePassword");
        if (keystore.isPresent() && keystorePassword.isEmpty()) {
            throw new ConfigException(f.at("keystore"), "keystorePassword is required with keystore");
        }
        Optional<String> hash = f.string("passwordHash");
        if (hash.isPresent() && !Passwords.isHash(hash.get())) {
            throw new ConfigException(f.at("passwordHash"), "must be pbkdf2-sha256:ITERATIONS:SALT:HASH as printed by "
                    + "'java -jar lbkit-appliance.jar hash-password' (never the password itself)");
        }
        int keep = f.integer("keepVersions", d.keepVersions());
        if (keep < 0 || keep > 1000) {
            throw new ConfigException(f.at("keepVersions"), "must be 0..1000 but was " + keep);
        }
        ApplianceConfig.Admin a = new ApplianceConfig.Admin(host, port, state, keystore, keystorePassword, hash, keep,
                f.bool("metricsWithoutAuth", d.metricsWithoutAuth()), f.bool("jmx", d.jmx()));
        f.done();
        return a;
    }

    private static String literalOnly(String host) {
        if (!host.matches("[0-9.]+|[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("not an IP literal");
        }
        return host;
    }

    private static ApplianceConfig.Runtime runtime(Optional<Node> dataplanes, Optional<Node> health)
            throws ConfigException {
        ApplianceConfig.Runtime d = ApplianceConfig.Runtime.defaults();
        int io = d.proxyIoThreads();
        boolean ipvs = d.ipvs();
        Map<IpvsSysctl, Integer> sysctls = d.ipvsSysctls();
        if (dataplanes.isPresent()) {
            Fields f = Fields.of(dataplanes.get());
            Optional<Node> p = f.get("proxy");
            if (p.isPresent()) {
                Fields pf = Fields.of(p.get());
                io = pf.integer("ioThreads", io);
                if (io < 1 || io > 64) {
                    throw new ConfigException(pf.at("ioThreads"), "must be 1..64 but was " + io);
                }
                pf.done();
            }
            Optional<Node> i = f.get("ipvs");
            if (i.isPresent()) {
                Fields inf = Fields.of(i.get());
                ipvs = inf.bool("enabled", ipvs);
                sysctls = ipvsSysctls(inf, ipvs);
                inf.done();
            }
            f.done();
        }
        int history = d.healthHistory();
        if (health.isPresent()) {
            Fields f = Fields.of(health.get());
            history = f.integer("historySize", history);
            if (history < 1 || history > 1000) {
                throw new ConfigException(f.at("historySize"), "must be 1..1000 but was " + history);
            }
            f.done();
        }
        return new ApplianceConfig.Runtime(io, ipvs, history, sysctls);
    }

    // ---- per-VIP dataplane options: IPVS options, IPVS sysctls, HTTP limits, error pages, cookie values

    /** The statuses the HTTP proxy answers itself, whose pages {@code proxy.http.errorPages} may replace. */
    static final List<Integer> ERROR_PAGE_STATUSES = List.of(400, 408, 411, 414, 431, 501, 502, 503, 504, 505);
    /** The content type of an error page that names none. */
    static final String DEFAULT_ERROR_PAGE_TYPE = "text/html; charset=utf-8";
    /** The largest error page file read. */
    static final int MAX_ERROR_PAGE_BYTES = 64 * 1024;

    /** Decodes a virtual server's {@code ipvs:} into {@code ipvsOptions}, or drops its entry when absent. */
    private static void ipvsOptionsInto(VirtualServer vs, Optional<Node> node, Map<String, IpvsOptions> ipvsOptions)
            throws ConfigException {
        if (node.isEmpty()) {
            ipvsOptions.remove(vs.label());
            return;
        }
        if (!vs.forwardingMethod().isKernel()) {
            throw new ConfigException(node.get().location(), "IPVS options apply to direct-routing, nat and tunnel "
                    + "virtual servers only, but this one is " + Fields.name(vs.forwardingMethod()));
        }
        ipvsOptions.put(vs.label(), ipvsOptions(vs, node.get()));
    }

    /** Decodes the {@code ipvs:} mapping of a kernel virtual server into {@link IpvsOptions}. */
    static IpvsOptions ipvsOptions(VirtualServer vs, Node n) throws ConfigException {
        Fields f = Fields.of(n);
        IpvsOptions d = IpvsOptions.defaults();
        IpvsOptions.Builder b = IpvsOptions.builder();
        try {
            b.onePacket(f.bool("onePacket", d.onePacket()));
            boolean fallback = f.bool("schedulerFallback", d.schedulerFallback());
            boolean port = f.bool("schedulerPort", d.schedulerPort());
            boolean hashing = vs.scheduler() == Scheduler.SH || vs.scheduler() == Scheduler.MH;
            if ((fallback || port) && !hashing) {
                throw new ConfigException(f.at(fallback ? "schedulerFallback" : "schedulerPort"), "needs scheduler sh "
                        + "or mh but the scheduler is " + vs.scheduler().ipvsName());
            }
            b.schedulerFallback(fallback).schedulerPort(port);
            Optional<String> pe = f.string("persistenceEngine").map(String::trim);
            if (pe.isPresent() && !pe.get().equals("none")) {
                if (!pe.get().equals("sip")) {
                    throw new ConfigException(f.at("persistenceEngine"), "must be sip or none but was '" + pe.get()
                            + "'");
                }
                if (!(vs.persistence() instanceof SourceIpPersistence)) {
                    throw new ConfigException(f.at("persistenceEngine"), "persistence engine sip needs "
                            + "persistence: {type: sourceIp}");
                }
                b.persistenceEngine(pe.get());
            }
            b.tunnelType(f.enumValue("tunnelType", TunnelType.class, Map.of()).orElse(d.tunnelType()));
            b.tunnelPort(f.integer("tunnelPort", d.tunnelPort()));
            b.tunnelChecksum(f.bool("tunnelChecksum", d.tunnelChecksum()));
            b.tunnelRemoteChecksum(f.bool("tunnelRemoteChecksum", d.tunnelRemoteChecksum()));
            Set<String> labels = realServerLabels(vs);
            for (Map.Entry<String, Node> e : f.map("realServerTunnels").entrySet()) {
                if (!labels.contains(e.getKey())) {
                    throw new ConfigException(e.getValue().location(), "no real server '" + e.getKey() + "' in "
                            + "virtual server '" + vs.label() + "' (its real servers: " + String.join(", ", labels)
                            + ")");
                }
                b.realServerTunnel(e.getKey(), tunnel(e.getValue()));
            }
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    private static IpvsOptions.Tunnel tunnel(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        try {
            IpvsOptions.Tunnel t = new IpvsOptions.Tunnel(f.enumValue("type", TunnelType.class, Map.of())
                    .orElse(TunnelType.IPIP), f.integer("port", 0), f.bool("checksum", false),
                    f.bool("remoteChecksum", false));
            f.done();
            return t;
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            String key = msg.contains("tunnelPort") ? "port" : msg.contains("tunnelRemoteChecksum") ? "remoteChecksum"
                    : msg.contains("tunnelChecksum") ? "checksum" : "type";
            throw new ConfigException(f.at(key), msg.replace("ipvs options: ", ""), e);
        }
    }

    private static Set<String> realServerLabels(VirtualServer vs) {
        Set<String> labels = new LinkedHashSet<>();
        vs.realServers().forEach(r -> labels.add(r.label()));
        vs.fallback().ifPresent(r -> labels.add(r.label()));
        return labels;
    }

    /** {@code dataplanes.ipvs.sysctls}: kernel name ({@code expire_nodest_conn}, ...) to 0 or 1. */
    private static Map<IpvsSysctl, Integer> ipvsSysctls(Fields ipvsFields, boolean enabled) throws ConfigException {
        Optional<Node> node = ipvsFields.get("sysctls");
        if (node.isEmpty()) {
            return Map.of();
        }
        if (!enabled) {
            throw new ConfigException(node.get().location(), "IPVS sysctls need the IPVS dataplane, but enabled is "
                    + "false");
        }
        Fields f = Fields.of(node.get());
        Map<IpvsSysctl, Integer> out = new EnumMap<>(IpvsSysctl.class);
        for (IpvsSysctl s : IpvsSysctl.values()) {
            Optional<Node> v = f.get(s.fileName());
            if (v.isPresent()) {
                String t = Fields.scalar(v.get()).trim();
                int value = t.equals("0") || t.equalsIgnoreCase("false") ? 0
                        : t.equals("1") || t.equalsIgnoreCase("true") ? 1 : -1;
                if (value < 0) {
                    throw new ConfigException(v.get().location(), "must be 0 or 1 (" + s.key() + ") but was '" + t
                            + "'");
                }
                out.put(s, value);
            }
        }
        f.done();
        return out;
    }

    /** {@code proxy.http}'s {@code limits}, {@code errorPages} and {@code cookieValues}. */
    private static void httpExtras(Fields f, HttpOptions.Builder b) throws ConfigException {
        Optional<Node> limits = f.get("limits");
        if (limits.isPresent()) {
            b.limits(httpLimits(limits.get()));
        }
        Optional<Node> pages = f.get("errorPages");
        if (pages.isPresent()) {
            errorPages(pages.get(), b);
        }
        Optional<Node> cookies = f.get("cookieValues");
        if (cookies.isPresent()) {
            for (Map.Entry<String, Node> e : Fields.entries(cookies.get()).entrySet()) {
                try {
                    b.cookieValue(e.getKey(), Fields.scalar(e.getValue()));
                } catch (IllegalArgumentException x) {
                    throw new ConfigException(e.getValue().location(), x.getMessage().replace("http options: ", ""),
                            x);
                }
            }
        }
    }

    static HttpLimits httpLimits(Node n) throws ConfigException {
        Fields f = Fields.of(n);
        HttpLimits d = HttpLimits.defaults();
        HttpLimits.Builder b = HttpLimits.builder();
        try {
            b.maxRequestLineLength(f.integer("maxRequestLineLength", d.maxRequestLineLength()));
            b.maxHeaderSectionLength(f.integer("maxHeaderSectionLength", d.maxHeaderSectionLength()));
            b.maxHeaderCount(f.integer("maxHeaderCount", d.maxHeaderCount()));
            b.maxChunkLineLength(f.integer("maxChunkLineLength", d.maxChunkLineLength()));
            b.rejectUnknownMethods(f.bool("rejectUnknownMethods", d.rejectUnknownMethods()));
            b.requireLength(f.bool("requireLength", d.requireLength()));
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw located(f, e);
        }
    }

    /**
     * {@code errorPages}: status to {@code {contentType, body}} or {@code {contentType, file}}; a file is read now,
     * relative to the configuration file.
     */
    private static void errorPages(Node n, HttpOptions.Builder b) throws ConfigException {
        for (Map.Entry<String, Node> e : Fields.entries(n).entrySet()) {
            Node value = e.getValue();
            int status;
            try {
                status = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException x) {
                status = -1;
            }
            if (!ERROR_PAGE_STATUSES.contains(status)) {
                throw new ConfigException(value.location(), "the status must be one the proxy answers itself ("
                        + ERROR_PAGE_STATUSES.toString().replaceAll("[\\[\\],]", "") + ") but was '" + e.getKey()
                        + "'");
            }
            Fields f = Fields.of(value);
            String type = f.string("contentType", DEFAULT_ERROR_PAGE_TYPE);
            Optional<String> body = f.string("body");
            Optional<String> file = f.string("file");
            f.done();
            if (body.isPresent() == file.isPresent()) {
                throw new ConfigException(value.location(), "an error page has either body (the page itself) or file "
                        + "(a path relative to the configuration file)");
            }
            String text = body.isPresent() ? body.get() : readPage(f.at("file"), file.get());
            try {
                b.errorPage(status, type, text);
            } catch (IllegalArgumentException x) {
                throw new ConfigException(f.at("contentType"), x.getMessage().replace("http options: ", ""), x);
            }
        }
    }

    private static String readPage(Node.Location at, String name) throws ConfigException {
        Path source = Path.of(at.source()).toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new ConfigException(at, "an error page file is read relative to the configuration file; a REST "
                    + "request gives the page inline with body");
        }
        Path page = source.getParent().resolve(name).normalize();
        byte[] bytes;
        try {
            if (Files.size(page) > MAX_ERROR_PAGE_BYTES) {
                throw new ConfigException(at, "error page file " + page + " is larger than " + MAX_ERROR_PAGE_BYTES
                        + " bytes");
            }
            bytes = Files.readAllBytes(page);
        } catch (IOException x) {
            throw new ConfigException(at, "cannot read error page file " + page + ": " + (x instanceof
                    java.nio.file.NoSuchFileException ? "no such file" : x.toString()), x);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException x) {
            throw new ConfigException(at, "error page file " + page + " is not UTF-8 text");
        }
    }

    /** Every label under {@code proxy.http.cookieValues} must be a real server (or the fallback) of {@code vs}. */
    private static void checkCookieValueLabels(VirtualServer vs, Node proxy) throws ConfigException {
        if (!(proxy instanceof Node.MapNode pm) || !(pm.entries().get("http") instanceof Node.MapNode hm)
                || !(hm.entries().get("cookieValues") instanceof Node.MapNode cm)) {
            return;
        }
        Set<String> labels = realServerLabels(vs);
        for (Map.Entry<String, Node> e : cm.entries().entrySet()) {
            if (!labels.contains(e.getKey())) {
                throw new ConfigException(e.getValue().location(), "no real server '" + e.getKey() + "' in virtual "
                        + "server '" + vs.label() + "' (its real servers: " + String.join(", ", labels) + ")");
            }
        }
    }

    /**
     * An lb-api validation message placed at the field it names: the real server it names (when it is one of
     * this mapping's), then the key of that mapping that the message mentions first; else the mapping itself.
     */
    static ConfigException located(Fields f, IllegalArgumentException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        Node.MapNode node = f.node();
        Node rs = node.entries().get("realServers");
        if (rs instanceof Node.MapNode rsm) {
            for (Map.Entry<String, Node> r : rsm.entries().entrySet()) {
                if (msg.contains("real server '" + r.getKey() + "'") && r.getValue() instanceof Node.MapNode rm) {
                    return new ConfigException(bestKey(rm, msg), msg, e);
                }
            }
        }
        return new ConfigException(bestKey(node, msg), msg, e);
    }

    private static Node.Location bestKey(Node.MapNode node, String msg) {
        int best = Integer.MAX_VALUE;
        Node.Location at = node.location();
        for (Map.Entry<String, Node> k : node.entries().entrySet()) {
            var m = Pattern.compile("\\b" + Pattern.quote(k.getKey()) + "\\b").matcher(msg);
            if (m.find() && m.start() < best) {
                best = m.start();
                at = k.getValue().location();
            }
        }
        return at;
    }
}
