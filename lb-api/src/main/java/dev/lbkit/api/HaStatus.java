package dev.lbkit.api;

import java.time.Instant;
import java.util.Objects;

/**
 * This host's state in one group of floating IPs (a VRRP instance) as last reported to the
 * {@link LoadBalancer} through {@link LoadBalancer#reportHaState}.
 *
 * @param instance the group's name
 * @param state    the state now
 * @param since    when the load balancer was told of it
 * @param reason   why, as the HA module said (for logs and the status page)
 */
public record HaStatus(String instance, HaState state, Instant since, String reason) {
    public HaStatus {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        reason = reason == null ? "" : reason;
    }
}
