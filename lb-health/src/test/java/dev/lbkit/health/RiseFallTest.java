package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The rise/fall state machine, by example and by property. */
class RiseFallTest {

    @Property(tries = 500)
    void theStateChangesExactlyWhenTheLastRiseOrFallResultsAgreeAgainstIt(
            @ForAll @Size(max = 200) List<Boolean> results, @ForAll @IntRange(min = 1, max = 6) int rise,
            @ForAll @IntRange(min = 1, max = 6) int fall, @ForAll boolean initiallyUp) {
        RiseFall m = new RiseFall(rise, fall, initiallyUp);
        boolean up = initiallyUp;
        for (int i = 0; i < results.size(); i++) {
            RiseFall.Transition t = m.record(results.get(i));
            boolean lastRiseAllPassed = i + 1 >= rise && results.subList(i + 1 - rise, i + 1).stream()
                    .allMatch(r -> r);
            boolean lastFallAllFailed = i + 1 >= fall && results.subList(i + 1 - fall, i + 1).stream()
                    .noneMatch(r -> r);
            // since the last change: a run that started before the change still counts, as in the model below
            boolean expectUp = up ? !lastFallAllFailed : lastRiseAllPassed;
            RiseFall.Transition expected = expectUp == up ? RiseFall.Transition.NONE
                    : expectUp ? RiseFall.Transition.WENT_UP : RiseFall.Transition.WENT_DOWN;
            assertThat(t).as("result %d of %s, rise %d fall %d", i, results, rise, fall).isEqualTo(expected);
            up = expectUp;
            assertThat(m.isUp()).isEqualTo(up);
        }
    }

    @Test
    void aDownServerNeedsRiseSuccessesInARow() {
        RiseFall m = new RiseFall(2, 3, false);
        assertThat(m.record(true)).isEqualTo(RiseFall.Transition.NONE);
        assertThat(m.record(false)).isEqualTo(RiseFall.Transition.NONE);
        assertThat(m.record(true)).isEqualTo(RiseFall.Transition.NONE);
        assertThat(m.isChanging()).isTrue();
        assertThat(m.record(true)).isEqualTo(RiseFall.Transition.WENT_UP);
        assertThat(m.isChanging()).isFalse();
    }

    @Test
    void anUpServerNeedsFallFailuresInARow() {
        RiseFall m = new RiseFall(2, 3, true);
        m.record(false);
        m.record(false);
        m.record(true);
        m.record(false);
        m.record(false);
        assertThat(m.isUp()).isTrue();
        assertThat(m.record(false)).isEqualTo(RiseFall.Transition.WENT_DOWN);
    }

    @Test
    void theIntervalIsFastWhileChangingAndSlowWhileDown() {
        var s = dev.lbkit.api.CheckSettings.defaults().withInterval(java.time.Duration.ofSeconds(4))
                .withFastInterval(java.time.Duration.ofSeconds(1)).withDownInterval(java.time.Duration.ofSeconds(9))
                .withRiseFall(2, 2);
        RiseFall m = RiseFall.of(s);
        assertThat(m.nextInterval(s)).hasSeconds(4);
        m.record(false);
        assertThat(m.nextInterval(s)).hasSeconds(1);
        m.record(false);
        assertThat(m.nextInterval(s)).hasSeconds(9);
        m.record(true);
        assertThat(m.nextInterval(s)).hasSeconds(1);
    }
}
