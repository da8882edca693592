package dev.lbkit.api;

/** What happens to a real server whose health check fails. */
public enum FailureAction {
    /** Weight 0: no new connections, live ones finish (ldirectord's {@code quiescent = yes}). */
    QUIESCE,
    /** The real server is taken out of the dataplane's table until it recovers. */
    REMOVE
}
