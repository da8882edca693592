package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ipvs.Netns.Conn;
import dev.lbkit.ipvs.Netns.NameServer;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real TCP traffic through the kernel's IPVS, programmed by {@link IpvsDataplane} through {@link LoadBalancer}:
 * a client, the director (this JVM's own namespace) and two real servers in network namespaces.
 *
 * <pre>
 *  client lbk-ipvs-c                      director (root netns)                  real servers lbk-ipvs-r1/-r2
 *  eth0 10.77.1.2 ---- veth ---- lbk-ipvs-o 10.77.1.1 (NAT VIP 10.77.1.100)
 *  eth1 10.77.2.2/.3 -+- bridge lbk-ipvs-br 10.77.2.1 (DR VIP .100, TUN VIP .101) -+- eth1 10.77.2.11 / .12
 * </pre>
 * NAT: the real servers' default gateway is the director. DR: the VIP sits on the real servers' loopback with
 * {@code arp_ignore=1}, {@code arp_announce=2}, so only the director answers ARP for it. TUN: IPIP, the VIP on
 * the real servers' {@code tunl0}, reverse-path filtering off. Replies of DR and TUN go straight to the client.
 */
class IpvsTrafficIT {
    static final String CLIENT = "lbk-ipvs-c";
    static final String R1 = "lbk-ipvs-r1";
    static final String R2 = "lbk-ipvs-r2";
    static final String NAT_VIP = "10.77.1.100";
    static final String DR_VIP = "10.77.2.100";
    static final String TUN_VIP = "10.77.2.101";

    static final String SETUP = """
            set -e
            modprobe ipip
            sysctl -qw net.ipv4.ip_forward=1
            for n in c r1 r2; do ip netns add lbk-ipvs-$n; ip -n lbk-ipvs-$n link set lo up; done
            ip link add lbk-ipvs-o type veth peer name eth0 netns lbk-ipvs-c
            ip addr add 10.77.1.1/24 dev lbk-ipvs-o
            ip addr add 10.77.1.100/32 dev lbk-ipvs-o
            ip link set lbk-ipvs-o up
            ip link add lbk-ipvs-br type bridge
            ip addr add 10.77.2.1/24 dev lbk-ipvs-br
            ip addr add 10.77.2.100/32 dev lbk-ipvs-br
            ip addr add 10.77.2.101/32 dev lbk-ipvs-br
            ip link set lbk-ipvs-br up
            for n in c r1 r2; do
              ip link add lbk-ipvs-$n type veth peer name eth1 netns lbk-ipvs-$n
              ip link set lbk-ipvs-$n master lbk-ipvs-br up
              ip -n lbk-ipvs-$n link set eth1 up
            done
            ip -n lbk-ipvs-c addr add 10.77.1.2/24 dev eth0
            ip -n lbk-ipvs-c link set eth0 up
            ip -n lbk-ipvs-c addr add 10.77.2.2/24 dev eth1
            ip -n lbk-ipvs-c addr add 10.77.2.3/24 dev eth1
            i=11
            for n in r1 r2; do
              ns=lbk-ipvs-$n
              ip netns exec $ns sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \\
                net.ipv4.conf.eth1.arp_ignore=1 net.ipv4.conf.eth1.arp_announce=2 \\
                net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
              ip -n $ns addr add 10.77.2.$i/24 dev eth1
              ip -n $ns route add default via 10.77.2.1
              ip -n $ns addr add 10.77.2.100/32 dev lo
              ip -n $ns link set tunl0 up
              ip -n $ns addr add 10.77.2.101/32 dev tunl0
              ip netns exec $ns sysctl -qw net.ipv4.conf.tunl0.rp_filter=0 net.ipv4.conf.tunl0.arp_ignore=1
              i=$((i+1))
            done
            """;

    static final String TEARDOWN = "for n in c r1 r2; do ip netns del lbk-ipvs-$n 2>/dev/null; done; "
            + "ip link del lbk-ipvs-o 2>/dev/null; ip link del lbk-ipvs-br 2>/dev/null; ipvsadm -C; true";

    static NameServer rs1;
    static NameServer rs2;

    LoadBalancer lb;
    IpvsDataplane ipvs;
    final List<Conn> held = new ArrayList<>();

    @BeforeAll
    static void network() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
        Shell.run(TEARDOWN);
        try {
            Shell.run(SETUP);
            rs1 = new NameServer(R1, "rs1", 80, 81, 8080);
            rs2 = new NameServer(R2, "rs2", 80, 81, 8080);
        } catch (RuntimeException | AssertionError e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    static void tearDown() {
        if (rs1 != null) {
            rs1.close();
        }
        if (rs2 != null) {
            rs2.close();
        }
        Shell.run(TEARDOWN);
    }

    @BeforeEach
    void loadBalancer() {
        Shell.run("ipvsadm -C");
        ipvs = IpvsDataplane.builder().build();
        lb = LoadBalancer.builder().dataplane(ipvs).build();
        ipvs.ipvs().setSysctl(IpvsSysctl.EXPIRE_NODEST_CONN, 0);
        ipvs.ipvs().setSysctl(IpvsSysctl.EXPIRE_QUIESCENT_TEMPLATE, 0);
    }

    @AfterEach
    void close() {
        held.forEach(Conn::close);
        lb.close();
        Shell.run("ipvsadm -C; sysctl -qw net.ipv4.vs.expire_nodest_conn=0 net.ipv4.vs.expire_quiescent_template=0");
    }

    static RealServer rs(String label, String address, int port, int weight) {
        return RealServer.builder(label).address(address).port(port).weight(weight).build();
    }

    /** Opens {@code n} connections one after the other (each closed after the server named itself). */
    static Map<String, Integer> connect(int n, String source, String vip, int port) {
        Map<String, Integer> count = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try (Conn c = Conn.open(CLIENT, source, vip, port)) {
                count.merge(c.server, 1, Integer::sum);
            }
        }
        return count;
    }

    Conn hold(String source, String vip, int port) {
        Conn c = Conn.open(CLIENT, source, vip, port);
        held.add(c);
        return c;
    }

    @Test
    void natSharesConnectionsByWeightAndTranslatesThePortWithTheDirectorAsTheRealServersGateway() {
        lb.apply(Configuration.of(VirtualServer.builder("nat").vip(NAT_VIP + ":80/tcp")
                .forwardingMethod(ForwardingMethod.NAT).scheduler(Scheduler.WRR)
                .realServer(rs("rs1", "10.77.2.11", 8080, 1)).realServer(rs("rs2", "10.77.2.12", 8080, 3)).build()));

        assertThat(connect(8, "10.77.1.2", NAT_VIP, 80)).containsExactly(Map.entry("rs1", 2), Map.entry("rs2", 6));
        // the kernel's own view: masqueraded connections to port 8080
        assertThat(Shell.run("ipvsadm -Lnc")).contains("10.77.2.11:8080", "10.77.2.12:8080");

        // 64-bit counters as lbkit reads them equal ipvsadm's (the estimator publishes them about every 2 s)
        IpvsServiceKey key = IpvsServiceKey.of(IpvsCodecTest.ip(NAT_VIP), 80, dev.lbkit.api.Protocol.TCP);
        long deadline = System.nanoTime() + 15_000_000_000L;
        IpvsEntry e = entry(key);
        while (e.service().stats().connections() < 8 || e.service().stats().bytesOut() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the kernel's counters did not reach 8 connections: " + e.service().stats());
            }
            sleep(500);
            e = entry(key);
        }
        String stats = Shell.run("ipvsadm -Ln --stats --exact -t " + NAT_VIP + ":80");
        e = entry(key); // read after ipvsadm: no traffic runs, so nothing moved in between
        IpvsStats s = e.service().stats();
        assertThat(stats).containsPattern("TCP +" + NAT_VIP.replace(".", "\\.") + ":80 +" + s.connections() + " +"
                + s.packetsIn() + " +" + s.packetsOut() + " +" + s.bytesIn() + " +" + s.bytesOut() + "\n");
        for (IpvsDestination d : e.destinations()) {
            IpvsStats x = d.stats();
            assertThat(stats).contains("-> " + d.key() + " ").containsPattern(d.key().toString().replace(".", "\\.")
                    + " +" + x.connections() + " +" + x.packetsIn() + " +" + x.packetsOut() + " +" + x.bytesIn() + " +"
                    + x.bytesOut() + "\n");
        }
        assertThat(e.destinations()).extracting(d -> d.stats().connections()).containsExactlyInAnyOrder(2L, 6L);
        assertThat(ipvs.stats().get("nat").total().connections()).isEqualTo(8);
    }

    IpvsEntry entry(IpvsServiceKey key) {
        return ipvs.ipvs().table().stream().filter(x -> x.service().key().equals(key)).findFirst().orElseThrow();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void directRoutingBalancesRoundRobinAndOnlyTheDirectorAnswersArpForTheVip() {
        lb.apply(Configuration.of(VirtualServer.builder("dr").vip(DR_VIP + ":80/tcp")
                .forwardingMethod(ForwardingMethod.DIRECT_ROUTING).scheduler(Scheduler.RR)
                .realServer(rs("rs1", "10.77.2.11", 0, 1)).realServer(rs("rs2", "10.77.2.12", 0, 1)).build()));

        assertThat(connect(6, "10.77.2.2", DR_VIP, 80)).containsExactly(Map.entry("rs1", 3), Map.entry("rs2", 3));
        String directorMac = Shell.run("cat /sys/class/net/lbk-ipvs-br/address").trim();
        assertThat(Shell.run("ip -n " + CLIENT + " neigh show " + DR_VIP)).contains("lladdr " + directorMac);
        // the real servers replied straight to the client: the director saw no packet of theirs (DR)
        assertThat(Shell.run("ipvsadm -Lnc")).contains("10.77.2.11:80", "10.77.2.12:80");
    }

    @Test
    void tunnelledRealServersAnswerAndARemovedServerGetsNoNewConnectionsWhileItsLiveOnesStallOrReset() {
        VirtualServer tun = VirtualServer.builder("tun").vip(TUN_VIP + ":80/tcp")
                .forwardingMethod(ForwardingMethod.TUNNEL).scheduler(Scheduler.RR)
                .realServer(rs("rs1", "10.77.2.11", 0, 1)).realServer(rs("rs2", "10.77.2.12", 0, 1)).build();
        lb.apply(Configuration.of(tun));
        assertThat(connect(4, "10.77.2.2", TUN_VIP, 80)).containsExactly(Map.entry("rs1", 2), Map.entry("rs2", 2));
        Conn first = holdOn("rs2", "10.77.2.2", TUN_VIP, 80);
        Conn second = holdOn("rs2", "10.77.2.2", TUN_VIP, 80);

        lb.apply(Configuration.of(tun.withoutRealServer("rs2")));
        assertThat(Shell.run("ipvsadm -Ln -t " + TUN_VIP + ":80")).doesNotContain("10.77.2.12");
        assertThat(connect(4, "10.77.2.2", TUN_VIP, 80)).containsExactly(Map.entry("rs1", 4));

        // expire_nodest_conn=0 (the default): the kernel drops the removed server's packets, its connections
        // stall; adding the server back lets them continue (TCP retransmits what was lost)
        first.send("still there?");
        assertThatThrownBy(() -> first.readLine(1000)).hasRootCauseInstanceOf(SocketTimeoutException.class);
        lb.apply(Configuration.of(tun));
        assertThat(first.readLine(8000)).isEqualTo("rs2 still there?");

        // expire_nodest_conn=1: the next packet expires the connection and the client gets a reset
        lb.apply(Configuration.of(tun.withoutRealServer("rs2")));
        ipvs.ipvs().setSysctl(IpvsSysctl.EXPIRE_NODEST_CONN, 1);
        assertThat(ipvs.ipvs().sysctl(IpvsSysctl.EXPIRE_NODEST_CONN)).isEqualTo(1);
        assertThatThrownBy(() -> second.ask("and now?")).isInstanceOf(UncheckedIOException.class)
                .hasRootCauseInstanceOf(SocketException.class);
    }

    @Test
    void weightZeroDrainsNewConnectionsAwayButLiveConnectionsKeepWorking() {
        lb.apply(Configuration.of(VirtualServer.builder("dr").vip(DR_VIP + ":80/tcp")
                .forwardingMethod(ForwardingMethod.DIRECT_ROUTING).scheduler(Scheduler.RR)
                .realServer(rs("rs1", "10.77.2.11", 0, 1)).realServer(rs("rs2", "10.77.2.12", 0, 1)).build()));
        Conn onRs1 = holdOn("rs1", "10.77.2.2", DR_VIP, 80);

        lb.drain("dr", "rs1");
        assertThat(Shell.run("ipvsadm -Ln -t " + DR_VIP + ":80")).containsPattern("10\\.77\\.2\\.11:80 +Route +0 +1 ");
        assertThat(connect(5, "10.77.2.2", DR_VIP, 80)).containsExactly(Map.entry("rs2", 5));
        assertThat(onRs1.ask("ping")).isEqualTo("rs1 ping");

        lb.bringOnline("dr", "rs1");
        assertThat(connect(2, "10.77.2.2", DR_VIP, 80)).containsExactly(Map.entry("rs1", 1), Map.entry("rs2", 1));
    }

    @Test
    void sourceIpPersistenceKeepsEachClientOnOneServerAndADrainKeepsPersistedClientsUntilTemplatesExpire() {
        lb.apply(Configuration.of(VirtualServer.builder("sticky").vip(DR_VIP + ":81/tcp")
                .forwardingMethod(ForwardingMethod.DIRECT_ROUTING).scheduler(Scheduler.RR)
                .persistence(PersistencePolicy.sourceIp(Duration.ofSeconds(300)))
                .realServer(rs("rs1", "10.77.2.11", 0, 1)).realServer(rs("rs2", "10.77.2.12", 0, 1)).build()));

        Map<String, Integer> a = connect(4, "10.77.2.2", DR_VIP, 81);
        Map<String, Integer> b = connect(4, "10.77.2.3", DR_VIP, 81);
        assertThat(a).hasSize(1).containsValue(4);
        assertThat(b).hasSize(1).containsValue(4);
        assertThat(a.keySet()).doesNotContainAnyElementsOf(b.keySet()); // round robin placed the two templates
        String aServer = a.keySet().iterator().next();
        String other = aServer.equals("rs1") ? "rs2" : "rs1";
        // persistence templates: one per client, as lbkit and ipvsadm --persistent-conn both read them
        IpvsServiceKey key = IpvsServiceKey.of(IpvsCodecTest.ip(DR_VIP), 81, dev.lbkit.api.Protocol.TCP);
        String pc = Shell.run("ipvsadm -Ln --persistent-conn -t " + DR_VIP + ":81");
        for (IpvsDestination d : entry(key).destinations()) {
            assertThat(d.persistentConnections()).isEqualTo(1);
            assertThat(pc).containsPattern(d.key().toString().replace(".", "\\.") + " +1 +1 +");
        }

        // a drain (weight 0) keeps a persisted client on its server while the template lives ...
        lb.drain("sticky", aServer);
        assertThat(connect(2, "10.77.2.2", DR_VIP, 81)).containsExactly(Map.entry(aServer, 2));
        // ... unless expire_quiescent_template=1, which drops the template of a weight-0 server
        ipvs.ipvs().setSysctl(IpvsSysctl.EXPIRE_QUIESCENT_TEMPLATE, 1);
        assertThat(connect(2, "10.77.2.2", DR_VIP, 81)).containsExactly(Map.entry(other, 2));
    }

    /** Opens connections until one lands on {@code server}, keeps it open, closes the others. */
    Conn holdOn(String server, String source, String vip, int port) {
        for (int i = 0; i < 6; i++) {
            Conn c = Conn.open(CLIENT, source, vip, port);
            if (c.server.equals(server)) {
                held.add(c);
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection reached " + server);
    }
}
