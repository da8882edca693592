package dev.lbkit.api;

/**
 * Told when a member of an HA pair changes state for one group of floating IPs (e.g. so that a dataplane starts
 * its connection-sync daemon as master or backup). The HA module calls it off its protocol thread, in the order
 * the transitions happened; a listener must not block for long, and an exception it throws is logged and
 * ignored.
 */
@FunctionalInterface
public interface HaStateListener {
    /**
     * @param instance the name of the group (VRRP instance) that changed
     * @param from     the state before
     * @param to       the state now
     * @param reason   why, for logs (e.g. "master down timer expired")
     */
    void onHaStateChange(String instance, HaState from, HaState to, String reason);
}
