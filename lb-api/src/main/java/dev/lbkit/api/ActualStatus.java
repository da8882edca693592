package dev.lbkit.api;

/** What a real server is actually doing, derived from its requested status and its health. */
public enum ActualStatus {
    /** In rotation. */
    UP,
    /** Out of rotation because its health check failed (quiesced or removed). */
    DOWN,
    /**
     * Drained by the operator, or by its health check's advice (an agent answering {@code drain} or {@code 0%}):
     * weight 0, live and persisted connections continue.
     */
    DRAINING,
    /** Taken offline by the operator. */
    OFFLINE
}
