package dev.lbkit.api.scheduling;

/**
 * One server as a picker sees it: the server and its overload flag.
 *
 * <p>The flag follows IPVS's hysteresis ({@code ip_vs_bind_dest} / {@code ip_vs_unbind_dest} in
 * {@code ip_vs_conn.c}), evaluated against the live counts whenever a picker looks at the server: with an
 * upper threshold {@code u > 0}, the server becomes overloaded when active + inactive connections reach
 * {@code u}, and stops being overloaded only when they fall below the lower threshold {@code l} (when
 * {@code l > 0}) or below three quarters of {@code u} (when {@code l == 0}). In between it keeps its state.
 * Without an upper threshold it is never overloaded.
 *
 * <p>Thread-safe: the flag is volatile; two threads evaluating it at once may both write, and either result is
 * one IPVS could have reached from counts that it saw.
 */
final class Slot {
    final Balanced server;
    private volatile boolean overloaded;

    Slot(Balanced server) {
        this.server = server;
    }

    /** Largest weight, as IPVS allows; larger values count as this, so weight products fit a long. */
    static final int MAX_WEIGHT = 65535;

    /** The server's weight clamped to 0..{@value #MAX_WEIGHT}. */
    static int weight(Balanced server) {
        int w = server.weight();
        return w <= 0 ? 0 : Math.min(w, MAX_WEIGHT);
    }

    /** The server's weight clamped to 0..{@value #MAX_WEIGHT}. */
    int weight() {
        return weight(server);
    }

    /** Whether a new connection may go here now: accepting, weight above 0 and not overloaded. */
    boolean available() {
        return server.weight() > 0 && server.acceptsNewConnections() && !overloaded();
    }

    /** As {@link #available()} for a weight the caller has already read. */
    boolean available(int weight) {
        return weight > 0 && server.acceptsNewConnections() && !overloaded();
    }

    /** Evaluates the overload flag against the server's current counts. */
    boolean overloaded() {
        int upper = server.maxConnections();
        if (upper <= 0) {
            if (overloaded) {
                overloaded = false;
            }
            return false;
        }
        return overloaded(upper, (long) server.activeConnections() + server.inactiveConnections());
    }

    /** Evaluates the overload flag for {@code total} (active + inactive) connections. */
    boolean overloaded(long total) {
        int upper = server.maxConnections();
        if (upper <= 0) {
            if (overloaded) {
                overloaded = false;
            }
            return false;
        }
        return overloaded(upper, total);
    }

    private boolean overloaded(int upper, long total) {
        boolean was = overloaded;
        boolean now;
        if (was) {
            int lower = server.minConnections();
            boolean relieved = lower > 0 ? total < lower : total * 4 < (long) upper * 3;
            // A lower threshold above the upper one (which RealServer rejects) must still never let the
            // server take a connection at or past its upper threshold.
            now = !relieved || total >= upper;
        } else {
            now = total >= upper;
        }
        if (now != was) {
            overloaded = now;
        }
        return now;
    }
}
