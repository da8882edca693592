package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HaState;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Random event sequences: the invariants of the state machine hold after every step. */
class VrrpStateMachinePropertyTest {

    sealed interface Event permits Tick, Advert, Fault, Priority, Shutdown {}

    record Tick(long millis) implements Event {}

    record Advert(int priority, int centis, boolean higherAddress) implements Event {}

    record Fault(boolean down) implements Event {}

    record Priority(int reduction) implements Event {}

    record Shutdown() implements Event {}

    @Provide
    Arbitrary<Event> events() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 5000).map(Tick::new)),
                net.jqwik.api.Tuple.of(5, Combinators.combine(Arbitraries.integers().between(0, 255),
                        Arbitraries.integers().between(1, 300), Arbitraries.of(true, false)).as(Advert::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(Fault::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 100).map(Priority::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Shutdown())));
    }

    @Property(tries = 300)
    void addressesAreHeldExactlyInMasterAndTimersMatchTheState(@ForAll @Size(max = 60) List<@From("events") Event> events,
            @ForAll("priorities") int priority, @ForAll boolean preempt) {
        RecordingActions actions = new RecordingActions();
        VrrpStateMachine sm = new VrrpStateMachine(actions, priority, 100, preempt, 0,
                VrrpCodecTest.ip("10.0.0.5"));
        long now = 0;
        sm.start(now, true);
        boolean stopped = false;
        for (Event e : events) {
            if (stopped) {
                break;
            }
            if (e instanceof Tick t) {
                now += t.millis() * 1_000_000L;
                while (now >= sm.deadline()) {
                    sm.onTimer(now);
                }
            } else if (e instanceof Advert a) {
                HaState before = sm.state();
                int mine = sm.effectivePriority();
                sm.onAdvert(now, a.priority(), a.centis(),
                        VrrpCodecTest.ip(a.higherAddress() ? "10.0.0.9" : "10.0.0.1"));
                if (before == HaState.MASTER && a.priority() > mine) {
                    assertThat(sm.state()).isEqualTo(HaState.BACKUP);
                }
                if (before == HaState.MASTER && a.priority() != 0 && a.priority() < mine) {
                    assertThat(sm.state()).isEqualTo(HaState.MASTER);
                }
            } else if (e instanceof Fault f) {
                sm.setFault(now, f.down(), "test");
            } else if (e instanceof Priority p) {
                sm.setPriority(now, priority, p.reduction());
            } else {
                sm.shutdown(now);
                stopped = true;
            }
            assertThat(actions.holding).isEqualTo(sm.state() == HaState.MASTER);
            assertThat(sm.deadline() == VrrpStateMachine.NEVER)
                    .isEqualTo(sm.state() == HaState.INIT || sm.state() == HaState.FAULT);
            assertThat(sm.state() == HaState.FAULT).isEqualTo(sm.inFault() && !stopped);
            if (sm.state() == HaState.BACKUP) {
                assertThat(sm.deadline() - now).isLessThanOrEqualTo(sm.masterDownNanos() + 3 * 3_000_000_000L);
            }
        }
        if (stopped) {
            assertThat(sm.state()).isEqualTo(HaState.INIT);
            assertThat(actions.holding).isFalse();
        }
    }

    @Provide
    Arbitrary<Integer> priorities() {
        return Arbitraries.integers().between(1, 255);
    }
}
