package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.ipvs.Ipvs;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.ipvs.IpvsUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-VIP dataplane options of the file reach the running dataplanes: HTTP limits and error pages answer real
 * HTTP requests, a reload changes them, and IPVS sysctls on a kernel without IPVS give a clear refusal.
 */
class DataplaneOptionsIT {
    private static final String LONG_HEADER = "x".repeat(1500);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, boolean longHeader) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(10));
        if (longHeader) {
            r.header("X-Long", LONG_HEADER);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String file(int port, int backend, int maxHeaderSection, String sorry, String status) {
        return "admin:\n  listen: off\nvirtualServers:\n"
                + "  web:\n    vip: 127.0.0.1:" + port + "/tcp\n    forwardingMethod: http\n"
                + "    proxy:\n      http:\n"
                + "        limits: {maxHeaderSectionLength: " + maxHeaderSection + "}\n"
                + "        errorPages:\n"
                + "          503: {contentType: text/plain, body: \"" + sorry + "\"}\n"
                + "          431: {file: pages/431.html}\n"
                + "    realServers:\n      a: {address: 127.0.0.1, port: " + backend + ", status: " + status + "}\n";
    }

    @Test
    void httpLimitsAndErrorPagesFromTheFileAnswerClientsAndAReloadChangesThem() throws Exception {
        try (TestBackend a = new TestBackend("a")) {
            int port = RunningAppliance.freePort();
            Path cfg = dir.resolve("lbkit.yaml");
            Files.createDirectories(dir.resolve("pages"));
            Files.writeString(dir.resolve("pages/431.html"), "<h1>headers too large (v1)</h1>\n");
            Files.writeString(cfg, file(port, a.port(), 600, "sorry v1", "online"));
            try (Appliance app = new Appliance(cfg, ConfigFiles.load(cfg), new PrintStream(
                    new ByteArrayOutputStream(), true))) {
                HttpResponse<String> ok = get(port, false);
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("a");

                HttpResponse<String> tooLarge = get(port, true);
                assertThat(tooLarge.statusCode()).isEqualTo(431);
                assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
                assertThat(tooLarge.body()).isEqualTo("<h1>headers too large (v1)</h1>\n");

                // the operator takes the only server offline by editing the file: the custom 503 answers
                Files.writeString(cfg, file(port, a.port(), 600, "sorry v1", "offline"));
                app.reload("test", "test");
                HttpResponse<String> down = get(port, false);
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.headers().firstValue("Content-Type")).hasValue("text/plain");
                assertThat(down.body()).isEqualTo("sorry v1");

                // a reload raises the limit, replaces the 503 page and re-reads the 431 page's file
                Files.writeString(dir.resolve("pages/431.html"), "<h1>headers too large (v2)</h1>\n");
                Files.writeString(cfg, file(port, a.port(), 4096, "sorry v2", "offline"));
                long before = app.version();
                app.reload("test", "test");
                assertThat(app.version()).isEqualTo(before + 1);
                HttpResponse<String> longNowAllowed = get(port, true);
                assertThat(longNowAllowed.statusCode()).isEqualTo(503);
                assertThat(longNowAllowed.body()).isEqualTo("sorry v2");
                assertThat(new String(app.current().proxyOptions().get("web").http().errorPage(431).body(),
                        java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("<h1>headers too large (v2)</h1>\n");

                // and back online with a limit lower than the request: 431 with the new page
                Files.writeString(cfg, file(port, a.port(), 600, "sorry v2", "online"));
                app.reload("test", "test");
                HttpResponse<String> tooLargeAgain = get(port, true);
                assertThat(tooLargeAgain.statusCode()).isEqualTo(431);
                assertThat(tooLargeAgain.body()).isEqualTo("<h1>headers too large (v2)</h1>\n");
                assertThat(get(port, false).body()).isEqualTo("a");

                // a missing page file refuses the reload by field and keeps what runs
                Files.delete(dir.resolve("pages/431.html"));
                assertThatThrownBy(() -> app.reload("test", "test")).isInstanceOf(ConfigException.class)
                        .hasMessageContaining("virtualServers.web.proxy.http.errorPages.431.file: cannot read error "
                                + "page file");
                assertThat(get(port, true).body()).isEqualTo("<h1>headers too large (v2)</h1>\n");
            }
        }
    }

    @Test
    void restApiSetsErrorPagesLimitsAndCookieValuesAndWritesThemToTheFile() throws Exception {
        try (TestBackend a = new TestBackend("a")) {
            int port = RunningAppliance.freePort();
            try (RunningAppliance app = new RunningAppliance(dir, "admin:\n  listen: 127.0.0.1:0\n"
                    + "virtualServers: {}\n")) {
                ApiClient admin = app.admin();
                String vs = "{\"vip\": \"127.0.0.1:" + port + "/tcp\", \"forwardingMethod\": \"http\", "
                        + "\"persistence\": {\"type\": \"cookie\", \"name\": \"SRV\"}, "
                        + "\"proxy\": {\"http\": {\"limits\": {\"maxHeaderSectionLength\": 600}, "
                        + "\"errorPages\": {\"431\": {\"contentType\": \"text/plain\", \"body\": \"too long\"}}, "
                        + "\"cookieValues\": {\"a\": \"srv-a\"}}}, "
                        + "\"realServers\": {\"a\": {\"address\": \"127.0.0.1\", \"port\": " + a.port() + "}}}";
                HttpResponse<String> put = admin.send("PUT", "/api/v1/virtual-servers/web", vs);
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

                HttpResponse<String> ok = get(port, false);
                assertThat(ok.body()).isEqualTo("a");
                assertThat(ok.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("SRV=srv-a"));
                HttpResponse<String> tooLarge = get(port, true);
                assertThat(tooLarge.statusCode()).isEqualTo(431);
                assertThat(tooLarge.body()).isEqualTo("too long");

                String shown = admin.get("/api/v1/virtual-servers/web").body();
                assertThat(shown).contains("\"maxHeaderSectionLength\": 600").contains("\"body\": \"too long\"")
                        .contains("\"cookieValues\": {\n        \"a\": \"srv-a\"");
                ApplianceConfig written = ConfigFiles.load(app.file);
                assertThat(written.proxyOptions()).isEqualTo(app.appliance.current().proxyOptions());

                HttpResponse<String> withFile = admin.send("PUT", "/api/v1/virtual-servers/web",
                        vs.replace("\"body\": \"too long\"", "\"file\": \"/etc/passwd\""));
                assertThat(withFile.statusCode()).isEqualTo(400);
                assertThat(withFile.body()).contains("\"field\": \"proxy.http.errorPages.431.file\"")
                        .doesNotContain("root:");
            }
        }
    }

    private static boolean ipvsUnavailable() {
        try (Ipvs ipvs = Ipvs.open()) {
            return false;
        } catch (IpvsUnavailableException e) {
            return true;
        }
    }

    @Test
    void ipvsSysctlsWaitForAKernelVirtualServerAndWithoutIpvsTheChangeIsRefusedByName() throws Exception {
        assumeTrue(ipvsUnavailable(), "this kernel has IPVS: the sysctls would really be set on this host");
        try (TestBackend a = new TestBackend("a")) {
            int port = RunningAppliance.freePort();
            Path cfg = dir.resolve("lbkit.yaml");
            String base = "admin:\n  listen: off\ndataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1}\n"
                    + "virtualServers:\n  web:\n    vip: 127.0.0.1:" + port + "/tcp\n    forwardingMethod: proxy\n"
                    + "    realServers:\n      a: {address: 127.0.0.1, port: " + a.port() + "}\n";
            Files.writeString(cfg, base);
            try (Appliance app = new Appliance(cfg, ConfigFiles.load(cfg), new PrintStream(
                    new ByteArrayOutputStream(), true))) {
                // no kernel virtual server yet: nothing touched the kernel, the proxy VIP serves
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("a");
                assertThat(app.current().runtime().ipvsSysctls()).isEqualTo(Map.of(IpvsSysctl.EXPIRE_NODEST_CONN, 1));

                Files.writeString(cfg, base + "  dr:\n    vip: 127.0.0.2:80/tcp\n    forwardingMethod: dr\n"
                        + "    scheduler: sh\n    ipvs: {schedulerFallback: true}\n"
                        + "    realServers:\n      r1: {address: 127.0.0.3}\n");
                assertThatThrownBy(() -> app.reload("test", "test"))
                        .hasMessageContaining("dataplanes.ipvs.sysctls: cannot set the IPVS sysctls")
                        .hasMessageContaining("IPVS is not available in this kernel");
                assertThat(app.current().configuration().virtualServer("dr")).isEmpty();
                assertThat(app.current().ipvsOptions()).isEmpty();
                assertThat(app.version()).isEqualTo(1);
                assertThat(RunningAppliance.fetch("127.0.0.1", port)).isEqualTo("a");
            }
        }
    }
}
