package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.ipvs.TunnelType;
import dev.lbkit.proxy.HttpOptions;
import dev.lbkit.proxy.http.HttpLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-VIP dataplane options of the file: {@code ipvs:}, {@code dataplanes.ipvs.sysctls}, HTTP extras. */
class DataplaneOptionsConfigTest {
    static final String IPVS = String.join("\n",
            "dataplanes:",
            "  ipvs:",
            "    sysctls: {expire_nodest_conn: 1, expire_quiescent_template: 1, conntrack: 0}",
            "virtualServers:",
            "  dr:",
            "    vip: 10.0.0.1:80/tcp",
            "    forwardingMethod: tunnel",
            "    scheduler: mh",
            "    ipvs:",
            "      schedulerFallback: true",
            "      schedulerPort: true",
            "      tunnelType: gue",
            "      tunnelPort: 6080",
            "      tunnelChecksum: true",
            "      realServerTunnels:",
            "        r2: {type: gre, checksum: true}",
            "        r3: {type: gue, port: 5555, remoteChecksum: true}",
            "    realServers:",
            "      r1: {address: 10.0.0.2}",
            "      r2: {address: 10.0.0.3}",
            "      r3: {address: 10.0.0.4}",
            "  sip:",
            "    vip: 10.0.0.1:5060/udp",
            "    forwardingMethod: dr",
            "    persistence: {type: sourceIp, timeout: 60s}",
            "    ipvs: {onePacket: true, persistenceEngine: sip}",
            "    realServers:",
            "      s1: {address: 10.0.0.5}",
            "");

    static final String HTTP = String.join("\n",
            "virtualServers:",
            "  web:",
            "    vip: 127.0.0.1:18080/tcp",
            "    forwardingMethod: http",
            "    persistence: {type: cookie, name: SRV}",
            "    proxy:",
            "      http:",
            "        limits:",
            "          maxRequestLineLength: 4096",
            "          maxHeaderSectionLength: 2048",
            "          maxHeaderCount: 20",
            "          maxChunkLineLength: 256",
            "          rejectUnknownMethods: true",
            "          requireLength: true",
            "        errorPages:",
            "          503: {contentType: text/plain, body: \"sorry, try later\\n\"}",
            "          431: {body: <h1>too big</h1>}",
            "        cookieValues: {a1: alpha, a2: beta}",
            "    realServers:",
            "      a1: {address: 127.0.0.1, port: 9001}",
            "      a2: {address: 127.0.0.1, port: 9002}",
            "");

    @TempDir
    Path dir;

    private static ApplianceConfig parse(String text) throws ConfigException {
        return ConfigFiles.parse(Path.of("lbkit.yaml"), text);
    }

    private static void roundTrips(ApplianceConfig c) throws Exception {
        assertThat(ConfigFiles.parse(Path.of("lbkit.yaml"), ConfigEncoder.yaml(c))).isEqualTo(c);
        String json = JsonWriter.write(ConfigEncoder.file(c));
        assertThat(ConfigDecoder.file(JsonReader.read("body", json), Path.of("lbkit.yaml"))).isEqualTo(c);
    }

    @Test
    void ipvsKeyDecodesToTheSameIpvsOptionsAsTheBuilder() throws Exception {
        ApplianceConfig c = parse(IPVS);
        assertThat(c.ipvsOptions().get("dr")).isEqualTo(IpvsOptions.builder().schedulerFallback(true)
                .schedulerPort(true).tunnelType(TunnelType.GUE).tunnelPort(6080).tunnelChecksum(true)
                .realServerTunnel("r2", new IpvsOptions.Tunnel(TunnelType.GRE, 0, true, false))
                .realServerTunnel("r3", new IpvsOptions.Tunnel(TunnelType.GUE, 5555, false, true)).build());
        assertThat(c.ipvsOptions().get("sip")).isEqualTo(IpvsOptions.builder().onePacket(true)
                .persistenceEngine("sip").build());
        assertThat(c.runtime().ipvsSysctls()).isEqualTo(Map.of(IpvsSysctl.EXPIRE_NODEST_CONN, 1,
                IpvsSysctl.EXPIRE_QUIESCENT_TEMPLATE, 1, IpvsSysctl.CONNTRACK, 0));
        roundTrips(c);
    }

