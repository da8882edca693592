package dev.lbkit.health;

/**
 * What one attempt found, before rise/fall.
 *
 * @param passed       whether the attempt counts as a success
 * @param reason       short and human-readable, e.g. {@code HTTP 200} or {@code connect refused}
 * @param latencyNanos from the start of the attempt to its result
 * @param advice       what the server said about its share of traffic (an agent's weight and drain), or null
 *                     when the attempt says nothing about it (the last advice then stays)
 */
record Outcome(boolean passed, String reason, long latencyNanos, Advice advice) {
    Outcome(boolean passed, String reason, long latencyNanos) {
        this(passed, reason, latencyNanos, null);
    }

    /**
     * A server's advice.
     *
     * @param weightPercent 0..256, or -1 when this answer gives no weight (the last one stays)
     * @param drain         whether it asks for no new connections
     */
    record Advice(int weightPercent, boolean drain) {}
}
