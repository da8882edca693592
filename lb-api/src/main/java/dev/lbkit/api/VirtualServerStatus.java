package dev.lbkit.api;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one virtual server.
 *
 * @param label          the virtual-server label
 * @param vip            the VIP; null for an HTTP pool
 * @param dataplane      the name of the dataplane that runs it
 * @param scheduler      its scheduler
 * @param stats          the dataplane's counters for the whole virtual server
 * @param realServers    its real servers in configuration order
 * @param fallbackActive true when no real server can take a connection and a fallback server is configured
 */
public record VirtualServerStatus(String label, Vip vip, String dataplane, Scheduler scheduler, TrafficStats stats,
        List<RealServerStatus> realServers, boolean fallbackActive) {

    public VirtualServerStatus {
        realServers = List.copyOf(realServers);
    }

    /** The real server with this label, if any. */
    public Optional<RealServerStatus> realServer(String label) {
        return realServers.stream().filter(r -> r.label().equals(label)).findFirst();
    }
}
