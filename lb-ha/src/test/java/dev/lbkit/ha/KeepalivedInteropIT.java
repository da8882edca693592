package dev.lbkit.ha;

import static dev.lbkit.ha.HaLab.awaitTrue;
import static dev.lbkit.ha.HaLab.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HaState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * lbkit against keepalived 2.2 (Debian's) in network namespaces, in both roles: a real kernel, real VRRP packets
 * on a bridge, the client's ARP cache as the judge of who owns the VIP.
 */
class KeepalivedInteropIT {
    static final Duration FAST = Duration.ofMillis(100);
    static final Duration SETTLE = Duration.ofSeconds(10);

    @Test
    void lbkitTakesOverFromAKilledKeepalivedAndTheClientFollowsItsGratuitousArp() throws Exception {
        try (HaLab lab = new HaLab()) {
            HaLab.Keepalived ka = lab.keepalived("1", 150, "0.1", "");
            try (VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("2"))
                    .instance(HaLab.instance(100, FAST).build()).start()) {
                awaitTrue(SETTLE, () -> lab.holdsVip("1"), "keepalived (priority 150) holds the VIP");
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").advertsReceived() > 3,
                        "lbkit hears keepalived's adverts");
                assertThat(lbkit.status().instance("vi_51").state()).isEqualTo(HaState.BACKUP);
                assertThat(lbkit.status().instance("vi_51").master()).hasToString("/10.77.0.1");
                assertThat(lab.holdsVip("2")).isFalse();
                assertThat(lab.clientResolvesVip()).isEqualTo(HaLab.MAC1);

                HaLab.Capture arp = lab.captureArp();
                ka.kill();
                awaitTrue(SETTLE, () -> lab.holdsVip("2"), "lbkit adds the VIP after keepalived's SIGKILL");
                assertThat(lbkit.status().instance("vi_51").state()).isEqualTo(HaState.MASTER);
                awaitTrue(SETTLE, () -> HaLab.MAC2.equals(lab.clientNeighbour()),
                        "the client's ARP cache points at lbkit's node");
                awaitTrue(SETTLE, () -> arp.garpsFrom(HaLab.MAC2) >= 5, "5 gratuitous ARPs from lbkit's node");

                // keepalived comes back: it removes the VIP its killed predecessor left, then preempts.
                lab.keepalived("1", 150, "0.1", "");
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").state() == HaState.BACKUP,
                        "lbkit yields to the returning higher-priority keepalived");
                awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "only keepalived holds the VIP");
                holdsFor(Duration.ofSeconds(1), () -> lab.holdsVip("1") != lab.holdsVip("2"),
                        "exactly one node holds the VIP");
                assertThat(lbkit.status().instance("vi_51").drops()).isEmpty();
            }
        }
    }

    @Test
    void keepalivedTakesOverAtOnceWhenLbkitStopsCleanlyAndLbkitPreemptsWhenBack() throws Exception {
        try (HaLab lab = new HaLab()) {
            HaLab.Keepalived ka = lab.keepalived("2", 100, "0.1", "");
            VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).build()).start();
            try {
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").state() == HaState.MASTER, "lbkit master");
                awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "only lbkit holds the VIP");
                holdsFor(Duration.ofMillis(500), () -> !lab.holdsVip("2"), "keepalived stays backup");
            } finally {
                lbkit.close(); // priority 0
            }
            assertThat(lab.holdsVip("1")).isFalse(); // removed on the way out
            awaitTrue(Duration.ofSeconds(2), () -> lab.holdsVip("2"), "keepalived takes over");
            awaitTrue(SETTLE, () -> ka.log().contains("Backup received priority 0 advertisement"),
                    "keepalived saw lbkit's priority-0 advert");

            try (VrrpRouter back = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).build()).start()) {
                awaitTrue(SETTLE, () -> back.status().instance("vi_51").state() == HaState.MASTER,
                        "lbkit preempts keepalived");
                awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "keepalived released the VIP");
                assertThat(back.status().instance("vi_51").drops()).isEmpty();
            }
        }
    }

    @Test
    void keepalivedTakesOverFromAKilledLbkitWhoseRestartRemovesTheStaleVip() throws Exception {
        try (HaLab lab = new HaLab()) {
            lab.keepalived("2", 100, "0.1", "");
            VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).build()).start();
            awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "lbkit holds the VIP");
            lbkit.abandon(); // like SIGKILL: no priority 0, the VIP stays in the kernel
            assertThat(lab.holdsVip("1")).isTrue();
            awaitTrue(SETTLE, () -> lab.holdsVip("2"), "keepalived takes over after master down");

            try (VrrpRouter back = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).build()).start()) {
                // The stale VIP is gone before the instance even runs as backup.
                assertThat(back.status().instance("vi_51").state()).isNotEqualTo(HaState.MASTER);
                assertThat(lab.holdsVip("1")).isFalse();
                awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "lbkit preempts again");
            }
        }
    }

    @Test
    void withoutPreemptionAHigherPriorityLbkitLeavesARunningKeepalivedMaster() {
        try (HaLab lab = new HaLab()) {
            lab.keepalived("2", 100, "0.1", "");
            awaitTrue(SETTLE, () -> lab.holdsVip("2"), "keepalived master");
            try (VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).preempt(false).build()).start()) {
                holdsFor(Duration.ofSeconds(2), () -> !lab.holdsVip("1") && lab.holdsVip("2"),
                        "keepalived stays master for 5 master-down intervals");
                assertThat(lbkit.status().instance("vi_51").state()).isEqualTo(HaState.BACKUP);
            }
        }
    }

    @Test
    void inTheRfc9568ChecksumModeKeepalivedsAdvertsAreDroppedUnlessEitherModeIsAccepted() {
        try (HaLab lab = new HaLab()) {
            lab.keepalived("1", 150, "0.1", "");
            awaitTrue(SETTLE, () -> lab.holdsVip("1"), "keepalived master");
            try (VrrpRouter either = VrrpRouter.builder().networkNamespace(lab.nsPath("2"))
                    .instance(HaLab.instance(100, FAST).checksumMode(ChecksumMode.NO_PSEUDO_HEADER)
                            .acceptEitherChecksum(true).build()).start()) {
                awaitTrue(SETTLE, () -> either.status().instance("vi_51").advertsReceived() > 5,
                        "keepalived's pseudo-header adverts accepted");
                holdsFor(Duration.ofSeconds(1), () -> either.status().instance("vi_51").state() == HaState.BACKUP,
                        "lbkit stays backup");
                assertThat(either.status().instance("vi_51").dropped(DropReason.CHECKSUM)).isZero();
            }
            try (VrrpRouter strict = VrrpRouter.builder().networkNamespace(lab.nsPath("2"))
                    .instance(HaLab.instance(100, FAST).checksumMode(ChecksumMode.NO_PSEUDO_HEADER).build())
                    .start()) {
                awaitTrue(SETTLE, () -> strict.status().instance("vi_51").dropped(DropReason.CHECKSUM) > 5,
                        "keepalived's adverts dropped as CHECKSUM and counted");
                assertThat(strict.status().instance("vi_51").advertsReceived()).isZero();
            }
        }
    }
}
