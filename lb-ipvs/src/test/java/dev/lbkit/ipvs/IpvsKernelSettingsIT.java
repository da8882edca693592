package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.netlink.NetlinkException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real kernel (in the test VM): the connection-sync daemon and the drain sysctls, each written by lbkit
 * and read by the kernel's own tools, and written by those tools and read by lbkit.
 */
class IpvsKernelSettingsIT {
    static final String STOP_ALL = "ipvsadm --stop-daemon master 2>/dev/null; ipvsadm --stop-daemon backup "
            + "2>/dev/null; true";

    static Ipvs ipvs;

    @BeforeAll
    static void open() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
        Shell.run("ip link del lbk-ipvs-s0 2>/dev/null; ip link add lbk-ipvs-s0 type veth peer name lbk-ipvs-s1"
                + " && ip link set lbk-ipvs-s0 up && ip link set lbk-ipvs-s1 up");
        ipvs = Ipvs.open();
    }

    @AfterAll
    static void close() {
        if (ipvs != null) {
            ipvs.close();
        }
        Shell.run(STOP_ALL + "; ip link del lbk-ipvs-s0 2>/dev/null; sysctl -qw net.ipv4.vs.expire_nodest_conn=0 "
                + "net.ipv4.vs.expire_quiescent_template=0 net.ipv4.vs.conntrack=0; true");
    }

    @AfterEach
    void stopDaemons() {
        Shell.run(STOP_ALL);
    }

    static final IpvsSyncDaemon MASTER = new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "lbk-ipvs-s0", 5, 1400,
            ip("239.1.2.3"), 8850, 2);
    static final IpvsSyncDaemon BACKUP = IpvsSyncDaemon.of(IpvsSyncDaemon.Role.BACKUP, "lbk-ipvs-s1", 7);
    static final String IPVSADM_START = "ipvsadm --start-daemon master --mcast-interface lbk-ipvs-s0 --syncid 5 "
            + "--sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8850 --mcast-ttl 2 && "
            + "ipvsadm --start-daemon backup --mcast-interface lbk-ipvs-s1 --syncid 7";

    static InetAddress ip(String s) {
        return IpvsCodecTest.ip(s);
    }

    @Test
    void syncDaemonsStartedByIpvsadmAreReadExactlyByLbkitAndStoppedByIt() {
        Shell.run(IPVSADM_START);
        assertThat(ipvs.syncDaemons()).containsExactly(MASTER,
                // the kernel fills in its defaults: max length from the MTU, 224.0.0.81:8848, TTL 1
                new IpvsSyncDaemon(IpvsSyncDaemon.Role.BACKUP, "lbk-ipvs-s1", 7, 1472, ip("224.0.0.81"), 8848, 1));
        ipvs.stopSyncDaemon(IpvsSyncDaemon.Role.MASTER);
        assertThat(Shell.run("ipvsadm -L --daemon")).doesNotContain("master").contains("backup sync daemon");
        ipvs.stopSyncDaemon(IpvsSyncDaemon.Role.BACKUP);
        assertThat(Shell.run("ipvsadm -L --daemon")).isEmpty();
        assertThat(ipvs.syncDaemons()).isEmpty();
    }

    @Test
    void syncDaemonsStartedByLbkitShowInIpvsadmExactlyAsIfIpvsadmHadStartedThem() {
        Shell.run(IPVSADM_START);
        String byIpvsadm = Shell.run("ipvsadm -L --daemon");
        Shell.run(STOP_ALL);
        assertThat(Shell.run("ipvsadm -L --daemon")).isEmpty();

        ipvs.startSyncDaemon(MASTER);
        ipvs.startSyncDaemon(BACKUP);
        assertThat(Shell.run("ipvsadm -L --daemon")).isEqualTo(byIpvsadm).contains(
                "master sync daemon (mcast=lbk-ipvs-s0, syncid=5, maxlen=1400, group=239.1.2.3, port=8850, ttl=2)");
        Shell.run("ipvsadm --stop-daemon master");
        assertThat(ipvs.syncDaemons()).extracting(IpvsSyncDaemon::role).containsExactly(IpvsSyncDaemon.Role.BACKUP);
    }

    @Test
    void syncDaemonErrorsNameTheDaemonAndTheKernelsReason() {
        ipvs.startSyncDaemon(MASTER);
        assertThatThrownBy(() -> ipvs.startSyncDaemon(MASTER)).isInstanceOf(NetlinkException.class)
                .hasMessage("IPVS NEW_DAEMON master (interface lbk-ipvs-s0, syncid 5): File exists (EEXIST)");
        assertThatThrownBy(() -> ipvs.startSyncDaemon(IpvsSyncDaemon.of(IpvsSyncDaemon.Role.BACKUP, "lbk-nosuch", 1)))
                .hasMessageStartingWith("IPVS NEW_DAEMON backup (interface lbk-nosuch, syncid 1): No such device");
        assertThatThrownBy(() -> ipvs.stopSyncDaemon(IpvsSyncDaemon.Role.BACKUP))
                .hasMessageStartingWith("IPVS DEL_DAEMON backup: ");
    }

    @Test
    void drainSysctlsSetByLbkitShowInSysctlAndTheOtherWayRound() {
        for (IpvsSysctl s : IpvsSysctl.values()) {
            ipvs.setSysctl(s, 1);
            assertThat(Shell.run("sysctl -n " + s.key()).trim()).as(s.key()).isEqualTo("1");
            Shell.run("sysctl -qw " + s.key() + "=0");
            assertThat(ipvs.sysctl(s)).as(s.key()).isZero();
        }
        assertThatThrownBy(() -> ipvs.setSysctl(IpvsSysctl.CONNTRACK, 2))
                .hasMessage("IPVS sysctl net.ipv4.vs.conntrack must be 0 or 1 but was 2");
    }
}
