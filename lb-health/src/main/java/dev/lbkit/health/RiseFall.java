package dev.lbkit.health;

import dev.lbkit.api.CheckSettings;
import java.time.Duration;

/**
 * The rise/fall state machine of one probe: {@code fall} consecutive failures take an up server down,
 * {@code rise} consecutive successes bring a down server up; anything else leaves the state as it is. It starts
 * up or down as {@link CheckSettings#initiallyUp()} says. Not thread-safe: confined to the probe's loop.
 */
final class RiseFall {
    /** What one result did to the state. */
    enum Transition {
        NONE, WENT_UP, WENT_DOWN
    }

    private final int rise;
    private final int fall;
    private boolean up;
    private int successes;
    private int failures;

    RiseFall(int rise, int fall, boolean initiallyUp) {
        this.rise = rise;
        this.fall = fall;
        this.up = initiallyUp;
    }

    static RiseFall of(CheckSettings s) {
        return new RiseFall(s.rise(), s.fall(), s.initiallyUp());
    }

    Transition record(boolean success) {
        if (success) {
            failures = 0;
            successes = Math.min(successes + 1, rise);
            if (!up && successes >= rise) {
                up = true;
                return Transition.WENT_UP;
            }
        } else {
            successes = 0;
            failures = Math.min(failures + 1, fall);
            if (up && failures >= fall) {
                up = false;
                return Transition.WENT_DOWN;
            }
        }
        return Transition.NONE;
    }

    boolean isUp() {
        return up;
    }

    /** Whether the last results point away from the current state (so the next check comes sooner). */
    boolean isChanging() {
        return up ? failures > 0 : successes > 0;
    }

    /** The wait before the next check: fast while changing, the down interval while down, else the interval. */
    Duration nextInterval(CheckSettings s) {
        if (isChanging()) {
            return s.fastInterval();
        }
        return up ? s.interval() : s.downInterval();
    }

    @Override
    public String toString() {
        return (up ? "up" : "down") + " (successes " + successes + "/" + rise + ", failures " + failures + "/" + fall
                + ")";
    }
}
