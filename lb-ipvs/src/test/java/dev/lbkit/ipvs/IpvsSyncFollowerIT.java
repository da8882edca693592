package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.api.HaState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sync daemon follows HA transitions in a real kernel, checked with ipvsadm (runs in the IPVS VM). */
class IpvsSyncFollowerIT {

    @BeforeAll
    static void link() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
        Shell.run("ip link del lbk-ipvs-f0 2>/dev/null; ip link add lbk-ipvs-f0 type veth peer name lbk-ipvs-f1"
                + " && ip link set lbk-ipvs-f0 up && ip link set lbk-ipvs-f1 up");
    }

    @AfterAll
    static void unlink() {
        Shell.run(IpvsKernelSettingsIT.STOP_ALL + "; ip link del lbk-ipvs-f0 2>/dev/null; true");
    }

    @AfterEach
    void stopDaemons() {
        Shell.run(IpvsKernelSettingsIT.STOP_ALL);
    }

    @Test
    void runsTheDaemonAsMasterWhileMasterAndAsBackupWhileBackupLikeKeepalived() {
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "lbk-ipvs-f0", 9);

        follower.onHaStateChange("vi_1", HaState.INIT, HaState.BACKUP, "startup");
        assertThat(daemons()).contains("backup sync daemon (mcast=lbk-ipvs-f0, syncid=9")
                .doesNotContain("master sync daemon");

        follower.onHaStateChange("vi_1", HaState.BACKUP, HaState.MASTER, "master down timer expired");
        assertThat(daemons()).contains("master sync daemon (mcast=lbk-ipvs-f0, syncid=9")
                .doesNotContain("backup sync daemon");
        assertThat(follower.role()).contains(IpvsSyncDaemon.Role.MASTER);

        follower.onHaStateChange("vi_1", HaState.MASTER, HaState.FAULT, "interface down");
        assertThat(daemons()).doesNotContain("sync daemon");
        assertThat(follower.role()).isEmpty();
        assertThat(follower.failures()).isZero();
    }

    @Test
    void ignoresOtherInstancesAndStopsItsDaemonOnClose() {
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "lbk-ipvs-f0", 9);

        follower.onHaStateChange("vi_2", HaState.INIT, HaState.MASTER, "another group");
        assertThat(daemons()).doesNotContain("sync daemon");

        follower.follow(HaState.MASTER);
        follower.close();
        assertThat(daemons()).doesNotContain("sync daemon");
    }

    @Test
    void replacesADaemonOfTheOtherRoleOrWithOtherSettingsStartedBySomeoneElse() {
        Shell.run("ipvsadm --start-daemon backup --mcast-interface lbk-ipvs-f1 --syncid 3");
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "lbk-ipvs-f0", 9);

        follower.follow(HaState.BACKUP);

        assertThat(daemons()).contains("backup sync daemon (mcast=lbk-ipvs-f0, syncid=9")
                .doesNotContain("syncid=3");
    }

    @Test
    void aTransitionTheKernelRefusesIsCountedNotThrownAtTheHaThread() {
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "lbk-nosuch0", 9);

        follower.onHaStateChange("vi_1", HaState.INIT, HaState.MASTER, "startup");

        assertThat(follower.failures()).isEqualTo(1);
        assertThat(follower.lastError()).hasValueSatisfying(m -> assertThat(m).contains("lbk-nosuch0"));
        assertThat(follower.role()).isEmpty();
    }

    private static String daemons() {
        return Shell.run("ipvsadm -L --daemon");
    }
}
