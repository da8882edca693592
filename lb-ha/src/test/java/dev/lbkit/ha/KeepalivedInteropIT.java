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
    static final Duration FAST = HaLab.ADVERT;
    static final Duration SETTLE = Duration.ofSeconds(10);

    @Test
    void lbkitTakesOverFromAKilledKeepalivedAndTheClientFollowsItsGratuitousArp() throws Exception {
        try (HaLab lab = new HaLab()) {
            HaLab.Keepalived ka = lab.keepalived("1", 150, HaLab.ADVERT_S, "");
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
                lab.keepalived("1", 150, HaLab.ADVERT_S, "");
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
            HaLab.Keepalived ka = lab.keepalived("2", 100, HaLab.ADVERT_S, "");
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
            awaitTrue(Duration.ofSeconds(3), () -> lab.holdsVip("2"), "keepalived takes over");
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
            lab.keepalived("2", 100, HaLab.ADVERT_S, "");
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
            lab.keepalived("2", 100, HaLab.ADVERT_S, "");
            awaitTrue(SETTLE, () -> lab.holdsVip("2"), "keepalived master");
            try (VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1"))
                    .instance(HaLab.instance(150, FAST).preempt(false).build()).start()) {
                holdsFor(Duration.ofSeconds(3), () -> !lab.holdsVip("1") && lab.holdsVip("2"),
                        "keepalived stays master for almost 3 master-down intervals");
                assertThat(lbkit.status().instance("vi_51").state()).isEqualTo(HaState.BACKUP);
            }
        }
    }

    @Test
    void inTheRfc9568ChecksumModeKeepalivedsAdvertsAreDroppedUnlessEitherModeIsAccepted() {
        try (HaLab lab = new HaLab()) {
            HaLab.Keepalived ka = lab.keepalived("1", 150, HaLab.ADVERT_S, "");
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
                // keepalived keeps sending while it drops lbkit's adverts in turn (it slows down to ~1/s then,
                // as it re-arms its timer on each packet received), so a few drops are what is certain.
                awaitTrue(SETTLE, () -> strict.status().instance("vi_51").dropped(DropReason.CHECKSUM) >= 3,
                        "keepalived's adverts dropped as CHECKSUM and counted");
                awaitTrue(SETTLE, () -> ka.log().contains("Invalid VRRPv3 checksum"),
                        "and keepalived drops lbkit's RFC 9568 adverts in turn");
                assertThat(strict.status().instance("vi_51").advertsReceived()).isZero();
            }
        }
    }
    @Test
    void unicastPeersFailOverBothWaysAndNotifyCommandsRunOnEveryTransition() throws Exception {
        try (HaLab lab = new HaLab()) {
            java.nio.file.Path notes = lab.dir.resolve("notify.txt");
            HaLab.Keepalived ka = lab.keepalived("2", 100, HaLab.ADVERT_S,
                    "  unicast_src_ip 10.77.0.2\n  unicast_peer {\n    10.77.0.1\n  }\n");
            VrrpInstanceConfig c = HaLab.instance(150, FAST).unicastSource("10.77.0.1").unicastPeer("10.77.0.2")
                    .notifyCommand(java.util.List.of("/bin/sh", "-c", "echo \"$*\" >> " + notes, "notify")).build();
            try (VrrpRouter lbkit = VrrpRouter.builder().networkNamespace(lab.nsPath("1")).instance(c).start()) {
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").state() == HaState.MASTER
                        && lab.holdsVip("1") && !lab.holdsVip("2"), "lbkit master over unicast");
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").splitBrains() > 0
                        || lbkit.status().instance("vi_51").advertsSent() > 10, "adverts flow");
                holdsFor(Duration.ofMillis(500), () -> !lab.holdsVip("2"), "keepalived stays backup");
                lab.link("1", false);
                awaitTrue(SETTLE, () -> lab.holdsVip("2"), "keepalived takes over when lbkit's link goes");
                awaitTrue(SETTLE, () -> lbkit.status().instance("vi_51").state() == HaState.FAULT, "lbkit FAULT");
                lab.link("1", true);
                awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "lbkit preempts over unicast");
            }
            awaitTrue(SETTLE, () -> HaLab.readOrEmpty(notes).contains("INSTANCE vi_51 INIT 150"), "notify of the stop");
            assertThat(HaLab.readOrEmpty(notes).lines().toList()).containsSubsequence("INSTANCE vi_51 BACKUP 150",
                    "INSTANCE vi_51 MASTER 150", "INSTANCE vi_51 FAULT 150", "INSTANCE vi_51 BACKUP 150",
                    "INSTANCE vi_51 MASTER 150", "INSTANCE vi_51 INIT 150");
            assertThat(ka.log()).doesNotContain("bad checksum").doesNotContain("Invalid");
        }
    }
}
