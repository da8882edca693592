package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API end to end: a real appliance, HTTPS on loopback, the JDK HttpClient. */
class AdminApiIT {
    @TempDir
    Path dir;
    TestBackend one;
    TestBackend two;
    RunningAppliance app;

    @BeforeEach
    void start() throws Exception {
        one = new TestBackend("one");
        two = new TestBackend("two");
        app = new RunningAppliance(dir, "admin:\n  listen: 127.0.0.1:0\n  keepVersions: 3\n"
                + "virtualServers:\n"
                + "  web:\n"
                + "    vip: 127.0.0.1:" + RunningAppliance.freePort() + "/tcp\n"
                + "    forwardingMethod: proxy\n"
                + "    scheduler: rr\n"
                + "    realServers:\n"
                + "      one: {address: 127.0.0.1, port: " + one.port() + "}\n");
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        one.close();
        two.close();
    }

    @Test
    void everyRouteNeedsCredentialsAndThereAreNoDefaultOnes() throws Exception {
        assertThat(app.client.get("/api/v1/status").statusCode()).isEqualTo(401);
        assertThat(app.client.get("/api/v1/status").headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(app.client.basic("admin", "admin").get("/api/v1/status").statusCode()).isEqualTo(401);
        assertThat(app.client.basic("admin", "").get("/api/v1/configuration").statusCode()).isEqualTo(401);
        assertThat(app.client.bearer(app.setupToken()).get("/api/v1/status").statusCode()).isEqualTo(401);
        assertThat(app.client.get("/metrics").statusCode()).isEqualTo(401);
        app.client.authorization = null;
        assertThat(app.client.send("POST", "/api/v1/setup", "{\"password\":\"" + RunningAppliance.PASSWORD + "\"}")
                .statusCode()).isEqualTo(401);
        ApiClient admin = app.admin();
        assertThat(admin.get("/api/v1/status").statusCode()).isEqualTo(200);
        assertThat(admin.basic("admin", "wrong password!").get("/api/v1/status").statusCode()).isEqualTo(401);
        // The setup token is spent.
        assertThat(admin.bearer(app.setupToken()).send("POST", "/api/v1/setup", "{\"password\":\"another one 123\"}")
                .statusCode()).isEqualTo(409);
        // The hash, never the password, is stored.
        String stored = Files.readString(app.appliance.stateDirectory().resolve("credentials.properties"));
        assertThat(stored).contains("pbkdf2-sha256").doesNotContain(RunningAppliance.PASSWORD);
    }

    @Test
    void apiTokensAuthenticateAutomationButCannotMintTokens() throws Exception {
        ApiClient admin = app.admin();
        HttpResponse<String> created = admin.send("POST", "/api/v1/tokens", "{\"name\": \"ci\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String token = JsonReaderTestSupport.string(created.body(), "token");
        ApiClient ci = app.client.bearer(token);
        assertThat(ci.get("/api/v1/virtual-servers").statusCode()).isEqualTo(200);
        assertThat(ci.send("POST", "/api/v1/tokens", "{\"name\": \"more\"}").statusCode()).isEqualTo(403);
        app.client.basic("admin", RunningAppliance.PASSWORD);
        assertThat(app.client.send("DELETE", "/api/v1/tokens/ci", null).statusCode()).isEqualTo(204);
        assertThat(app.client.bearer(token).get("/api/v1/virtual-servers").statusCode()).isEqualTo(401);
    }

    @Test
    void badJsonIsRejectedWithLineAndColumn() throws Exception {
        ApiClient admin = app.admin();
        HttpResponse<String> r = admin.send("PUT", "/api/v1/virtual-servers/api", "{\n  \"vip\": \"127.0.0.1:0/tcp\",\n}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("request body:3:1: not valid JSON");
        r = admin.send("PUT", "/api/v1/virtual-servers/api", "{\"vip\": 'x'}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not valid JSON");
        r = admin.send("PUT", "/api/v1/virtual-servers/api", "{\"vip\": \"127.0.0.1:0/tcp\"}", "Content-Type",
                "text/plain");
        assertThat(r.statusCode()).isEqualTo(415);
    }

    @Test
    void invalidConfigurationIsRejectedWithTheFieldAndLbApiMessageAndChangesNothing() throws Exception {
        ApiClient admin = app.admin();
        String before = Files.readString(app.file);
        HttpResponse<String> r = admin.send("PUT", "/api/v1/virtual-servers/web/real-servers/two",
                "{\"address\": \"127.0.0.1\",\n \"port\": 70000}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\": \"port\"").contains("\"line\": 2")
                .contains("real server 'two': port must be 0..65535 but was 70000");
        r = admin.send("PUT", "/api/v1/virtual-servers/dr", "{\"vip\": \"10.0.0.1:80/tcp\", \"forwardingMethod\": "
                + "\"dr\", \"realServers\": {\"a\": {\"address\": \"10.0.0.2\", \"port\": 8080}}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\": \"realServers.a.port\"").contains("virtual server 'dr'");
        r = admin.send("PUT", "/api/v1/virtual-servers/web", "{\"vip\": \"127.0.0.1:0/tcp\", \"shceduler\": \"rr\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("unknown key 'shceduler'");
        assertThat(Files.readString(app.file)).isEqualTo(before);
        assertThat(app.appliance.version()).isEqualTo(1);
    }

    @Test
    void createsARealServerThatServesTrafficAndIsPersistedAndAudited() throws Exception {
        ApiClient admin = app.admin();
        HttpResponse<String> r = admin.send("PUT", "/api/v1/virtual-servers/web/real-servers/two",
                "{\"address\": \"127.0.0.1\", \"port\": " + two.port() + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(r.body()).contains("\"addedRealServers\": [\n").contains("\"two\"");
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(RunningAppliance.fetch("127.0.0.1", app.vipPort("web")));
        }
        assertThat(seen).containsExactly("one", "two");
        ApplianceConfig persisted = ConfigFiles.load(app.file);
        assertThat(persisted.configuration()).isEqualTo(app.appliance.current().configuration());
        assertThat(persisted.configuration().virtualServer("web").orElseThrow().realServer("two")).isPresent();
        assertThat(Files.readString(app.appliance.stateDirectory().resolve("audit.log")))
                .contains("who=admin via=rest action=\"create real server web/two\"");
        assertThat(app.appliance.store().versions()).hasSize(1);
    }

    @Test
    void dryRunReturnsTheDiffAndChangesNothing() throws Exception {
        ApiClient admin = app.admin();
        HttpResponse<String> r = admin.send("PUT", "/api/v1/configuration?dryRun=true",
                "{\"virtualServers\": {\"api\": {\"vip\": \"127.0.0.2:" + RunningAppliance.freePort() + "/tcp\", \"forwardingMethod\": \"proxy\"}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"dryRun\": true").contains("\"applied\": false")
                .contains("\"added\": [\n      \"api\"").contains("\"removed\": [\n      \"web\"");
        assertThat(app.appliance.current().configuration().virtualServer("api")).isEmpty();
        assertThat(app.appliance.version()).isEqualTo(1);
    }

    @Test
    void concurrentEditsAreSerialisedAndAStaleVersionIsRefused() throws Exception {
        ApiClient admin = app.admin();
        HttpResponse<String> got = admin.get("/api/v1/configuration");
        String etag = got.headers().firstValue("ETag").orElseThrow();
        String vip = app.appliance.current().configuration().virtualServer("web").orElseThrow().vip().toString();
        String body = "{\"virtualServers\": {\"web\": {\"vip\": \"" + vip + "\", \"forwardingMethod\": \"proxy\", "
                + "\"realServers\": {\"one\": {\"address\": \"127.0.0.1\", \"port\": " + one.port() + ", \"weight\": %d}}}}}";
        assertThat(admin.send("PUT", "/api/v1/configuration", String.format(body, 3)).statusCode()).isEqualTo(428);
        assertThat(admin.send("PUT", "/api/v1/configuration", String.format(body, 3), "If-Match", etag).statusCode())
                .isEqualTo(200);
        HttpResponse<String> stale = admin.send("PUT", "/api/v1/configuration", String.format(body, 4), "If-Match",
                etag);
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(stale.body()).contains("changed meanwhile");
        assertThat(app.appliance.current().configuration().virtualServer("web").orElseThrow().realServer("one")
                .orElseThrow().weight()).isEqualTo(3);

        // Many clients adding real servers at once: every edit lands, none is lost.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                Callable<Integer> c = () -> admin.send("PUT", "/api/v1/virtual-servers/web/real-servers/extra" + n,
                        "{\"address\": \"127.0.0." + (10 + n) + "\", \"port\": 9}").statusCode();
                results.add(pool.submit(c));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(app.appliance.current().configuration().virtualServer("web").orElseThrow().realServers())
                .hasSize(13);
        assertThat(app.appliance.version()).isEqualTo(14);
        assertThat(ConfigFiles.load(app.file).configuration()).isEqualTo(app.appliance.current().configuration());
    }

    @Test
    void offlineDrainAndOnlineChangeTheRequestedStatusAndPersistIt() throws Exception {
        ApiClient admin = app.admin();
        assertThat(admin.send("POST", "/api/v1/virtual-servers/web/real-servers/one/drain", null).statusCode())
                .isEqualTo(200);
        assertThat(admin.get("/api/v1/status").body()).contains("\"requested\": \"drain\"");
        assertThat(Files.readString(app.file)).contains("status: drain");
        assertThat(admin.send("POST", "/api/v1/virtual-servers/web/real-servers/one/offline", null).statusCode())
                .isEqualTo(200);
        assertThat(admin.get("/api/v1/status").body()).contains("\"requested\": \"offline\"");
        assertThat(admin.send("POST", "/api/v1/virtual-servers/web/real-servers/one/online", null).statusCode())
                .isEqualTo(200);
        assertThat(Files.readString(app.file)).doesNotContain("status:");
        assertThat(RunningAppliance.fetch("127.0.0.1", app.vipPort("web"))).isEqualTo("one");
        assertThat(admin.send("POST", "/api/v1/virtual-servers/web/real-servers/nope/drain", null).statusCode())
                .isEqualTo(404);
        assertThat(admin.get("/api/v1/virtual-servers/web/real-servers/one/health").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAreServedInPrometheusTextWithPerVipAndRipConnections() throws Exception {
        ApiClient admin = app.admin();
        RunningAppliance.fetch("127.0.0.1", app.vipPort("web"));
        HttpResponse<String> r = admin.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("# TYPE lbkit_rip_active_connections gauge")
                .contains("lbkit_rip_active_connections{vip=\"web\",rip=\"one\"")
                .contains("lbkit_vip_connections_total{vip=\"web\"");
        for (String line : r.body().split("\n")) {
            assertThat(line).matches("# (HELP|TYPE) .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? -?[0-9.eE+-]+|"
                    + "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? (NaN|[+-]Inf)");
        }
        assertThat(java.lang.management.ManagementFactory.getPlatformMBeanServer()
                .queryNames(new javax.management.ObjectName("lbkit:*"), null)).isNotEmpty();
    }

    @Test
    void everyRouteIsInTheOpenApiDocumentAndEveryDocumentedRouteExists() throws Exception {
        HttpResponse<String> r = app.client.get("/api/v1/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        Node doc = JsonReader.read("openapi.json", r.body());
        Set<String> documented = new TreeSet<>();
        Node.MapNode paths = (Node.MapNode) ((Node.MapNode) doc).entries().get("paths");
        for (var p : paths.entries().entrySet()) {
            for (String method : ((Node.MapNode) p.getValue()).entries().keySet()) {
                if (!method.equals("parameters")) {
                    documented.add(method.toUpperCase() + " " + p.getKey());
                }
            }
        }
        Set<String> implemented = new TreeSet<>();
        for (AdminServer.Route route : adminServer().routes()) {
            implemented.add(route.method() + " " + route.template());
        }
        assertThat(implemented).isEqualTo(documented);
        // The repository's copy is the served one.
        assertThat(r.body()).isEqualTo(OpenApi.document());
    }

    @Test
    void reloadThroughTheApiAppliesTheEditedFile() throws Exception {
        ApiClient admin = app.admin();
        String text = Files.readString(app.file).replace("    realServers:\n", "    realServers:\n"
                + "      two: {address: 127.0.0.1, port: " + two.port() + "}\n");
        Files.writeString(app.file, text);
        HttpResponse<String> r = admin.send("POST", "/api/v1/reload", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"two\"");
        Files.writeString(app.file, text.replace("port: " + two.port(), "port: 99999"));
        r = admin.send("POST", "/api/v1/reload", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("lbkit.yaml:").contains("port must be 0..65535");
    }

    private AdminServer adminServer() throws Exception {
        var f = Appliance.class.getDeclaredField("admin");
        f.setAccessible(true);
        return (AdminServer) f.get(app.appliance);
    }
}
