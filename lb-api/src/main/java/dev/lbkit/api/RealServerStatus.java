package dev.lbkit.api;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one real server as {@link LoadBalancer#status()} sees it.
 *
 * @param label           the real-server label
 * @param endpoint        {@code address:port} as configured
 * @param requested       what the operator asked
 * @param health          what health checks found
 * @param actual          what it is actually doing
 * @param weight          the configured weight
 * @param effectiveWeight the weight the dataplane was given (0 when drained, offline or quiesced); -1 when the
 *                        dataplane was told to remove it (health failure with {@link FailureAction#REMOVE})
 * @param stats           the dataplane's counters
 * @param recentChecks    the last health results, oldest first (at most {@link LoadBalancer.Builder#healthHistory})
 */
public record RealServerStatus(String label, String endpoint, RequestedStatus requested, HealthState health,
        ActualStatus actual, int weight, int effectiveWeight, TrafficStats stats, List<HealthReport> recentChecks) {

    public RealServerStatus {
        recentChecks = List.copyOf(recentChecks);
    }

    /** The newest health result, if any. */
    public Optional<HealthReport> lastCheck() {
        return recentChecks.isEmpty() ? Optional.empty() : Optional.of(recentChecks.get(recentChecks.size() - 1));
    }
}
