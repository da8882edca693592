package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.IpFamily;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.Protocol;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.netlink.NetlinkException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real kernel (in the test VM): the same table written by lbkit and by {@code ipvsadm} must look the
 * same to {@code ipvsadm} and to lbkit, option by option.
 */
class IpvsadmCrossCheckIT {

    /** The table in ipvsadm's words: every option lbkit sets. */
    static final String IPVSADM_COMMANDS = """
            -A -t 10.0.0.1:80 -s wlc
            -a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 1
            -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 3 -x 100 -y 50
            -A -u 10.0.0.2:53 -s rr -p 600 -M 255.255.255.0 -o
            -a -u 10.0.0.2:53 -r 10.0.1.3:53 -g -w 2
            -A -f 12 -s sh -b sh-fallback,sh-port
            -a -f 12 -r 10.0.1.4:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
            -A -t [2001:db8::1]:443 -s mh -p 60 -M 64 -b mh-fallback
            -a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -g -w 1
            -a -t [2001:db8::1]:443 -r [2001:db8::3]:443 -g -w 0
            -A --sctp-service 10.0.0.3:3868 -s lc
            -a --sctp-service 10.0.0.3:3868 -r 10.0.1.5:3868 -m -w 1
            -A -u 10.0.0.4:5060 -s rr -p 30 --pe sip
            -a -u 10.0.0.4:5060 -r 10.0.1.6:5060 -m -w 1
            -A -t 10.0.0.5:80 -s wrr
            -a -t 10.0.0.5:80 -r 10.0.1.7:80 -i -w 1 --tun-type gre
            -a -t 10.0.0.5:80 -r 10.0.1.8:80 -i -w 2 --tun-type gue --tun-port 5555 --tun-remcsum
            -a -t 10.0.0.5:80 -r 10.0.1.9:80 -i -w 1 --tun-type gre --tun-csum
            """;

    static RealServer rs(String label, String address, int port, int weight) {
        return RealServer.builder(label).address(address).port(port).weight(weight).build();
    }

