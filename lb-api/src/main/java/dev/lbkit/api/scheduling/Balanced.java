package dev.lbkit.api.scheduling;

/**
 * What a {@link Picker} needs to know about one server: its weight, its connection thresholds and its current
 * connection counts.
 *
 * <p>Implementations may return live values that change between calls (a proxy's per-server counters, a
 * weight that an operator edits); a picker reads the weight, the thresholds, the counts and
 * {@link #acceptsNewConnections()} at every pick, and needs no two reads to agree with each other ({@code SH}
 * and {@code MH} also read the weight once, when built, to lay out their tables). Every method must therefore be
 * thread-safe, cheap and non-blocking: pickers call them on I/O threads, possibly from several threads at once.
 */
public interface Balanced {
    /**
     * The share of new connections, 0..65535; 0 means the server takes no new connections (quiesced) while
     * its existing ones finish. A negative value counts as 0, a value above 65535 as 65535.
     */
    int weight();

    /**
     * IPVS's lower threshold (l_threshold), in connections: once a server has been overloaded it takes new
     * connections again only when its active plus inactive connections fall below this. 0 (the default)
     * means "below three quarters of {@link #maxConnections()}".
     */
    default int minConnections() {
        return 0;
    }

    /**
     * IPVS's upper threshold (u_threshold), in connections: at this many active plus inactive connections the
     * server is overloaded and gets no new ones. 0 (the default) is unlimited.
     */
    default int maxConnections() {
        return 0;
    }

    /** Connections currently established with this server (IPVS: activeconns), 0 or more. */
    int activeConnections();

    /**
     * Connections this server still holds that carry no traffic (IPVS: inactconns, e.g. TCP in FIN_WAIT or
     * TIME_WAIT), 0 or more; 0 (the default) for a proxy that does not track them. They weigh 1/256 of an
     * active connection in {@code LC} and {@code WLC}, and count in full against {@link #maxConnections()}.
     */
    default int inactiveConnections() {
        return 0;
    }

    /**
     * False when the server must get no new connections whatever its weight: requested OFFLINE, or found down
     * by health checks. True by default.
     */
    default boolean acceptsNewConnections() {
        return true;
    }
}