    @Test
    void ipvsOptionsAndSysctlsAreWrittenBackUnderTheirKeys() throws Exception {
        Map<String, Object> file = ConfigEncoder.file(parse(IPVS));
        assertThat(file.get("dataplanes").toString()).isEqualTo(
                "{ipvs={sysctls={expire_nodest_conn=1, expire_quiescent_template=1, conntrack=0}}}");
        @SuppressWarnings("unchecked")
        Map<String, Object> dr = (Map<String, Object>) ((Map<String, Object>) file.get("virtualServers")).get("dr");
        assertThat(dr.get("ipvs").toString()).isEqualTo("{schedulerFallback=true, schedulerPort=true, "
                + "tunnelType=gue, tunnelPort=6080, tunnelChecksum=true, realServerTunnels={r2={type=gre, "
                + "checksum=true}, r3={type=gue, port=5555, remoteChecksum=true}}}");
    }

    @Test
    void ipvsOptionErrorsNameTheField() {
        assertThatThrownBy(() -> parse(IPVS.replace("scheduler: mh", "scheduler: wlc")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("lbkit.yaml:10:26: virtualServers.dr.ipvs.schedulerFallback: needs scheduler sh or mh "
                        + "but the scheduler is wlc");
        assertThatThrownBy(() -> parse(IPVS.replace("      tunnelPort: 6080\n", "")))
                .hasMessage("lbkit.yaml:12:19: virtualServers.dr.ipvs.tunnelType: ipvs options: tunnelType GUE "
                        + "needs a tunnelPort (1..65535)");
        assertThatThrownBy(() -> parse(IPVS.replace("r2: {type: gre, checksum: true}",
                "r2: {type: ipip, checksum: true}")))
                .hasMessageStartingWith("lbkit.yaml:16:")
                .hasMessageContaining("virtualServers.dr.ipvs.realServerTunnels.r2.checksum: tunnelChecksum applies "
                        + "to GUE and GRE only");
        assertThatThrownBy(() -> parse(IPVS.replace("        r3: {", "        r9: {")))
                .hasMessageStartingWith("lbkit.yaml:17:13: virtualServers.dr.ipvs.realServerTunnels.r9: no real "
                        + "server 'r9' in virtual server 'dr' (its real servers: r1, r2, r3)");
        assertThatThrownBy(() -> parse(IPVS.replace("tunnelType: gue", "tunnelType: vxlan")))
                .hasMessageStartingWith("lbkit.yaml:12:19: virtualServers.dr.ipvs.tunnelType: must be one of ipip, "
                        + "gue, gre but was 'vxlan'");
        assertThatThrownBy(() -> parse(IPVS.replace("persistence: {type: sourceIp, timeout: 60s}",
                "scheduler: rr")))
                .hasMessageStartingWith("lbkit.yaml:26:")
                .hasMessageContaining("virtualServers.sip.ipvs.persistenceEngine: persistence engine sip needs "
                        + "persistence: {type: sourceIp}");
        assertThatThrownBy(() -> parse(IPVS.replace("persistenceEngine: sip", "persistenceEngine: h323")))
                .hasMessageContaining("virtualServers.sip.ipvs.persistenceEngine: must be sip or none but was 'h323'");
        assertThatThrownBy(() -> parse(IPVS.replace("onePacket: true", "onePackets: true")))
                .hasMessageContaining("virtualServers.sip.ipvs.onePackets: unknown key 'onePackets'");
        assertThatThrownBy(() -> parse(HTTP.replace("    proxy:\n", "    ipvs: {onePacket: true}\n    proxy:\n")))
                .hasMessageStartingWith("lbkit.yaml:6:11: virtualServers.web.ipvs: IPVS options apply to "
                        + "direct-routing, nat and tunnel virtual servers only, but this one is http");
    }

    @Test
    void sysctlErrorsNameTheSysctl() {
        assertThatThrownBy(() -> parse(IPVS.replace("conntrack: 0", "conntrack: 2")))
                .hasMessage("lbkit.yaml:3:79: dataplanes.ipvs.sysctls.conntrack: must be 0 or 1 "
                        + "(net.ipv4.vs.conntrack) but was '2'");
        assertThatThrownBy(() -> parse(IPVS.replace("conntrack: 0", "expire_nodest: 1")))
                .hasMessageContaining("dataplanes.ipvs.sysctls.expire_nodest: unknown key 'expire_nodest' (known "
                        + "keys here: expire_nodest_conn, expire_quiescent_template, conntrack)");
        assertThatThrownBy(() -> parse(IPVS.replace("dataplanes:\n  ipvs:\n",
                "dataplanes:\n  ipvs:\n    enabled: false\n")))
                .hasMessageContaining("dataplanes.ipvs.sysctls: IPVS sysctls need the IPVS dataplane, but enabled is "
                        + "false");
    }

    @Test
    void httpLimitsErrorPagesAndCookieValuesDecodeToTheSameHttpOptionsAsTheBuilder() throws Exception {
        ApplianceConfig c = parse(HTTP);
        HttpOptions expected = HttpOptions.builder().limits(HttpLimits.builder().maxRequestLineLength(4096)
                .maxHeaderSectionLength(2048).maxHeaderCount(20).maxChunkLineLength(256).rejectUnknownMethods(true)
                .requireLength(true).build())
                .errorPage(503, "text/plain", "sorry, try later\n")
                .errorPage(431, "text/html; charset=utf-8", "<h1>too big</h1>")
                .cookieValue("a1", "alpha").cookieValue("a2", "beta").build();
        assertThat(c.proxyOptions().get("web").http()).isEqualTo(expected);
        roundTrips(c);
    }

    @Test
    void anErrorPageFileIsReadRelativeToTheConfigurationFileAndWrittenBackInline() throws Exception {
        Files.createDirectories(dir.resolve("pages"));
        Files.writeString(dir.resolve("pages/503.html"), "<p>down for maintenance – back soon</p>\n");
        Path file = dir.resolve("lbkit.yaml");
        Files.writeString(file, HTTP.replace("503: {contentType: text/plain, body: \"sorry, try later\\n\"}",
                "503: {file: pages/503.html}"));
        ApplianceConfig c = ConfigFiles.load(file);
        HttpOptions.ErrorPage page = c.proxyOptions().get("web").http().errorPage(503);
        assertThat(page.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).isEqualTo(
                "<p>down for maintenance – back soon</p>\n");
        assertThat(ConfigEncoder.yaml(c)).contains("'503':").doesNotContain("pages/503.html");
        roundTrips(c);
    }

    @Test
    void errorPageErrorsNameTheFieldAndTheMissingFile() throws Exception {
        Path file = dir.resolve("lbkit.yaml");
        Files.writeString(file, HTTP.replace("503: {contentType: text/plain, body: \"sorry, try later\\n\"}",
                "503: {file: pages/missing.html}"));
        assertThatThrownBy(() -> ConfigFiles.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":16:23: virtualServers.web.proxy.http.errorPages.503.file: cannot read error "
                        + "page file " + dir.resolve("pages/missing.html") + ": no such file");
        assertThatThrownBy(() -> parse(HTTP.replace("503: {", "404: {")))
                .hasMessage("lbkit.yaml:16:16: virtualServers.web.proxy.http.errorPages.404: the status must be one "
                        + "the proxy answers itself (400 408 411 414 431 501 502 503 504 505) but was '404'");
        assertThatThrownBy(() -> parse(HTTP.replace("431: {body: <h1>too big</h1>}",
                "431: {body: x, file: y.html}")))
                .hasMessageContaining("virtualServers.web.proxy.http.errorPages.431: an error page has either body");
        assertThatThrownBy(() -> parse(HTTP.replace("contentType: text/plain", "contentType: \"text/\\u00e9\"")))
                .hasMessageContaining("virtualServers.web.proxy.http.errorPages.503.contentType: errorPage 503: "
                        + "contentType must be visible ASCII");
        String json = "{\"virtualServers\":{\"web\":{\"vip\":\"127.0.0.1:1/tcp\",\"forwardingMethod\":\"http\","
                + "\"proxy\":{\"http\":{\"errorPages\":{\"503\":{\"file\":\"/etc/passwd\"}}}}}}}";
        assertThatThrownBy(() -> ConfigDecoder.file(JsonReader.read("request body", json), Path.of("lbkit.yaml")))
                .hasMessageContaining("virtualServers.web.proxy.http.errorPages.503.file: an error page file is read "
                        + "relative to the configuration file; a REST request gives the page inline with body");
    }

    @Test
    void httpLimitAndCookieValueErrorsNameTheField() {
        assertThatThrownBy(() -> parse(HTTP.replace("maxHeaderCount: 20", "maxHeaderCount: 0")))
                .hasMessage("lbkit.yaml:11:27: virtualServers.web.proxy.http.limits.maxHeaderCount: maxHeaderCount "
                        + "must be 1..10000 but was 0");
        assertThatThrownBy(() -> parse(HTTP.replace("requireLength: true", "requireLength: maybe")))
                .hasMessageContaining("virtualServers.web.proxy.http.limits.requireLength: must be true or false");
        assertThatThrownBy(() -> parse(HTTP.replace("maxChunkLineLength", "maxChunkLength")))
                .hasMessageContaining("virtualServers.web.proxy.http.limits.maxChunkLength: unknown key");
        assertThatThrownBy(() -> parse(HTTP.replace("a2: beta", "a2: \"be;ta\"")))
                .hasMessageStartingWith("lbkit.yaml:18:39: virtualServers.web.proxy.http.cookieValues.a2: "
                        + "cookieValue for 'a2' must be 1..64 cookie-octets without '~' but was 'be;ta'");
        assertThatThrownBy(() -> parse(HTTP.replace("a2: beta", "a9: beta")))
                .hasMessageStartingWith("lbkit.yaml:18:39: virtualServers.web.proxy.http.cookieValues.a9: no real "
                        + "server 'a9' in virtual server 'web' (its real servers: a1, a2)");
    }

    @Test
    void restEditsKeepTheIpvsOptionsOfRemainingVirtualServersAndDropThoseOfRemovedOnes() throws Exception {
        ApplianceConfig c = parse(IPVS);
        IpvsOptions dr = c.ipvsOptions().get("dr");
        ApplianceConfig edited = c.withServers(c.configuration().with(c.configuration().virtualServer("dr")
                .orElseThrow().withoutRealServer("r1")), c.proxyOptions());
        assertThat(edited.ipvsOptions()).containsEntry("dr", dr).containsKey("sip");
        ApplianceConfig removed = c.withServers(c.configuration().without("sip"), c.proxyOptions());
        assertThat(removed.ipvsOptions()).containsOnlyKeys("dr");
        assertThat(removed.runtime().ipvsSysctls()).isEqualTo(c.runtime().ipvsSysctls());
    }

    @Test
    void ipvsOptionsFitOnlyVirtualServersTheKernelAcceptsThemWith() throws Exception {
        ApplianceConfig c = parse(IPVS);
        dev.lbkit.api.VirtualServer dr = c.configuration().virtualServer("dr").orElseThrow();
        dev.lbkit.api.VirtualServer sip = c.configuration().virtualServer("sip").orElseThrow();
        IpvsOptions hashFlags = c.ipvsOptions().get("dr");
        IpvsOptions sipEngine = c.ipvsOptions().get("sip");
        assertThat(Appliance.fits(dr, hashFlags)).isTrue();
        assertThat(Appliance.fits(dr.toBuilder().scheduler(dev.lbkit.api.Scheduler.WLC).build(), hashFlags))
                .isFalse();
        assertThat(Appliance.fits(dr.toBuilder().scheduler(dev.lbkit.api.Scheduler.WLC).build(), null)).isTrue();
        assertThat(Appliance.fits(sip, sipEngine)).isTrue();
        assertThat(Appliance.fits(sip.toBuilder().persistence(dev.lbkit.api.PersistencePolicy.none()).build(),
                sipEngine)).isFalse();
        assertThat(Appliance.fits(sip, IpvsOptions.defaults())).isTrue();
    }
}
