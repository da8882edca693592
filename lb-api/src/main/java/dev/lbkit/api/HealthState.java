package dev.lbkit.api;

/** What health checks found about a real server. */
public enum HealthState {
    /** No check has decided yet, or the virtual server has no health check. Treated as up. */
    UNKNOWN,
    UP,
    DOWN
}
