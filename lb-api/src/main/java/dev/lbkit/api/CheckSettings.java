package dev.lbkit.api;

import java.time.Duration;

/**
 * What every health check shares: when it runs, how many results change the state, where it goes and what a
 * failure does. Immutable; start from {@link #defaults()} and change with the {@code with...} methods.
 *
 * <p>Defaults: interval 5 s (also while changing state and while down), timeout 3 s, rise 2, fall 3, starts
 * up, {@link FailureAction#QUIESCE}, the real server's own port.
 *
 * @param interval     time between checks while the state is stable and up
 * @param fastInterval time between checks while the state is changing (HAProxy {@code fastinter})
 * @param downInterval time between checks while down (HAProxy {@code downinter})
 * @param timeout      how long one check may take; at most the interval
 * @param rise         consecutive successes that bring a down server up, 1..1000
 * @param fall         consecutive failures that take an up server down, 1..1000
 * @param initiallyUp  whether a server counts as up before its first result
 * @param onFailure    quiesce (weight 0) or remove a failed server
 * @param port         the port checked, 1..65535, or 0 for the real server's port
 */
public record CheckSettings(Duration interval, Duration fastInterval, Duration downInterval, Duration timeout,
        int rise, int fall, boolean initiallyUp, FailureAction onFailure, int port) {

    private static final CheckSettings DEFAULTS = new CheckSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(3), 2, 3, true, FailureAction.QUIESCE, 0);

    public CheckSettings {
        Validation.positive(interval, "health check interval");
        Validation.positive(fastInterval, "health check fastInterval");
        Validation.positive(downInterval, "health check downInterval");
        Validation.positive(timeout, "health check timeout");
        Validation.check(timeout.compareTo(interval) <= 0,
                "health check timeout must not exceed the interval but was %s > %s", timeout, interval);
        Validation.range(rise, 1, 1000, "health check rise");
        Validation.range(fall, 1, 1000, "health check fall");
        Validation.notNull(onFailure, "health check onFailure");
        Validation.range(port, 0, 65535, "health check port");
    }

    /** The defaults listed on this type. */
    public static CheckSettings defaults() {
        return DEFAULTS;
    }

    /** Sets the interval, and the fast and down intervals with it. */
    public CheckSettings withInterval(Duration interval) {
        Duration t = timeout.compareTo(interval) > 0 ? interval : timeout;
        return new CheckSettings(interval, interval, interval, t, rise, fall, initiallyUp, onFailure, port);
    }

    public CheckSettings withFastInterval(Duration fastInterval) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withDownInterval(Duration downInterval) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withTimeout(Duration timeout) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withRiseFall(int rise, int fall) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withInitiallyUp(boolean initiallyUp) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withOnFailure(FailureAction onFailure) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }

    public CheckSettings withPort(int port) {
        return new CheckSettings(interval, fastInterval, downInterval, timeout, rise, fall, initiallyUp, onFailure,
                port);
    }
}
