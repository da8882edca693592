package dev.lbkit.api;

import java.util.Map;

/**
 * A dataplane's counters for one virtual server.
 *
 * @param total       the virtual server's own counters
 * @param realServers counters per real-server label (the fallback server under its own label)
 */
public record VirtualServerStats(TrafficStats total, Map<String, TrafficStats> realServers) {
    public VirtualServerStats {
        Validation.notNull(total, "total");
        realServers = Map.copyOf(realServers);
    }

    /** The counters of this real server, or {@link TrafficStats#ZERO} when the dataplane has none. */
    public TrafficStats realServer(String label) {
        return realServers.getOrDefault(label, TrafficStats.ZERO);
    }
}
