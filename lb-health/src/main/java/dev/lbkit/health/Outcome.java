package dev.lbkit.health;

/**
 * What one attempt found, before rise/fall.
 *
 * @param passed       whether the attempt counts as a success
 * @param reason       short and human-readable, e.g. {@code HTTP 200} or {@code connect refused}
 * @param latencyNanos from the start of the attempt to its result
 */
record Outcome(boolean passed, String reason, long latencyNanos) {}