    /** The same table in lbkit's words. */
    static Configuration configuration() {
        return Configuration.builder()
                .add(VirtualServer.builder("web").vip("10.0.0.1:80/tcp").forwardingMethod(ForwardingMethod.NAT)
                        .scheduler(Scheduler.WLC).realServer(rs("app1", "10.0.1.1", 8080, 1))
                        .realServer(RealServer.builder("app2").address("10.0.1.2").port(8080).weight(3)
                                .maxConnections(100).minConnections(50).build())
                        .build())
                .add(VirtualServer.builder("dns").vip("10.0.0.2:53/udp").scheduler(Scheduler.RR)
                        .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(600), 24, 128))
                        .realServer(rs("ns1", "10.0.1.3", 0, 2)).build())
                .add(VirtualServer.builder("mark").firewallMark(12).forwardingMethod(ForwardingMethod.TUNNEL)
                        .scheduler(Scheduler.SH).realServer(rs("t1", "10.0.1.4", 0, 1)).build())
                .add(VirtualServer.builder("v6").vip("[2001:db8::1]:443/tcp").scheduler(Scheduler.MH)
                        .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(60), 32, 64))
                        .realServer(rs("a", "2001:db8::2", 0, 1)).realServer(rs("b", "2001:db8::3", 0, 0)).build())
                .add(VirtualServer.builder("diameter").vip("10.0.0.3:3868/sctp")
                        .forwardingMethod(ForwardingMethod.NAT).scheduler(Scheduler.LC)
                        .realServer(rs("d1", "10.0.1.5", 3868, 1)).build())
                .add(VirtualServer.builder("sip").vip("10.0.0.4:5060/udp").forwardingMethod(ForwardingMethod.NAT)
                        .scheduler(Scheduler.RR).persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(30)))
                        .realServer(rs("s1", "10.0.1.6", 5060, 1)).build())
                .add(VirtualServer.builder("gre").vip("10.0.0.5:80/tcp").forwardingMethod(ForwardingMethod.TUNNEL)
                        .scheduler(Scheduler.WRR).realServer(rs("g1", "10.0.1.7", 0, 1))
                        .realServer(rs("g2", "10.0.1.8", 0, 2)).realServer(rs("g3", "10.0.1.9", 0, 1)).build())
                .build();
    }

    static IpvsDataplane dataplane() {
        return IpvsDataplane.builder()
                .options("dns", IpvsOptions.builder().onePacket(true).build())
                .options("mark", IpvsOptions.builder().schedulerFallback(true).schedulerPort(true)
                        .tunnelType(TunnelType.GUE).tunnelPort(6080).tunnelChecksum(true).build())
                .options("v6", IpvsOptions.builder().schedulerFallback(true).build())
                .options("sip", IpvsOptions.builder().persistenceEngine("sip").build())
                .options("gre", IpvsOptions.builder().tunnelType(TunnelType.GRE)
                        .realServerTunnel("g2", new IpvsOptions.Tunnel(TunnelType.GUE, 5555, false, true))
                        .realServerTunnel("g3", new IpvsOptions.Tunnel(TunnelType.GRE, 0, true, false)).build())
                .build();
    }

    static ConfigurationDiff fromEmpty(Configuration c) {
        return ConfigurationDiff.between(Configuration.builder().build(), c);
    }

    static void ipvsadmRestore(String commands) {
        Shell.run("ipvsadm-restore <<'EOF'\n" + commands + "EOF");
    }

    static final String[] VIEWS = {"ipvsadm -Ln", "ipvsadm -Ln --stats", "ipvsadm -Ln --persistent-conn",
        "ipvsadm -Ln --rate", "ipvsadm -Ln --thresholds", "ipvsadm -Ln --tun-info", "ipvsadm -Sn"};

    /** Every view in one shell (a process costs much under emulation), split back by markers. */
    static Map<String, String> views() {
        String all = Shell.run(Arrays.stream(VIEWS).map(v -> "echo '@@" + v + "'; " + v)
                .collect(Collectors.joining("; ")));
        Map<String, String> out = new java.util.HashMap<>();
        for (String part : all.split("@@")) {
            if (!part.isEmpty()) {
                int nl = part.indexOf('\n');
                out.put(part.substring(0, nl), part.substring(nl + 1));
            }
        }
        assertThat(out).containsOnlyKeys(VIEWS);
        return out;
    }

    @BeforeAll
    static void needIpvs() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
    }

    @BeforeEach
    void emptyTable() {
        Shell.run("ipvsadm -C");
    }

    @Test
    void whatLbkitWritesIpvsadmShowsExactlyAsIfIpvsadmHadWrittenIt() {
        ipvsadmRestore(IPVSADM_COMMANDS);
        Map<String, String> byIpvsadm = views();
        Shell.run("ipvsadm -C");
        try (IpvsDataplane d = dataplane()) {
            d.apply(fromEmpty(configuration()));
            assertThat(d.changesSent()).isEqualTo(7 + 11); // 7 services, 11 real servers
        }
        Map<String, String> byLbkit = views();
        for (String v : VIEWS) {
            assertThat(byLbkit.get(v)).as(v).isEqualTo(byIpvsadm.get(v));
        }
        assertThat(byLbkit.get("ipvsadm -Sn")).contains("-A -t 10.0.0.1:80 -s wlc", "-A -f 12 -s sh",
                "-A -t [2001:db8::1]:443 -s mh", "-A --sctp-service 10.0.0.3:3868 -s lc", "--pe sip",
                "-A -t 10.0.0.5:80 -s wrr");
    }

    @Test
    void whatIpvsadmWritesLbkitReadsExactlySoApplyingTheSameConfigurationSendsNothing() throws Exception {
        ipvsadmRestore(IPVSADM_COMMANDS);
        try (IpvsDataplane d = dataplane()) {
            d.apply(fromEmpty(configuration()));
            assertThat(d.changesSent()).isZero();
            List<IpvsEntry> table = d.ipvs().table();
            assertThat(table).hasSize(7);
            IpvsEntry dns = table.stream()
                    .filter(e -> e.service().key().equals(IpvsServiceKey.of(IpvsCodecTest.ip("10.0.0.2"), 53,
                            Protocol.UDP))).findFirst().orElseThrow();
            assertThat(dns.service().scheduler()).isEqualTo("rr");
            assertThat(dns.service().timeoutSeconds()).isEqualTo(600);
            assertThat(dns.service().netmask()).isEqualTo(0xffffff00);
            assertThat(dns.service().flags() & IpvsAttributes.SVC_F_OWNED)
                    .isEqualTo(IpvsAttributes.SVC_F_PERSISTENT | IpvsAttributes.SVC_F_ONEPACKET);
            assertThat(dns.destinations()).singleElement().satisfies(x -> {
                assertThat(x.forwardingMethod()).isEqualTo(ForwardingMethod.DIRECT_ROUTING);
                assertThat(x.weight()).isEqualTo(2);
                assertThat(x.port()).isEqualTo(53);
            });
            IpvsEntry mark = table.stream().filter(e -> e.service().key().isFirewallMark()).findFirst().orElseThrow();
            assertThat(mark.service().key()).isEqualTo(IpvsServiceKey.firewallMark(12, IpFamily.IPV4));
            assertThat(mark.destinations()).singleElement().satisfies(x -> {
                assertThat(x.tunnelType()).isEqualTo(TunnelType.GUE);
                assertThat(x.tunnelPort()).isEqualTo(6080);
                assertThat(x.tunnelFlags()).isEqualTo(IpvsAttributes.TUNNEL_ENCAP_FLAG_CSUM);
            });
            IpvsEntry v6 = table.stream().filter(e -> e.service().key().family() == IpFamily.IPV6).findFirst()
                    .orElseThrow();
            assertThat(v6.service().netmask()).isEqualTo(64);
            IpvsEntry web = table.stream().filter(e -> e.service().scheduler().equals("wlc")).findFirst().orElseThrow();
            assertThat(web.destinations()).anySatisfy(x -> {
                assertThat(x.upperThreshold()).isEqualTo(100);
                assertThat(x.lowerThreshold()).isEqualTo(50);
            });
        }
    }

    @Test
    void aReApplySendsNothingAndOneWeightChangeSendsOneMessage() {
        Configuration c = configuration();
        try (IpvsDataplane d = dataplane()) {
            d.apply(fromEmpty(c));
            long after = d.changesSent();
            d.reconcile();
            assertThat(d.changesSent()).isEqualTo(after);
            VirtualServer web = c.virtualServer("web").orElseThrow();
            Configuration c2 = Configuration.builder().addAll(c.virtualServers().stream()
                    .map(v -> v.label().equals("web") ? web.withRealServer(web.realServer("app1").orElseThrow()
                            .withWeight(7)) : v).toList()).build();
            long messages = d.ipvs().messagesSent();
            d.apply(ConfigurationDiff.between(c, c2));
            assertThat(d.changesSent()).isEqualTo(after + 1);
            // only the changed virtual server is read: its service, its destination dump, then the one change
            assertThat(d.ipvs().messagesSent() - messages).isEqualTo(3);
            assertThat(Shell.run("ipvsadm -Ln -t 10.0.0.1:80")).contains("-> 10.0.1.1:8080                Masq    7");
            // a second dataplane (a restarted application) takes over the table without a message
            try (IpvsDataplane again = dataplane()) {
                again.apply(fromEmpty(c2));
                assertThat(again.changesSent()).isZero();
            }
        }
    }

    @Test
    void removingVirtualAndRealServersDeletesThemButLeavesForeignServicesAlone() {
        Shell.run("ipvsadm -A -t 10.9.9.9:80 -s rr && ipvsadm -a -t 10.9.9.9:80 -r 10.9.9.10 -g");
        Configuration c = configuration();
        try (IpvsDataplane d = dataplane()) {
            d.apply(fromEmpty(c));
            Configuration smaller = Configuration.builder()
                    .add(c.virtualServer("web").orElseThrow().withoutRealServer("app2")).build();
            d.apply(ConfigurationDiff.between(c, smaller));
            assertThat(Shell.run("ipvsadm -Sn").lines()).containsExactlyInAnyOrder(
                    "-A -t 10.9.9.9:80 -s rr",
                    "-a -t 10.9.9.9:80 -r 10.9.9.10:80 -g -w 1",
                    "-A -t 10.0.0.1:80 -s wlc",
                    "-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 1");
        }
        try (IpvsDataplane owner = IpvsDataplane.builder().ownsTable(true).build()) {
            owner.apply(fromEmpty(Configuration.builder().build()));
            assertThat(Shell.run("ipvsadm -Sn")).isEmpty();
        }
    }

    @Test
    void timeoutsSetByLbkitShowInIpvsadmAndTheOtherWayRound() {
        try (IpvsDataplane d = dataplane()) {
            Ipvs ipvs = d.ipvs();
            IpvsTimeouts before = ipvs.timeouts();
            try {
                ipvs.setTimeouts(new IpvsTimeouts(901, 121, 301));
                assertThat(Shell.run("ipvsadm -L --timeout")).contains("Timeout (tcp tcpfin udp): 901 121 301");
                Shell.run("ipvsadm --set 902 122 302");
                assertThat(ipvs.timeouts()).isEqualTo(new IpvsTimeouts(902, 122, 302));
            } finally {
                ipvs.setTimeouts(before);
            }
            assertThat(ipvs.versionString()).isEqualTo("1.2.1");
        }
    }

    @Test
    void kernelErrorsNameTheCommandTheObjectAndTheReason() throws Exception {
        try (IpvsDataplane d = dataplane()) {
            Ipvs ipvs = d.ipvs();
            IpvsServiceKey k = IpvsServiceKey.of(InetAddress.getByName("10.0.0.1"), 80, Protocol.TCP);
            ipvs.addService(IpvsService.of(k, "rr", 0, 0, -1, null));
            assertThatThrownBy(() -> ipvs.addService(IpvsService.of(k, "rr", 0, 0, -1, null)))
                    .isInstanceOf(NetlinkException.class)
                    .hasMessage("IPVS NEW_SERVICE 10.0.0.1:80/tcp: File exists (EEXIST)");
            assertThatThrownBy(() -> ipvs.deleteDestination(k, new IpvsDestination.Key(InetAddress.getByName("10.0.1.1"), 80)))
                    .hasMessage("IPVS DEL_DEST 10.0.0.1:80/tcp -> 10.0.1.1:80: No such file or directory (ENOENT)");
            assertThatThrownBy(() -> ipvs.addService(IpvsService.of(
                    IpvsServiceKey.of(InetAddress.getByName("10.0.0.9"), 80, Protocol.TCP), "twos", 0, 0, -1, null)))
                    .hasMessageStartingWith("IPVS NEW_SERVICE 10.0.0.9:80/tcp: No such file or directory (ENOENT)");
            ipvs.zeroCounters();
            ipvs.flush();
            assertThat(ipvs.services()).isEmpty();
        }
    }

    @Test
    void aFailedApplyNamesTheVirtualServerAndUndoesWhatItApplied() throws Exception {
        // A scheduler module the kernel cannot load makes the second virtual server fail in the kernel
        // (the VM's root is a throw-away overlay, so changing modprobe's configuration is harmless).
        Shell.run("mkdir -p /etc/modprobe.d && echo 'install ip_vs_lblcr /bin/false' > /etc/modprobe.d/lbkit-it.conf"
                + " && (! grep -q '^ip_vs_lblcr ' /proc/modules || rmmod ip_vs_lblcr)");
        Configuration c = Configuration.builder()
                .add(VirtualServer.builder("ok").vip("10.0.0.1:80/tcp").realServer(rs("a", "10.0.1.1", 0, 1)).build())
                .add(VirtualServer.builder("bad").vip("10.0.0.2:80/tcp").scheduler(Scheduler.LBLCR)
                        .realServer(rs("b", "10.0.1.2", 0, 1)).build())
                .build();
        try (IpvsDataplane d = dataplane()) {
            assertThatThrownBy(() -> d.apply(fromEmpty(c)))
                    .isInstanceOfSatisfying(DataplaneException.class, e -> assertThat(e.virtualServer()).isEqualTo("bad"))
                    .hasMessageStartingWith("virtual server 'bad' (10.0.0.2:80/tcp): adding the service (scheduler "
                            + "lblcr): No such file or directory (ENOENT)")
                    .hasMessageContaining("the other changes of this apply were undone");
            assertThat(Shell.run("ipvsadm -Sn")).isEmpty();
            assertThat(d.stats()).isEmpty();

            // a deletion undone: 'ok' is restored as it was last applied (it was not re-read before deleting it)
            Configuration okOnly = Configuration.builder().add(c.virtualServer("ok").orElseThrow()).build();
            d.apply(fromEmpty(okOnly));
            String applied = Shell.run("ipvsadm -Sn");
            Configuration badOnly = Configuration.builder().add(c.virtualServer("bad").orElseThrow()).build();
            assertThatThrownBy(() -> d.apply(ConfigurationDiff.between(okOnly, badOnly)))
                    .hasMessageContaining("the other changes of this apply were undone");
            assertThat(Shell.run("ipvsadm -Sn")).isEqualTo(applied).contains("-a -t 10.0.0.1:80 -r 10.0.1.1:80");
        } finally {
            Shell.run("rm -f /etc/modprobe.d/lbkit-it.conf");
        }
    }

    @Test
    void everySchedulerTheKernelOffersIsWrittenAndReadTheSameWayByBoth() {
        Configuration.Builder config = Configuration.builder();
        StringBuilder commands = new StringBuilder();
        int i = 1;
        for (Scheduler s : Scheduler.values()) {
            String vip = "10.0.2." + i + ":80";
            boolean hashing = s == Scheduler.MH || s == Scheduler.SH;
            boolean tunnel = s == Scheduler.FO;
            config.add(VirtualServer.builder("s-" + s.ipvsName()).vip(vip + "/tcp").scheduler(s)
                    .forwardingMethod(tunnel ? ForwardingMethod.TUNNEL : ForwardingMethod.DIRECT_ROUTING)
                    .realServer(rs("r", "10.0.3." + i, 0, i)).build());
            commands.append("-A -t ").append(vip).append(" -s ").append(s.ipvsName())
                    .append(hashing ? " -b " + s.ipvsName() + "-port" : "").append('\n')
                    .append("-a -t ").append(vip).append(" -r 10.0.3.").append(i).append(":80 ")
                    .append(tunnel ? "-i" : "-g").append(" -w ").append(i).append('\n');
            i++;
        }
        Configuration c = config.build();
        IpvsDataplane.Builder b = IpvsDataplane.builder();
        b.options("s-mh", IpvsOptions.builder().schedulerPort(true).build());
        b.options("s-sh", IpvsOptions.builder().schedulerPort(true).build());

        ipvsadmRestore(commands.toString());
        String byIpvsadm = Shell.run("ipvsadm -Sn");
        try (IpvsDataplane d = b.build()) {
            d.apply(fromEmpty(c));
            assertThat(d.changesSent()).isZero(); // lbkit reads ipvsadm's table as its own
        }
        Shell.run("ipvsadm -C");
        try (IpvsDataplane d = b.build()) {
            d.apply(fromEmpty(c));
            assertThat(d.changesSent()).isEqualTo(2L * Scheduler.values().length);
        }
        assertThat(Shell.run("ipvsadm -Sn")).isEqualTo(byIpvsadm).contains("-s ovf", "-s fo", "-s lblcr", "-s nq",
                "-s sed", "-s dh", "-b mh-port", "-b sh-port", "-i -w 12");
    }
}
