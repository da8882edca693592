package dev.lbkit.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lbkit.api.HaState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IpvsSyncFollowerTest {

    @Test
    void onAKernelWithoutIpvsATransitionIsCountedWithTheReasonAndNeverThrown() {
        assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has IPVS (the VM IT covers it)");
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "eth0", 1);

        follower.onHaStateChange("vi_1", HaState.INIT, HaState.MASTER, "startup");
        follower.onHaStateChange("vi_1", HaState.MASTER, HaState.BACKUP, "higher priority seen");

        assertThat(follower.failures()).isEqualTo(2);
        assertThat(follower.lastError()).hasValueSatisfying(m -> assertThat(m).containsIgnoringCase("IPVS"));
        assertThat(follower.role()).isEmpty();
    }

    @Test
    void transitionsOfOtherInstancesDoNotTouchTheKernel() {
        IpvsSyncFollower follower = IpvsSyncFollower.of("vi_1", "eth0", 1);

        follower.onHaStateChange("vi_2", HaState.INIT, HaState.MASTER, "another group");

        assertThat(follower.failures()).isZero();
        assertThat(follower.role()).isEmpty();
    }

    @Test
    void aBlankInstanceOrABadDaemonSettingIsRejectedWithTheField() {
        assertThatThrownBy(() -> IpvsSyncFollower.of(" ", "eth0", 1))
                .hasMessage("sync follower: instance must not be blank but was ' '");
        assertThatThrownBy(() -> IpvsSyncFollower.of("vi_1", "eth0", 256))
                .hasMessage("sync daemon: syncId must be 0..255 but was 256");
    }
}
