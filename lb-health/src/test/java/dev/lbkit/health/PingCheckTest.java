package dev.lbkit.health;

import static dev.lbkit.health.Harness.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ICMP echo checks through the engine's own ICMP sockets (raw here: this machine disallows unprivileged ICMP). A
 * real server that stops answering needs a host that can: the test makes a network namespace joined by a veth
 * pair (10.213.77.1 and fd42:213:77::1 here, .2 and ::2 there), and removes it afterwards. Skipped without root.
 */
class PingCheckTest {
    private static final String NS = "lbkit-ping-" + ProcessHandle.current().pid();
    private static final String VETH = "lbkp" + ProcessHandle.current().pid() % 100000;
    private static boolean haveNamespace;

    private static boolean sh(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean inNs(String... argv) {
        String[] all = new String[argv.length + 4];
        System.arraycopy(new String[] {"ip", "netns", "exec", NS}, 0, all, 0, 4);
        System.arraycopy(argv, 0, all, 4, argv.length);
        return sh(all);
    }

    @BeforeAll
    static void makeANamespace() {
        haveNamespace = sh("ip", "netns", "add", NS)
                && sh("ip", "link", "add", VETH + "a", "type", "veth", "peer", "name", VETH + "b")
                && sh("ip", "link", "set", VETH + "b", "netns", NS)
                && sh("ip", "addr", "add", "10.213.77.1/30", "dev", VETH + "a")
                && sh("ip", "link", "set", VETH + "a", "up")
                && inNs("ip", "addr", "add", "10.213.77.2/30", "dev", VETH + "b")
                && inNs("ip", "link", "set", VETH + "b", "up")
                && inNs("ip", "link", "set", "lo", "up")
                && sh("sysctl", "-qw", "net.ipv6.conf." + VETH + "a.keep_addr_on_down=1")
                && sh("ip", "addr", "add", "fd42:213:77::1/64", "dev", VETH + "a", "nodad")
                && inNs("ip", "addr", "add", "fd42:213:77::2/64", "dev", VETH + "b", "nodad")
                // should the veth routes go, these keep the test's traffic off the default route
                && sh("ip", "route", "add", "blackhole", "10.213.77.0/30", "metric", "9999")
                && sh("ip", "-6", "route", "add", "blackhole", "fd42:213:77::/64", "metric", "9999");
    }

    @AfterAll
    static void removeTheNamespace() {
        sh("ip", "link", "del", VETH + "a");
        sh("ip", "route", "del", "blackhole", "10.213.77.0/30", "metric", "9999");
        sh("ip", "-6", "route", "del", "blackhole", "fd42:213:77::/64", "metric", "9999");
        sh("ip", "netns", "del", NS);
    }

    @org.junit.jupiter.api.AfterEach
    void restoreTheNamespace() {
        if (haveNamespace) {
            inNs("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0");
            inNs("nft", "delete", "table", "inet", "lbkping");
            inNs("ip", "link", "set", VETH + "b", "up");
            sh("ip", "route", "del", "blackhole", "10.213.77.2/32");
        }
    }

    /** An nftables rule in the namespace that drops these packets on input. */
    private static boolean dropInNamespace(String match) {
        return inNs("nft", "add", "table", "inet", "lbkping")
                && inNs("nft", "add", "chain", "inet", "lbkping", "input", "{ type filter hook input priority 0; }")
                && inNs(("nft add rule inet lbkping input " + match + " drop").split(" "));
    }

    private static HealthReport ping(String address) {
        try (Harness h = new Harness()) {
            h.check(HealthCheck.ping().withSettings(quick().withInterval(Duration.ofSeconds(1))
                    .withTimeout(Duration.ofMillis(500))), address, 0);
            return h.first();
        }
    }

    @Test
    void aLoopbackAddressAnswersAnEcho() {
        HealthReport r = ping("127.0.0.1");
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("echo reply");
    }

    @Test
    void aHostInANamespaceAnswersUntilItIgnoresEchoes() {
        assumeTrue(haveNamespace, "needs root to make a network namespace");
        assertThat(ping("10.213.77.2").state()).isEqualTo(HealthState.UP);
        assertThat(inNs("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")).isTrue();
        HealthReport r = ping("10.213.77.2");
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("no echo reply within 500 ms");
    }

    @Test
    void ipv6LoopbackAnswersAnEcho() {
        HealthReport r = ping("::1");
        assertThat(r.state()).isEqualTo(HealthState.UP);
        assertThat(r.reason()).isEqualTo("echo reply");
    }

    @Test
    void anIpv6HostInANamespaceAnswersUntilItsEchoesAreDropped() {
        assumeTrue(haveNamespace, "needs root to make a network namespace");
        assertThat(ping("fd42:213:77::2").state()).isEqualTo(HealthState.UP);
        assertThat(dropInNamespace("icmpv6 type echo-request")).isTrue();
        HealthReport r = ping("fd42:213:77::2");
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("no echo reply within 500 ms");
    }

    @Test
    void echoesDroppedByAFirewallTimeOut() {
        assumeTrue(haveNamespace, "needs root to make a network namespace");
        assertThat(dropInNamespace("icmp type echo-request")).isTrue();
        HealthReport r = ping("10.213.77.2");
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).isEqualTo("no echo reply within 500 ms");
    }

    @Test
    void aHostBehindALinkThatWentDownIsDown() {
        assumeTrue(haveNamespace, "needs root to make a network namespace");
        assertThat(ping("10.213.77.2").state()).isEqualTo(HealthState.UP);
        assertThat(inNs("ip", "link", "set", VETH + "b", "down")).isTrue(); // the server's link
        HealthReport r = ping("10.213.77.2");
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        // our side lost its carrier: the route stays (marked linkdown) and the request is dropped there
        assertThat(r.reason()).isEqualTo("no echo reply within 500 ms");
    }

    @Test
    void aBlackholeRouteFailsTheCheck() {
        assumeTrue(haveNamespace, "needs root to make a network namespace");
        assertThat(sh("ip", "route", "add", "blackhole", "10.213.77.2/32")).isTrue();
        HealthReport r = ping("10.213.77.2");
        assertThat(r.state()).isEqualTo(HealthState.DOWN);
        assertThat(r.reason()).startsWith("ping: ");
    }

    @Test
    void pingsShareNoPortSoOneProbeServesEveryPort() {
        try (Harness h = new Harness()) {
            HealthCheck check = HealthCheck.ping().withSettings(quick());
            h.checker.update(dev.lbkit.api.Configuration.of(
                    Harness.vs("a", 80, check, Harness.rs("x", "127.0.0.1", 80)),
                    Harness.vs("b", 443, check, Harness.rs("y", "127.0.0.1", 443))));
            assertThat(h.checker.probeCount()).isEqualTo(1);
            assertThat(List.of(h.first().state())).containsOnly(HealthState.UP);
        }
    }
}
