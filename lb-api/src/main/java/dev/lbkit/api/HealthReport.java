package dev.lbkit.api;

import java.time.Duration;
import java.time.Instant;

/**
 * One health-check result as reported to {@link LoadBalancer#reportHealth}.
 *
 * @param state   what the check concluded (the state after rise/fall, not the single probe)
 * @param reason  a short human-readable reason, e.g. {@code HTTP 503} or {@code connect timeout after 3 s}
 * @param latency how long the check took, or {@link Duration#ZERO} when unknown
 * @param at      when the result was obtained
 */
public record HealthReport(HealthState state, String reason, Duration latency, Instant at) {
    public HealthReport {
        Validation.notNull(state, "health state");
        Validation.notNull(reason, "health reason");
        Validation.notNull(latency, "health latency");
        Validation.notNull(at, "health time");
    }
}
