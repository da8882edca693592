package dev.lbkit.api;

import java.time.Duration;
import java.time.Instant;

/**
 * One health-check result as reported to {@link LoadBalancer#reportHealth}.
 *
 * <p>A check may also advise on the real server's share of traffic, as HAProxy's agent check does (an agent on
 * the real server answers {@code 75%} or {@code drain}): {@code weightPercent} scales the requested weight and
 * {@code drain} takes the server out of rotation the way an operator's DRAIN does (weight 0, live and
 * persisted connections go on). The advice applies while the server is up and its requested status is ONLINE:
 * an operator's OFFLINE or DRAIN, and a DOWN from health, always win. Checks without advice report
 * {@link #FULL_WEIGHT} and no drain.
 *
 * @param state         what the check concluded (the state after rise/fall, not the single probe)
 * @param reason        a short human-readable reason, e.g. {@code HTTP 503} or {@code connect timeout after 3 s}
 * @param latency       how long the check took, or {@link Duration#ZERO} when unknown
 * @param at            when the result was obtained
 * @param weightPercent the share of the requested weight to use, 0..256 ({@link #FULL_WEIGHT} = unchanged);
 *                      0 drains, like {@code drain}
 * @param drain         whether the server asks to be drained
 */
public record HealthReport(HealthState state, String reason, Duration latency, Instant at, int weightPercent,
        boolean drain) {
    /** The weight percentage that leaves the requested weight as it is. */
    public static final int FULL_WEIGHT = 100;
    /** The largest weight percentage (HAProxy's agent accepts up to 256 %). */
    public static final int MAX_WEIGHT_PERCENT = 256;

    public HealthReport {
        Validation.notNull(state, "health state");
        Validation.notNull(reason, "health reason");
        Validation.notNull(latency, "health latency");
        Validation.notNull(at, "health time");
        Validation.check(weightPercent >= 0 && weightPercent <= MAX_WEIGHT_PERCENT,
                "health weightPercent must be 0..%s but was %s", MAX_WEIGHT_PERCENT, weightPercent);
    }

    /** A result without weight advice: full weight, no drain. */
    public HealthReport(HealthState state, String reason, Duration latency, Instant at) {
        this(state, reason, latency, at, FULL_WEIGHT, false);
    }

    /** Whether the server asks for no new connections (drain, or 0 %). */
    public boolean drains() {
        return drain || weightPercent == 0;
    }
}
