package dev.lbkit.examples.appliance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RealServerStatus;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStatus;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.proxy.ProxyOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: JSON over HTTPS on the JDK's {@link HttpsServer}. Every route but the OpenAPI document and
 * the setup call needs credentials (Basic {@code admin:password} or a Bearer API token). Changes go through
 * {@link Appliance#change}, so they are serialised and each one is validated, applied as a difference,
 * persisted and audited; {@code If-Match} (or a {@code version} in the body) makes an edit conditional on the
 * version it was based on. {@code openapi.json} in this package describes every route; a test checks that the
 * two agree.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 1 << 20;
    static final String PREFIX = "/api/v1";
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Appliance appliance;
    private final ApplianceConfig.Admin settings;
    private final HttpsServer server;
    private final ExecutorService executor;
    private final List<Route> routes = new ArrayList<>();

    /** One route: a method, an OpenAPI path template, whether it needs credentials, and its handler. */
    record Route(String method, String template, boolean authenticated, Pattern pattern, Handler handler) {}

    interface Handler {
        Reply handle(Request r) throws Exception;
    }

    /** A request with its path parameters and the authenticated principal. */
    record Request(HttpExchange exchange, Map<String, String> params, String who) {
        String param(String name) {
            return params.get(name);
        }

        boolean dryRun() {
            String q = exchange.getRequestURI().getRawQuery();
            return q != null && (q.equals("dryRun=true") || q.contains("dryRun=true&") || q.endsWith("&dryRun=true"));
        }
    }

    /** A reply: status, JSON tree (or text), headers. */
    record Reply(int status, Object body, String contentType, Map<String, String> headers) {
        static Reply json(int status, Object body) {
            return new Reply(status, body, "application/json", Map.of());
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, body, contentType, h);
        }
    }

    /** An error reply with a message (and field and line when about the body). */
    static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    AdminServer(Appliance appliance, ApplianceConfig.Admin settings, Path stateDirectory) throws IOException {
        this.appliance = appliance;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lbkit-admin-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(settings.listenAddress()),
                settings.listenPort());
        this.server = HttpsServer.create(at, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(Keystores.context(settings, stateDirectory)));
        server.setExecutor(executor);
        defineRoutes();
        server.createContext("/", this::dispatch);
    }

    void start() {
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    /** The routes, for the test that compares them with the OpenAPI document. */
    List<Route> routes() {
        return List.copyOf(routes);
    }

    private void route(String method, String template, boolean auth, Handler h) {
        String regex = Pattern.quote(template).replaceAll("\\{([a-zA-Z]+)\\}", "\\\\E(?<$1>[^/]+)\\\\Q");
        routes.add(new Route(method, template, auth, Pattern.compile(regex), h));
    }

    private void defineRoutes() {
        route("GET", PREFIX + "/openapi.json", false, r -> new Reply(200, OpenApi.document(), "application/json",
                Map.of()));
        route("POST", PREFIX + "/setup", false, this::setup);
        route("GET", "/metrics", !settings.metricsWithoutAuth(), r -> new Reply(200,
                PrometheusText.write(appliance.metrics(), appliance.status(), appliance.haStatus()),
                "text/plain; version=0.0.4",
                Map.of()));
        route("GET", PREFIX + "/status", true, r -> versioned(Reply.json(200,
                Views.status(appliance.status(), appliance.current(), appliance.version()))));
        route("GET", PREFIX + "/stats", true, this::stats);
        route("GET", PREFIX + "/ha", true, r -> Reply.json(200, Views.ha(appliance.current().ha(),
                appliance.status(), appliance.haStatus(), appliance.ipvsSyncFollower())));
        route("GET", PREFIX + "/configuration", true, r -> versioned(Reply.json(200, configuration())));
        route("PUT", PREFIX + "/configuration", true, this::putConfiguration);
        route("POST", PREFIX + "/reload", true, r -> result(appliance.reload(r.who(), "rest"), false));
        route("GET", PREFIX + "/virtual-servers", true, r -> versioned(Reply.json(200,
                ConfigEncoder.virtualServers(appliance.current()))));
        route("GET", PREFIX + "/virtual-servers/{vs}", true, r -> versioned(Reply.json(200,
                ConfigEncoder.virtualServer(vs(r), appliance.current().proxyOptions().get(vs(r).label()),
                        appliance.current().ipvsOptions().get(vs(r).label())))));
        route("PUT", PREFIX + "/virtual-servers/{vs}", true, this::putVirtualServer);
        route("DELETE", PREFIX + "/virtual-servers/{vs}", true, r -> {
            String label = vs(r).label();
            return change(r, "delete virtual server " + label, c -> {
                Map<String, ProxyOptions> opts = new LinkedHashMap<>(c.proxyOptions());
                opts.remove(label);
                return c.withServers(c.configuration().without(label), opts);
            });
        });
        route("GET", PREFIX + "/virtual-servers/{vs}/real-servers", true, r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (RealServer rs : vs(r).realServers()) {
                m.put(rs.label(), ConfigEncoder.realServer(rs));
            }
            return versioned(Reply.json(200, m));
        });
        route("GET", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}", true,
                r -> versioned(Reply.json(200, ConfigEncoder.realServer(rs(r)))));
        route("PUT", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}", true, this::putRealServer);
        route("DELETE", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}", true, r -> {
            VirtualServer vs = vs(r);
            String rs = rs(r).label();
            return change(r, "delete real server " + vs.label() + "/" + rs,
                    c -> withVirtualServer(c, vs.label(), v -> v.withoutRealServer(rs)));
        });
        route("POST", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}/offline", true,
                r -> status(r, RequestedStatus.OFFLINE));
        route("POST", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}/online", true,
                r -> status(r, RequestedStatus.ONLINE));
        route("POST", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}/drain", true,
                r -> status(r, RequestedStatus.DRAIN));
        route("GET", PREFIX + "/virtual-servers/{vs}/real-servers/{rs}/health", true, this::health);
        route("GET", PREFIX + "/audit", true, r -> Reply.json(200, Map.of("lines", appliance.audit().tail(200))));
        route("GET", PREFIX + "/tokens", true, r -> Reply.json(200,
                Map.of("tokens", appliance.credentials().tokenNames())));
        route("POST", PREFIX + "/tokens", true, this::createToken);
        route("DELETE", PREFIX + "/tokens/{name}", true, r -> {
            adminOnly(r);
            if (!appliance.credentials().deleteToken(r.param("name"))) {
                throw new ApiError(404, "no API token named '" + r.param("name") + "'");
            }
            appliance.audit().record(r.who(), "rest", "delete token", r.param("name"));
            return new Reply(204, null, "application/json", Map.of());
        });
    }

    // ---- handlers

    private Map<String, Object> configuration() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", appliance.version());
        m.put("virtualServers", ConfigEncoder.virtualServers(appliance.current()));
        return m;
    }

    private Reply putConfiguration(Request r) throws Exception {
        Node body = body(r);
        Fields f = Fields.of(body);
        Long bodyVersion = null;
        Optional<Node> v = f.get("version");
        if (v.isPresent()) {
            bodyVersion = (long) Fields.integer(v.get());
        }
        Long expected = ifMatch(r);
        if (expected == null) {
            expected = bodyVersion;
        }
        if (expected == null && !r.dryRun()) {
            throw new ApiError(428, "replacing the whole configuration needs If-Match: \"VERSION\" (the ETag of GET "
                    + PREFIX + "/configuration) or a \"version\" field, so that a concurrent edit is not lost");
        }
        Map<String, ProxyOptions> opts = new LinkedHashMap<>();
        Map<String, IpvsOptions> ipvsOpts = new LinkedHashMap<>();
        Configuration config = ConfigDecoder.virtualServers(f.get("virtualServers"), opts, ipvsOpts);
        f.done();
        return result(appliance.change(r.who(), "rest", "replace configuration",
                c -> c.withServers(config, opts, ipvsOpts), r.dryRun(), expected, true), r.dryRun());
    }

    private Reply putVirtualServer(Request r) throws Exception {
        String label = label(r.param("vs"), "virtual server");
        Node body = body(r);
        Map<String, ProxyOptions> opts = new LinkedHashMap<>(appliance.current().proxyOptions());
        Map<String, IpvsOptions> ipvsOpts = new LinkedHashMap<>();
        VirtualServer vs = ConfigDecoder.virtualServer(label, body, opts, ipvsOpts);
        boolean exists = appliance.current().configuration().virtualServer(label).isPresent();
        return change(r, (exists ? "replace" : "create") + " virtual server " + label, c -> {
            Map<String, ProxyOptions> o = new LinkedHashMap<>(c.proxyOptions());
            if (opts.containsKey(label)) {
                o.put(label, opts.get(label));
            } else {
                o.remove(label);
            }
            Map<String, IpvsOptions> io = new LinkedHashMap<>(c.ipvsOptions());
            if (ipvsOpts.containsKey(label)) {
                io.put(label, ipvsOpts.get(label));
            } else {
                io.remove(label);
            }
            try {
                return c.withServers(c.configuration().with(vs), o, io);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(body.location(), e.getMessage(), e);
            }
        });
    }

    private Reply putRealServer(Request r) throws Exception {
        VirtualServer vs = vs(r);
        String label = label(r.param("rs"), "real server");
        Node body = body(r);
        RealServer rs = realServerFrom(vs, label, body);
        boolean exists = vs.realServer(label).isPresent();
        return change(r, (exists ? "replace" : "create") + " real server " + vs.label() + "/" + label, c -> {
            try {
                return withVirtualServer(c, vs.label(), v -> v.withRealServer(rs));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(body.location(), e.getMessage(), e);
            }
        });
    }

    /** Decodes a real server through a one-server virtual server, so every rule and message is lb-api's. */
    private static RealServer realServerFrom(VirtualServer vs, String label, Node body) throws ConfigException {
        Map<String, Node> rss = new LinkedHashMap<>();
        rss.put(label, body);
        Node.Location at = body.location();
        Map<String, Node> vsEntries = new LinkedHashMap<>();
        if (vs.isPool()) {
            vsEntries.put("pool", new Node.ScalarNode(at, "true", false));
        } else {
            vsEntries.put("vip", new Node.ScalarNode(at, vs.vip().toString(), false));
        }
        vsEntries.put("forwardingMethod", new Node.ScalarNode(at, Fields.name(vs.forwardingMethod()), false));
        vsEntries.put("realServers", new Node.MapNode(new Node.Location(at.source(), at.line(), at.column(), ""),
                rss));
        VirtualServer one = ConfigDecoder.virtualServer(vs.label(), new Node.MapNode(at, vsEntries),
                new LinkedHashMap<>(), new LinkedHashMap<>());
        return one.realServer(label).orElseThrow();
    }

    private Reply status(Request r, RequestedStatus s) throws Exception {
        VirtualServer vs = vs(r);
        RealServer rs = rs(r);
        return change(r, Fields.name(s) + " " + vs.label() + "/" + rs.label(),
                c -> withVirtualServer(c, vs.label(), v -> v.withRealServer(rs.withRequestedStatus(s))));
    }

    private Reply stats(Request r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (VirtualServerStatus v : appliance.status().virtualServers()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("total", Views.stats(v.stats()));
            Map<String, Object> rm = new LinkedHashMap<>();
            for (RealServerStatus rs : v.realServers()) {
                rm.put(rs.label(), Views.stats(rs.stats()));
            }
            vm.put("realServers", rm);
            m.put(v.label(), vm);
        }
        return Reply.json(200, m);
    }

    private Reply health(Request r) throws ApiError {
        VirtualServer vs = vs(r);
        RealServer rs = rs(r);
        RealServerStatus s = appliance.status().virtualServer(vs.label()).flatMap(v -> v.realServer(rs.label()))
                .orElseThrow(() -> new ApiError(404, "no status for real server '" + rs.label() + "'"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("health", Fields.name(s.health()));
        m.put("actual", Fields.name(s.actual()));
        m.put("checks", s.recentChecks().stream().map(Views::check).toList());
        return Reply.json(200, m);
    }

    private Reply setup(Request r) throws Exception {
        Credentials c = appliance.credentials();
        String auth = r.exchange().getRequestHeaders().getFirst("Authorization");
        if (c.setupToken().isEmpty()) {
            throw new ApiError(409, "the admin password is already set; setup is done");
        }
        if (!c.authenticate(auth).map("setup"::equals).orElse(false)) {
            throw new ApiError(401, "setup needs Authorization: Bearer SETUP-TOKEN (printed at start)");
        }
        Fields f = Fields.of(body(r));
        String password = f.requireString("password");
        f.done();
        if (password.length() < 12) {
            throw new ApiError(400, "password: must be at least 12 characters but was " + password.length());
        }
        c.setPassword(password.toCharArray());
        appliance.audit().record("setup", "rest", "set admin password", "");
        return new Reply(204, null, "application/json", Map.of());
    }

    private Reply createToken(Request r) throws Exception {
        adminOnly(r);
        Fields f = Fields.of(body(r));
        String name = f.requireString("name");
        f.done();
        if (!LABEL.matcher(name).matches()) {
            throw new ApiError(400, "name: must be 1..64 characters of [A-Za-z0-9._-] but was '" + name + "'");
        }
        String token = appliance.credentials().createToken(name);
        appliance.audit().record(r.who(), "rest", "create token", name);
        return Reply.json(201, Map.of("name", name, "token", token));
    }

    private static void adminOnly(Request r) throws ApiError {
        if (!r.who().equals(Credentials.ADMIN)) {
            throw new ApiError(403, "only the admin (password) manages API tokens");
        }
    }

    // ---- helpers

    private interface VsEdit {
        VirtualServer apply(VirtualServer v);
    }

    private static ApplianceConfig withVirtualServer(ApplianceConfig c, String label, VsEdit edit)
            throws ConfigException {
        VirtualServer v = c.configuration().virtualServer(label).orElseThrow(() -> new ConfigException(
                new Node.Location("request", 1, 1, ""), "virtual server '" + label + "' no longer exists"));
        return c.withServers(c.configuration().with(edit.apply(v)), c.proxyOptions());
    }

    private Reply change(Request r, String action, Appliance.Edit edit) throws Exception {
        return result(appliance.change(r.who(), "rest", action, edit, r.dryRun(), ifMatch(r), true), r.dryRun());
    }

    private Reply result(Appliance.Result res, boolean dryRun) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", res.version());
        m.put("dryRun", dryRun);
        m.put("applied", res.applied());
        m.put("diff", Views.diff(res.diff()));
        return Reply.json(200, m).withHeader("ETag", etag(res.version()));
    }

    private Reply versioned(Reply r) {
        return r.withHeader("ETag", etag(appliance.version()));
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    private static Long ifMatch(Request r) throws ApiError {
        String h = r.exchange().getRequestHeaders().getFirst("If-Match");
        if (h == null || h.isBlank() || h.trim().equals("*")) {
            return null;
        }
        String t = h.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        t = t.replace("\"", "");
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "If-Match must be an ETag such as \"12\" but was " + h);
        }
    }

    private VirtualServer vs(Request r) throws ApiError {
        String label = r.param("vs");
        return appliance.current().configuration().virtualServer(label)
                .orElseThrow(() -> new ApiError(404, "no virtual server '" + label + "'"));
    }

    private RealServer rs(Request r) throws ApiError {
        VirtualServer vs = vs(r);
        String label = r.param("rs");
        return vs.realServer(label).orElseThrow(() -> new ApiError(404, "virtual server '" + vs.label()
                + "' has no real server '" + label + "'"));
    }

    private static String label(String label, String what) throws ApiError {
        if (!LABEL.matcher(label).matches()) {
            throw new ApiError(400, what + " label must be 1..64 characters of [A-Za-z0-9._-] starting with a "
                    + "letter or digit but was '" + label + "'");
        }
        return label;
    }

    private static Node body(Request r) throws IOException, ConfigException, ApiError {
        String type = r.exchange().getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "the body must be application/json but was " + type);
        }
        InputStream in = r.exchange().getRequestBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_BODY) {
                throw new ApiError(413, "the body is larger than " + MAX_BODY + " bytes");
            }
        }
        return JsonReader.read("request body", out.toString(StandardCharsets.UTF_8));
    }

    // ---- dispatch

    private void dispatch(HttpExchange ex) throws IOException {
        Reply reply;
        try {
            reply = handle(ex);
        } catch (ApiError e) {
            reply = error(e.status, e.getMessage(), null);
        } catch (ConfigException e) {
            reply = error(400, e.getMessage(), e);
        } catch (Appliance.VersionConflict e) {
            reply = error(412, e.getMessage(), null).withHeader("ETag", etag(e.current));
        } catch (IllegalArgumentException e) {
            reply = error(400, e.getMessage(), null);
        } catch (RuntimeException e) {
            log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply = error(500, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        } catch (Exception e) {
            log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply = error(500, e.toString(), null);
        }
        send(ex, reply);
    }

    private Reply handle(HttpExchange ex) throws Exception {
        String path = ex.getRequestURI().getRawPath();
        boolean pathMatched = false;
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(path);
            if (!m.matches()) {
                continue;
            }
            pathMatched = true;
            if (!route.method().equals(ex.getRequestMethod())) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            Matcher names = Pattern.compile("\\{([a-zA-Z]+)\\}").matcher(route.template());
            while (names.find()) {
                params.put(names.group(1), URLDecoder.decode(m.group(names.group(1)), StandardCharsets.UTF_8));
            }
            String who = "anonymous";
            if (route.authenticated()) {
                Optional<String> p = appliance.credentials().authenticate(
                        ex.getRequestHeaders().getFirst("Authorization"));
                if (p.isEmpty() || p.get().equals("setup")) {
                    return error(401, "authentication required: Basic admin:PASSWORD or Bearer API-TOKEN"
                            + (p.isPresent() ? " (the setup token only sets the password, at " + PREFIX + "/setup)"
                                    : ""), null).withHeader("WWW-Authenticate", "Basic realm=\"lbkit\"");
                }
                who = p.get();
            }
            return route.handler().handle(new Request(ex, params, who));
        }
        if (pathMatched) {
            throw new ApiError(405, ex.getRequestMethod() + " is not allowed on " + path);
        }
        throw new ApiError(404, "no such resource: " + path);
    }

    private static Reply error(int status, String message, ConfigException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("error", message);
        if (e != null) {
            m.put("field", e.field());
            m.put("line", e.line());
        }
        return Reply.json(status, m);
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        try {
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (reply.body() == null) {
                ex.sendResponseHeaders(reply.status(), -1);
                return;
            }
            String text = reply.body() instanceof String s ? s : JsonWriter.write(reply.body());
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", reply.contentType().startsWith("application/json")
                    ? "application/json; charset=utf-8" : reply.contentType());
            ex.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
