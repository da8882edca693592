package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.proxy.ProxyOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigFilesTest {
    static final String FULL = String.join("\n",
            "admin:",
            "  listen: 127.0.0.1:0",
            "  keepVersions: 3",
            "dataplanes:",
            "  proxy:",
            "    ioThreads: 2",
            "health:",
            "  historySize: 20",
            "virtualServers:",
            "  web:",
            "    vip: 127.0.0.1:18080/tcp",
            "    forwardingMethod: http",
            "    scheduler: rr",
            "    persistence:",
            "      type: cookie",
            "      mode: insert",
            "      name: SRV",
            "      path: /",
            "      sameSite: lax",
            "    healthCheck:",
            "      type: http",
            "      path: /health",
            "      expectStatus: [200, 300-302]",
            "      interval: 2s",
            "      timeout: 500ms",
            "      rise: 2",
            "      fall: 2",
            "    idleTimeout: 60s",
            "    routes:",
            "      - {pool: api, host: '*.example.com', pathPrefix: /api/}",
            "      - {pool: api, pathRegex: '^/v[0-9]+/'}",
            "    proxy:",
            "      http:",
            "        keepAliveTimeout: 10s",
            "        xForwarded: replace",
            "        requestHeaders: [{set: X-Via, value: lbkit}, {remove: X-Debug}]",
            "        accessLog: true",
            "    realServers:",
            "      app1:",
            "        address: 127.0.0.1",
            "        port: 9001",
            "      app2:",
            "        address: 127.0.0.1",
            "        port: 9002",
            "        weight: 2",
            "        status: drain",
            "  api:",
            "    pool: true",
            "    scheduler: wrr",
            "    realServers:",
            "      api1: {address: 127.0.0.1, port: 9101}",
            "  tcp:",
            "    vip: 127.0.0.1:18081/tcp",
            "    forwardingMethod: proxy",
            "    persistence: {type: sourceIp, timeout: 5m, ipv4PrefixLength: 24}",
            "    healthCheck: {type: sendExpect, steps: [{send: \"PING\\r\\n\"}, {expect: \"^PONG\"}]}",
            "    fallback: {label: sorry, address: 127.0.0.1, port: 9009}",
            "    proxy:",
            "      queueSize: 10",
            "      sendProxyProtocol: v2",
            "      acceptProxyProtocolFrom: [127.0.0.0/8]",
            "    realServers:",
            "      app1: {address: 127.0.0.1, port: 9001, maxConnections: 100}",
            "");

    @Test
    void readsEveryPartOfTheFileIntoTheModel() throws Exception {
        ApplianceConfig c = ConfigFiles.parse(Path.of("lbkit.yaml"), FULL);
        VirtualServer web = c.configuration().virtualServer("web").orElseThrow();
        assertThat(web.forwardingMethod()).isEqualTo(ForwardingMethod.HTTP);
        assertThat(web.scheduler()).isEqualTo(Scheduler.RR);
        CookiePersistence cookie = (CookiePersistence) web.persistence();
        assertThat(cookie.name()).isEqualTo("SRV");
        assertThat(cookie.sameSite()).contains(CookiePersistence.SameSite.LAX);
        HealthCheck.Http http = (HealthCheck.Http) web.healthCheck();
        assertThat(http.path()).isEqualTo("/health");
        assertThat(http.expectedStatus()).hasSize(2);
        assertThat(http.settings().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(web.realServer("app2").orElseThrow().requestedStatus()).isEqualTo(RequestedStatus.DRAIN);
        VirtualServer tcp = c.configuration().virtualServer("tcp").orElseThrow();
        assertThat(((SourceIpPersistence) tcp.persistence()).ipv4PrefixLength()).isEqualTo(24);
        assertThat(tcp.fallback().orElseThrow().label()).isEqualTo("sorry");
        assertThat(c.proxyOptions().get("tcp").queueSize()).isEqualTo(10);
        assertThat(c.proxyOptions().get("tcp").sendProxyProtocol()).isEqualTo(ProxyOptions.ProxyProtocol.V2);
        assertThat(web.routes()).hasSize(2);
        assertThat(web.routes().get(0).pool()).isEqualTo("api");
        assertThat(c.configuration().virtualServer("api").orElseThrow().isPool()).isTrue();
        assertThat(c.proxyOptions().get("web").http().keepAliveTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.proxyOptions().get("web").http().requestHeaderRules()).hasSize(2);
        assertThat(c.runtime().proxyIoThreads()).isEqualTo(2);
        assertThat(c.admin().listenPort()).isZero();
        assertThat(c.admin().keepVersions()).isEqualTo(3);
    }

    @Test
    void writtenFileReadsBackToTheSameConfiguration() throws Exception {
        ApplianceConfig c = ConfigFiles.parse(Path.of("lbkit.yaml"), FULL);
        String yaml = ConfigEncoder.yaml(c);
        assertThat(ConfigFiles.parse(Path.of("lbkit.yaml"), yaml)).isEqualTo(c);
        String json = JsonWriter.write(ConfigEncoder.file(c));
        assertThat(ConfigDecoder.file(JsonReader.read("body", json), Path.of("lbkit.yaml"))).isEqualTo(c);
    }

    @Test
    void invalidValueIsReportedWithLbApiMessageFileLineAndField() {
        String text = FULL.replace("        port: 9002", "        port: 70000");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("lbkit.yaml"), text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("lbkit.yaml:44:15: virtualServers.web.realServers.app2.port: ")
                .hasMessageContaining("real server 'app2': port must be 0..65535 but was 70000");
    }

    @Test
    void crossFieldRuleNamesTheRealServerLine() {
        String text = "virtualServers:\n  dr:\n    vip: 10.0.0.1:80/tcp\n    forwardingMethod: dr\n"
                + "    realServers:\n      web1:\n        address: 10.0.0.2\n        port: 8080\n";
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("c.yaml"), text))
                .hasMessageStartingWith("c.yaml:8:15: virtualServers.dr.realServers.web1.port: ")
                .hasMessageContaining("web1");
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKnownOnes() {
        String text = FULL.replace("    idleTimeout: 60s", "    idelTimeout: 60s");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("lbkit.yaml"), text))
                .hasMessageStartingWith("lbkit.yaml:28:18: virtualServers.web.idelTimeout: unknown key 'idelTimeout'")
                .hasMessageContaining("idleTimeout");
    }

    @Test
    void yamlSyntaxErrorGivesTheLine() {
        String text = "virtualServers:\n  web:\n    vip: [127.0.0.1\n    scheduler: rr\n";
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("x.yaml:")
                .hasMessageContaining("not valid YAML");
        assertThat(lineOf(() -> ConfigFiles.parse(Path.of("x.yaml"), text))).isGreaterThanOrEqualTo(3);
    }

    @Test
    void duplicateKeyIsRejected() {
        String text = "virtualServers:\n  web:\n    vip: 127.0.0.1:1/tcp\n  web:\n    vip: 127.0.0.1:2/tcp\n";
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), text)).hasMessageContaining("x.yaml:4:")
                .hasMessageContaining("duplicate");
    }

    @Test
    void badDurationAndBadEnumNameTheField() {
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"),
                "virtualServers:\n  w:\n    vip: 127.0.0.1:1/tcp\n    idleTimeout: soon\n"))
                .hasMessage("x.yaml:4:18: virtualServers.w.idleTimeout: must be a duration such as 250ms, 5s, 2m or "
                        + "1h but was 'soon'");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"),
                "virtualServers:\n  w:\n    vip: 127.0.0.1:1/tcp\n    forwardingMethod: teleport\n"))
                .hasMessageStartingWith("x.yaml:4:23: virtualServers.w.forwardingMethod: must be one of "
                        + "direct-routing, nat, tunnel, proxy, http but was 'teleport'");
    }

    @Test
    void tlsSectionSaysItIsNotYetAvailable() {
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), "tls:\n  certificate: /etc/x.pem\n"))
                .hasMessageContaining("x.yaml:2:").hasMessageContaining("not yet available");
    }

    private static final String HA = "ha:\n"
            + "  instances:\n"
            + "    vi_ext:\n"
            + "      interface: eth0\n"
            + "      vrid: 51\n"
            + "      priority: 150\n"
            + "      advertInterval: 300ms\n"
            + "      virtualAddresses: [192.0.2.10/24, 192.0.2.11/24]\n"
            + "      unicastSource: 10.1.0.1\n"
            + "      unicastPeers: [10.1.0.2]\n"
            + "      checksumMode: no-pseudo-header\n"
            + "      garpCount: 3\n"
            + "      garpRefreshDelay: 0s\n"
            + "      trackInterfaces: {eth2: 0, eth3: 20}\n"
            + "      label: eth0:vip\n"
            + "      notifyCommand: [/usr/local/bin/ha-notify, --quiet]\n"
            + "    vi_int:\n"
            + "      interface: eth1\n"
            + "      vrid: 52\n"
            + "      preempt: false\n"
            + "      virtualAddresses: ['2001:db8::1/64']\n"
            + "  syncGroups:\n"
            + "    vg: [vi_ext, vi_int]\n"
            + "  ipvsSync: {instance: vi_ext, interface: eth1, syncId: 5}\n";

    @Test
    void haSectionDecodesIntoVrrpInstancesAndWritesBackTheSame() throws Exception {
        ApplianceConfig c = ConfigFiles.parse(Path.of("x.yaml"), HA + "virtualServers: {}\n");
        ApplianceConfig.Ha ha = c.ha();
        assertThat(ha.instances()).hasSize(2);
        dev.lbkit.ha.VrrpInstanceConfig ext = ha.instances().get(0);
        assertThat(ext).isEqualTo(dev.lbkit.ha.VrrpInstanceConfig.builder("vi_ext").interfaceName("eth0").vrid(51)
                .priority(150).advertInterval(java.time.Duration.ofMillis(300)).virtualAddress("192.0.2.10/24")
                .virtualAddress("192.0.2.11/24").unicastSource("10.1.0.1").unicastPeer("10.1.0.2")
                .checksumMode(dev.lbkit.ha.ChecksumMode.NO_PSEUDO_HEADER).garpCount(3)
                .garpRefreshDelay(java.time.Duration.ZERO).trackInterface("eth2", 0).trackInterface("eth3", 20)
                .label("eth0:vip").notifyCommand(java.util.List.of("/usr/local/bin/ha-notify", "--quiet")).build());
        assertThat(ha.instances().get(1).preempt()).isFalse();
        assertThat(ha.instances().get(1).isIpv4()).isFalse();
        assertThat(ha.syncGroups()).containsEntry("vg", java.util.List.of("vi_ext", "vi_int"));
        assertThat(ha.ipvsSync()).contains(new ApplianceConfig.Ha.IpvsSync("vi_ext", "eth1", 5));
        assertThat(ha.floatingAddresses()).hasSize(3);

        ApplianceConfig again = ConfigFiles.parse(Path.of("y.yaml"), ConfigEncoder.yaml(c));
        assertThat(again.ha()).isEqualTo(ha);
        assertThat(ConfigFiles.parse(Path.of("z.yaml"), "virtualServers: {}\n").ha().isEmpty()).isTrue();
    }

    @Test
    void haErrorsNameTheLineAndTheField() {
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("vrid: 51", "vrid: 300")))
                .hasMessageContaining("x.yaml:5:").hasMessageContaining("ha.instances.vi_ext.vrid")
                .hasMessageContaining("vrid must be 1..255 but was 300");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("[vi_ext, vi_int]", "[vi_ext, vi_x]")))
                .hasMessageContaining("x.yaml:23:").hasMessageContaining("no instance 'vi_x'");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("192.0.2.11/24", "192.0.2.300/24")))
                .hasMessageContaining("x.yaml:8:").hasMessageContaining("ha.instances.vi_ext.virtualAddresses")
                .hasMessageContaining("192.0.2.300");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("      vrid: 52\n", "      vrid: 52\n"
                + "      pririty: 3\n"))).hasMessageContaining("unknown key 'pririty'");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("interface: eth1\n      vrid: 52",
                "interface: eth0\n      vrid: 51").replace("'2001:db8::1/64'", "192.0.2.20/24")))
                .hasMessageContaining("uses vrid 51 on eth0 like instance 'vi_ext'");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("instance: vi_ext,", "instance: vi_y,")))
                .hasMessageContaining("ha.ipvsSync.instance").hasMessageContaining("no instance 'vi_y'");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), "dataplanes:\n  ipvs: {enabled: false}\n" + HA))
                .hasMessageContaining("dataplanes.ipvs.enabled is false");
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), HA.replace("[/usr/local/bin/ha-notify",
                "[ha-notify"))).hasMessageContaining("absolute path");
    }

    @Test
    void proxiedVipsOnAFloatingIpWaitForTheirAddressAndOthersDoNot() throws Exception {
        ApplianceConfig c = ConfigFiles.parse(Path.of("x.yaml"), HA + "virtualServers:\n"
                + "  web: {vip: 192.0.2.10:80/tcp, forwardingMethod: http, proxy: {backlog: 64},"
                + " realServers: {a: {address: 10.0.0.1, port: 8080}}}\n"
                + "  tcp: {vip: 192.0.2.11:25/tcp, forwardingMethod: proxy, realServers: {a: {address: 10.0.0.1}}}\n"
                + "  local: {vip: 127.0.0.1:8080/tcp, forwardingMethod: proxy, realServers: {a: {address: 10.0.0.1}}}\n"
                + "  dr: {vip: 192.0.2.10:443/tcp, realServers: {a: {address: 10.0.0.1}}}\n");
        var options = Appliance.effectiveOptions(c.configuration(), c.proxyOptions(), c.ha());
        assertThat(options.get("web").floatingAddress()).isTrue();
        assertThat(options.get("web").backlog()).as("the file's options are kept").isEqualTo(64);
        assertThat(options.get("tcp").floatingAddress()).isTrue();
        assertThat(options).doesNotContainKeys("local", "dr");
        assertThat(c.proxyOptions().get("web").floatingAddress()).as("the file is not changed").isFalse();
    }

    @Test
    void aVipFloatedByAnotherHaModuleIsMarkedInTheFileAndWrittenBack() throws Exception {
        ApplianceConfig c = ConfigFiles.parse(Path.of("x.yaml"), "virtualServers:\n"
                + "  web: {vip: 192.0.2.30:80/tcp, forwardingMethod: proxy, proxy: {floatingAddress: true},"
                + " realServers: {a: {address: 10.0.0.1, port: 8080}}}\n");
        assertThat(c.proxyOptions().get("web").floatingAddress()).isTrue();
        assertThat(ConfigFiles.parse(Path.of("y.yaml"), ConfigEncoder.yaml(c)).proxyOptions()).isEqualTo(
                c.proxyOptions());
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), "virtualServers:\n"
                + "  web: {vip: 192.0.2.30:80/tcp, forwardingMethod: proxy, proxy: {floatingAddress: maybe},"
                + " realServers: {a: {address: 10.0.0.1, port: 8080}}}\n"))
                .hasMessageContaining("virtualServers.web.proxy.floatingAddress").hasMessageContaining("maybe");
    }

    @Test
    void twoVirtualServersOnOneVipAreRejected() {
        String text = "virtualServers:\n  a:\n    vip: 127.0.0.1:1/tcp\n  b:\n    vip: 127.0.0.1:1/tcp\n";
        assertThatThrownBy(() -> ConfigFiles.parse(Path.of("x.yaml"), text))
                .hasMessageContaining("both use VIP 127.0.0.1:1/tcp");
    }

    private static int lineOf(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        try {
            c.call();
        } catch (ConfigException e) {
            return e.line();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        throw new AssertionError("no exception");
    }
}
