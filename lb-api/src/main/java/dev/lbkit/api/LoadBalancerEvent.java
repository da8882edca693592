package dev.lbkit.api;

/** Something that happened in a {@link LoadBalancer}; delivered to {@link LoadBalancerListener}s. */
public sealed interface LoadBalancerEvent {

    /** A configuration was applied; {@code diff} is the change of the desired configuration. */
    record ConfigurationApplied(ConfigurationDiff diff) implements LoadBalancerEvent {}

    /**
     * A real server's actual status changed (by an operator's request, a health result or a configuration).
     *
     * @param reason why, e.g. {@code takeOffline} or the health check's reason
     */
    record RealServerStatusChanged(String virtualServer, String realServer, ActualStatus from, ActualStatus to,
            String reason) implements LoadBalancerEvent {}

    /** A drain started by {@link LoadBalancer#drain(String, String, java.time.Duration, DrainAction)} ended. */
    record DrainFinished(DrainResult result) implements LoadBalancerEvent {}

    /**
     * A change that no caller was waiting for (a health result, a drain's end) could not be applied; the
     * dataplanes keep their previous state.
     */
    record DataplaneFailed(String dataplane, String virtualServer, String message) implements LoadBalancerEvent {}

    /**
     * This host's HA state changed for one group of floating IPs (reported through
     * {@link LoadBalancer#reportHaState}).
     */
    record HaStateChanged(String instance, HaState from, HaState to, String reason) implements LoadBalancerEvent {}
}
