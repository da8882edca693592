package dev.lbkit.examples.appliance;

import static dev.lbkit.testkit.NetnsLab.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance's IPVS paths against a real kernel (runs inside the IPVS VM, see docs/testing.md): the
 * {@code ipvs:} options of direct-routing, nat and tunnel virtual servers and {@code dataplanes.ipvs.sysctls} from
 * the file reach the kernel, and reloads that change scheduler and options together take every branch of
 * {@link Appliance}'s option ordering (options that fit the running service, options that fit only the new one,
 * options that fit neither). The kernel is read as an operator does: {@code ipvsadm -Ln} and {@code /proc/sys}.
 * The appliance runs in this JVM, in the VM's own network namespace, which the VM throws away.
 */
class ApplianceIpvsVmIT {
    private static final Path VS = Path.of("/proc/sys/net/ipv4/vs");

    @TempDir
    Path dir;

    private Appliance app;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeAll
    static void needIpvsVm() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
        assumeTrue("1".equals(System.getenv("IPVS_VM")), "changes the IPVS table and sysctls: only inside the VM");
    }

    @BeforeEach
    void cleanKernel() throws IOException {
        sh("ipvsadm", "-C");
        // a non-default original value, so that a restore is seen to restore it and not the kernel's default
        Files.writeString(VS.resolve("expire_quiescent_template"), "1");
        Files.writeString(VS.resolve("expire_nodest_conn"), "0");
        Files.writeString(VS.resolve("conntrack"), "0");
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        sh("ipvsadm", "-C");
    }

    private static final String HEAD = "admin:\n  listen: off\n  jmx: false\n";

    /** NAT web (wlc), DR UDP dns (onePacket), tunnel media (mh, fallback, GUE, one GRE real server), DR sip. */
    private static String servers(String web, String sip) {
        return "virtualServers:\n"
                + "  web:\n    vip: 10.79.0.100:80/tcp\n    forwardingMethod: nat\n" + web
                + "    realServers:\n"
                + "      r1: {address: 10.79.1.21, port: 8080, weight: 3}\n"
                + "      r2: {address: 10.79.1.22, port: 8080}\n"
                + "  dns:\n    vip: 10.79.0.100:53/udp\n    forwardingMethod: dr\n    scheduler: rr\n"
                + "    ipvs: {onePacket: true}\n"
                + "    realServers:\n      d1: {address: 10.79.1.31}\n      d2: {address: 10.79.1.32}\n"
                + "  media:\n    vip: 10.79.0.101:5004/udp\n    forwardingMethod: tunnel\n    scheduler: mh\n"
                + "    ipvs:\n      schedulerFallback: true\n      tunnelType: gue\n      tunnelPort: 6080\n"
                + "      realServerTunnels:\n        m2: {type: gre, checksum: true}\n"
                + "    realServers:\n      m1: {address: 10.79.2.31}\n      m2: {address: 10.79.2.32}\n"
                + "  sip:\n    vip: 10.79.0.102:5060/udp\n    forwardingMethod: dr\n" + sip
                + "    realServers:\n      s1: {address: 10.79.1.41}\n      s2: {address: 10.79.1.42}\n";
    }

    private static final String WEB_WLC = "    scheduler: wlc\n";
    private static final String WEB_SH = "    scheduler: sh\n    ipvs: {schedulerFallback: true, schedulerPort: true}\n";
    private static final String SIP_PE = "    scheduler: wlc\n    persistence: {type: sourceIp, timeout: 60s}\n"
            + "    ipvs: {persistenceEngine: sip}\n";
    private static final String SIP_SH = "    scheduler: sh\n    ipvs: {schedulerFallback: true}\n";

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("lbkit.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Appliance start(String yaml) throws IOException {
        Path file = write(yaml);
        try {
            app = new Appliance(file, ConfigFiles.load(file), new PrintStream(out, true, StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        return app;
    }

    @Test
    void ipvsOptionsAndSysctlsOfTheFileReachTheKernelAtStart() throws Exception {
        start(HEAD + "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1, expire_quiescent_template: 0, "
                + "conntrack: 1}\n" + servers(WEB_WLC, SIP_PE));

        String table = sh("ipvsadm", "-Ln");
        assertThat(service(table, "TCP  10.79.0.100:80 ")).startsWith("TCP  10.79.0.100:80 wlc\n")
                .containsPattern("-> 10\\.79\\.1\\.21:8080 +Masq +3 ")
                .containsPattern("-> 10\\.79\\.1\\.22:8080 +Masq +1 ");
        assertThat(service(table, "UDP  10.79.0.100:53 ")).startsWith("UDP  10.79.0.100:53 rr ops\n")
                .containsPattern("-> 10\\.79\\.1\\.31:53 +Route +1 ")
                .containsPattern("-> 10\\.79\\.1\\.32:53 +Route +1 ");
        assertThat(service(table, "UDP  10.79.0.101:5004 "))
                .startsWith("UDP  10.79.0.101:5004 mh (mh-fallback)\n")
                .containsPattern("-> 10\\.79\\.2\\.31:5004 +Tunnel +1 ");
        assertThat(service(table, "UDP  10.79.0.102:5060 "))
                .startsWith("UDP  10.79.0.102:5060 wlc persistent 60 pe sip\n");

        // each real server's own encapsulation: the VIP's GUE on port 6080, GRE with checksums on m2
        String tunnels = service(sh("ipvsadm", "-Ln", "--tun-info"), "UDP  10.79.0.101:5004 ");
        assertThat(tunnels).containsPattern("-> 10\\.79\\.2\\.31:5004 +Tunnel +gue:6080:-c ")
                .containsPattern("-> 10\\.79\\.2\\.32:5004 +Tunnel +gre:\\+c ");

        assertThat(sysctl("expire_nodest_conn")).isEqualTo(1);
        assertThat(sysctl("expire_quiescent_template")).isZero();
        assertThat(sysctl("conntrack")).isEqualTo(1);
    }

    @Test
    void reloadsThatChangeSchedulerAndOptionsTogetherApplyInTheOrderTheKernelAccepts() throws Exception {
        String sysctls = "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1, expire_quiescent_template: 0}\n";
        start(HEAD + sysctls + servers(WEB_WLC, SIP_PE));
        assertThat(sysctl("expire_nodest_conn")).isEqualTo(1);
        assertThat(sysctl("expire_quiescent_template")).isZero();

        // web: wlc -> sh with fallback and port: the options fit only the new scheduler, so they follow the apply.
        // sip: wlc + persistence + pe sip -> sh + fallback, no persistence: the old options do not fit the new
        // service nor the new options the old one, so the defaults go first and the new options after the apply.
        // expire_quiescent_template leaves the file: it gets back the value it had before the appliance set it.
        write(HEAD + "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1}\n" + servers(WEB_SH, SIP_SH));
        Appliance.Result r = app.reload("test", "test");
        assertThat(r.applied()).isTrue();
        assertThat(r.version()).isEqualTo(2);
        String table = sh("ipvsadm", "-Ln");
        assertThat(service(table, "TCP  10.79.0.100:80 ")).startsWith("TCP  10.79.0.100:80 sh (sh-fallback,sh-port)\n")
                .containsPattern("-> 10\\.79\\.1\\.21:8080 +Masq +3 ");
        assertThat(service(table, "UDP  10.79.0.102:5060 ")).startsWith("UDP  10.79.0.102:5060 sh (sh-fallback)\n")
                .doesNotContain("persistent").doesNotContain("pe sip");
        assertThat(service(table, "UDP  10.79.0.100:53 ")).as("untouched").startsWith("UDP  10.79.0.100:53 rr ops\n");
        assertThat(sysctl("expire_nodest_conn")).isEqualTo(1);
        assertThat(sysctl("expire_quiescent_template")).as("the value before the appliance set it").isEqualTo(1);

        // and back: the old options no longer fit (fallback needs sh) but the defaults fit both, so they go first;
        // sip gets persistence and its engine again (options that fit only the new service, after the apply).
        // No sysctls left in the file: expire_nodest_conn is 0 again.
        write(HEAD + servers(WEB_WLC, SIP_PE));
        r = app.reload("test", "test");
        assertThat(r.applied()).isTrue();
        table = sh("ipvsadm", "-Ln");
        assertThat(service(table, "TCP  10.79.0.100:80 ")).startsWith("TCP  10.79.0.100:80 wlc\n");
        assertThat(service(table, "UDP  10.79.0.102:5060 "))
                .startsWith("UDP  10.79.0.102:5060 wlc persistent 60 pe sip\n");
        assertThat(sysctl("expire_nodest_conn")).isZero();
        assertThat(sysctl("expire_quiescent_template")).isEqualTo(1);
    }

    @Test
    void aReloadTheKernelRefusesHalfwayLeavesServicesOptionsAndSysctlsAsTheyWere() throws Exception {
        start(HEAD + "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1}\n" + servers(WEB_WLC, SIP_PE));
        String before = sh("ipvsadm", "-Ln");
        // the kernel refuses the conntrack write (as it would without CAP_NET_ADMIN in its namespace): by then the
        // reload has changed sip's options (to the defaults, as neither old nor new fit) and expire_nodest_conn
        Path conntrack = VS.resolve("conntrack");
        sh("mount", "--bind", conntrack.toString(), conntrack.toString());
        try {
            sh("mount", "-o", "remount,bind,ro", conntrack.toString());
            String next = HEAD + "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 0, conntrack: 1}\n"
                    + servers(WEB_SH, SIP_SH);
            write(next);
            assertThatThrownBy(() -> app.reload("test", "test"))
                    .hasMessageContaining("dataplanes.ipvs.sysctls: cannot set the IPVS sysctls")
                    .hasMessageContaining("conntrack");
            assertThat(app.version()).isEqualTo(1);
            assertThat(sh("ipvsadm", "-Ln")).as("the kernel's table as before the reload").isEqualTo(before);
            assertThat(service(before, "UDP  10.79.0.102:5060 ")).contains("persistent 60 pe sip");
            assertThat(sysctl("expire_nodest_conn")).isEqualTo(1);
            assertThat(sysctl("conntrack")).isZero();
        } finally {
            sh("umount", conntrack.toString());
        }

        // the same reload, once the kernel takes it
        Appliance.Result r = app.reload("test", "test");
        assertThat(r.version()).isEqualTo(2);
        String table = sh("ipvsadm", "-Ln");
        assertThat(service(table, "TCP  10.79.0.100:80 ")).startsWith("TCP  10.79.0.100:80 sh (sh-fallback,sh-port)\n");
        assertThat(service(table, "UDP  10.79.0.102:5060 ")).startsWith("UDP  10.79.0.102:5060 sh (sh-fallback)\n");
        assertThat(sysctl("expire_nodest_conn")).isZero();
        assertThat(sysctl("conntrack")).isEqualTo(1);
    }

    /** The lines of one service in {@code ipvsadm -L} output: its own line and its real servers'. */
    static String service(String table, String head) {
        StringBuilder b = new StringBuilder();
        boolean in = false;
        for (String line : table.split("\n")) {
            if (line.startsWith(head)) {
                in = true;
            } else if (in && !line.startsWith("  ->")) {
                break;
            }
            if (in) {
                b.append(line.stripTrailing()).append('\n');
            }
        }
        assertThat(b).as("service %s in\n%s", head, table).isNotEmpty();
        return b.toString();
    }

    private static int sysctl(String key) throws IOException {
        return Integer.parseInt(Files.readString(VS.resolve(key)).trim());
    }
}
