package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HaState;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** RFC 9568 section 6.4 on a clock the test moves (nanoseconds). */
class VrrpStateMachineTest {
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final InetAddress ME = VrrpCodecTest.ip("10.0.0.2");
    static final InetAddress PEER = VrrpCodecTest.ip("10.0.0.1");
    final RecordingActions actions = new RecordingActions();

    VrrpStateMachine machine(int priority, boolean preempt) {
        return new VrrpStateMachine(actions, priority, 100, preempt, 0, ME);
    }

    @Test
    void aBackupBecomesMasterExactlyWhenTheMasterDownIntervalExpires() {
        VrrpStateMachine sm = machine(100, true);
        sm.start(0, true);
        assertThat(sm.state()).isEqualTo(HaState.BACKUP);
        // 3 x 1 s + (256 - 100) / 256 s = 3.609375 s, as keepalived and the harness's README compute it
        assertThat(sm.deadline()).isEqualTo(3 * S + 609_375 * 1000L);
        sm.onAdvert(1 * S, 150, 100, PEER);
        assertThat(sm.deadline()).isEqualTo(1 * S + 3_609_375_000L);
        sm.onTimer(1 * S + 3_609_374_999L);
        assertThat(sm.state()).isEqualTo(HaState.BACKUP);
        sm.onTimer(1 * S + 3_609_375_000L);
        assertThat(sm.state()).isEqualTo(HaState.MASTER);
        assertThat(actions.log).containsExactly("INIT->BACKUP", "take", "advert 100", "BACKUP->MASTER");
        assertThat(sm.deadline()).isEqualTo(1 * S + 3_609_375_000L + S);
    }

    @Test
    void aPriorityZeroAdvertLeavesOnlyTheSkewTime() {
        VrrpStateMachine sm = machine(100, true);
        sm.start(0, true);
        sm.onAdvert(1 * S, 150, 10, PEER); // the master's 0.1 s interval is learnt
        sm.onAdvert(2 * S, 0, 10, PEER);
        assertThat(sm.deadline()).isEqualTo(2 * S + 156 * 100 * MS / 256);
        assertThat(sm.priorityZeroReceived).isEqualTo(1);
    }

    @Test
    void aCleanStopOfAMasterSendsPriorityZeroAndReleasesTheAddresses() {
        VrrpStateMachine sm = machine(255, true);
        sm.start(0, true);
        assertThat(sm.state()).isEqualTo(HaState.MASTER); // the address owner does not wait
        sm.shutdown(S);
        assertThat(actions.adverts).containsExactly(255, 0);
        assertThat(actions.holding).isFalse();
        assertThat(sm.state()).isEqualTo(HaState.INIT);
        assertThat(sm.deadline()).isEqualTo(VrrpStateMachine.NEVER);
    }

    @Test
    void withPreemptionALowerPriorityMasterIsIgnoredUntilTheBackupTakesOver() {
        VrrpStateMachine sm = machine(150, true);
        sm.start(0, true);
        long d = sm.deadline();
        sm.onAdvert(S, 100, 100, PEER);
        assertThat(sm.deadline()).isEqualTo(d); // discarded
        sm.onTimer(d);
        assertThat(sm.state()).isEqualTo(HaState.MASTER);
    }

    @Test
    void withoutPreemptionALowerPriorityMasterIsFollowed() {
        VrrpStateMachine sm = machine(150, false);
        sm.start(0, true);
        sm.onAdvert(S, 100, 100, PEER);
        assertThat(sm.deadline()).isEqualTo(S + 3 * S + 106 * S / 256);
        assertThat(sm.masterAddress()).isEqualTo(PEER);
    }

    @Test
    void aPreemptDelayFollowsALowerMasterUntilItHasPassed() {
        VrrpStateMachine sm = new VrrpStateMachine(actions, 150, 100, true, 10 * S, ME);
        sm.start(0, true);
        sm.onAdvert(5 * S, 100, 100, PEER);
        assertThat(sm.deadline()).isEqualTo(5 * S + 3 * S + 106 * S / 256);
        long d = sm.deadline();
        sm.onAdvert(11 * S, 100, 100, PEER); // past the delay: ignored, so the timer runs out
        assertThat(sm.deadline()).isEqualTo(d);
    }

    @Test
    void twoMastersAreCountedAndTheHigherPriorityOrHigherAddressWins() {
        VrrpStateMachine sm = machine(100, true);
        sm.start(0, true);
        sm.onTimer(sm.deadline());
        sm.onAdvert(10 * S, 90, 100, PEER); // lower: this one stays, answers at once
        assertThat(sm.state()).isEqualTo(HaState.MASTER);
        assertThat(actions.adverts).containsExactly(100, 100);
        sm.onAdvert(11 * S, 100, 100, PEER); // equal priority, PEER 10.0.0.1 < ME 10.0.0.2: stays
        assertThat(sm.state()).isEqualTo(HaState.MASTER);
        sm.onAdvert(12 * S, 100, 100, VrrpCodecTest.ip("10.0.0.3")); // equal, higher address: yields
        assertThat(sm.state()).isEqualTo(HaState.BACKUP);
        assertThat(actions.holding).isFalse();
        assertThat(sm.splitBrains).isEqualTo(3);
    }

    @Test
    void aFaultReleasesTheAddressesAndRecoveryStartsAsBackup() {
        VrrpStateMachine sm = machine(100, true);
        sm.start(0, true);
        sm.onTimer(sm.deadline());
        sm.setFault(5 * S, true, "link down");
        assertThat(sm.state()).isEqualTo(HaState.FAULT);
        assertThat(actions.holding).isFalse();
        sm.onAdvert(6 * S, 200, 100, PEER); // ignored in FAULT
        assertThat(sm.state()).isEqualTo(HaState.FAULT);
        sm.setFault(7 * S, false, "link up");
        assertThat(sm.state()).isEqualTo(HaState.BACKUP);
        assertThat(sm.deadline()).isEqualTo(7 * S + 3_609_375_000L);
    }

    @Test
    void aLowerPriorityIsAdvertisedAtOnce() {
        VrrpStateMachine sm = machine(150, true);
        sm.start(0, true);
        sm.onTimer(sm.deadline());
        sm.setPriority(10 * S, 150, 60);
        assertThat(sm.effectivePriority()).isEqualTo(90);
        assertThat(actions.adverts).containsExactly(150, 90);
        sm.setPriority(11 * S, 150, 500);
        assertThat(sm.effectivePriority()).isEqualTo(1);
    }
}
