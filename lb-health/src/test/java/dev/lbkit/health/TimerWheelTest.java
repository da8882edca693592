package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timer wheel on a made-up clock: no sleeping. */
class TimerWheelTest {
    private static final long MS = 1_000_000;
    private final List<String> fired = new ArrayList<>();
    private final TimerWheel wheel = new TimerWheel(0);

    private void advance(long nanos) {
        wheel.advance(nanos, e -> fired.add("error " + e.getMessage()));
    }

    @Test
    void timersFireByDeadlineAndInTheOrderTheyWereSetWithinATick() {
        wheel.schedule(5 * MS, () -> fired.add("b"));
        wheel.schedule(2 * MS, () -> fired.add("a"));
        wheel.schedule(5 * MS, () -> fired.add("c"));
        advance(4 * MS);
        assertThat(fired).containsExactly("a");
        advance(5 * MS);
        assertThat(fired).containsExactly("a", "b", "c");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aCancelledTimerDoesNotFire() {
        TimerWheel.Timer t = wheel.schedule(3 * MS, () -> fired.add("x"));
        wheel.schedule(3 * MS, () -> fired.add("y"));
        t.cancel();
        t.cancel();
        advance(10 * MS);
        assertThat(fired).containsExactly("y");
    }

    @Test
    void aTimerMoreThanOneTurnAwayWaitsForItsTurn() {
        long far = (TimerWheel.SLOTS + 10) * MS;
        wheel.schedule(far, () -> fired.add("far"));
        wheel.schedule(10 * MS, () -> fired.add("near"));
        advance(20 * MS);
        assertThat(fired).containsExactly("near");
        assertThat(wheel.nanosToNext(20 * MS)).isEqualTo(far - 20 * MS);
        advance(far - MS);
        assertThat(fired).containsExactly("near");
        advance(far);
        assertThat(fired).containsExactly("near", "far");
        assertThat(wheel.nanosToNext(far)).isEqualTo(-1);
    }

    @Test
    void aTimerSetInThePastFiresOnTheNextTick() {
        advance(100 * MS);
        wheel.schedule(50 * MS, () -> fired.add("late"));
        assertThat(wheel.nanosToNext(100 * MS)).isEqualTo(MS);
        advance(101 * MS);
        assertThat(fired).containsExactly("late");
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheOthers() {
        wheel.schedule(MS, () -> {
            throw new IllegalStateException("boom");
        });
        wheel.schedule(MS, () -> fired.add("after"));
        advance(2 * MS);
        assertThat(fired).containsExactly("error boom", "after");
    }

    @Test
    void aTimerSetByARunningTaskForNowFiresOnTheNextTickNotATurnLater() {
        wheel.schedule(5 * MS, () -> wheel.schedule(5 * MS, () -> fired.add("again")));
        advance(5 * MS);
        assertThat(fired).isEmpty();
        advance(6 * MS);
        assertThat(fired).containsExactly("again");
    }

    @Test
    void aTaskMayCancelATimerDueInTheSameTick() {
        TimerWheel.Timer[] other = new TimerWheel.Timer[1];
        wheel.schedule(3 * MS, () -> {
            fired.add("first");
            other[0].cancel();
        });
        other[0] = wheel.schedule(3 * MS, () -> fired.add("cancelled"));
        wheel.schedule(3 * MS, () -> fired.add("third"));
        advance(3 * MS);
        assertThat(fired).containsExactly("first", "third");
    }
}
