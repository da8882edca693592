package dev.lbkit.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of everything a {@link LoadBalancer} runs.
 *
 * @param at             when it was taken
 * @param virtualServers every virtual server in configuration order
 * @param ha             this host's HA state per group of floating IPs, in the order they were first reported
 *                       (empty when nothing reports HA state)
 */
public record LoadBalancerStatus(Instant at, List<VirtualServerStatus> virtualServers, List<HaStatus> ha) {
    public LoadBalancerStatus {
        virtualServers = List.copyOf(virtualServers);
        ha = List.copyOf(ha);
    }

    /** A snapshot without HA state. */
    public LoadBalancerStatus(Instant at, List<VirtualServerStatus> virtualServers) {
        this(at, virtualServers, List.of());
    }

    /** The HA state of one group of floating IPs, if it was reported. */
    public Optional<HaStatus> ha(String instance) {
        return ha.stream().filter(h -> h.instance().equals(instance)).findFirst();
    }

    /** The virtual server with this label, if any. */
    public Optional<VirtualServerStatus> virtualServer(String label) {
        return virtualServers.stream().filter(v -> v.label().equals(label)).findFirst();
    }

    /**
     * A fixed-width text table (VIP, RIP, requested, health, actual, weight, connections), one row per RIP, then a
     * line per HA instance.
     */
    public String toTable() {
        StringBuilder s = new StringBuilder(String.format("%-12s %-24s %-12s %-22s %-9s %-8s %-9s %6s %8s %10s%n",
                "VS", "VIP", "RS", "RIP", "REQUESTED", "HEALTH", "ACTUAL", "WEIGHT", "ACTIVE", "TOTAL"));
        for (VirtualServerStatus v : virtualServers) {
            Object vip = v.vip() == null ? "(pool)" : v.vip(); // an HTTP pool has no VIP
            if (v.realServers().isEmpty()) {
                s.append(String.format("%-12s %-24s %-12s%n", v.label(), vip, "(none)"));
            }
            for (RealServerStatus r : v.realServers()) {
                s.append(String.format("%-12s %-24s %-12s %-22s %-9s %-8s %-9s %6s %8d %10d%n", v.label(), vip,
                        r.label(), r.endpoint(), r.requested(), r.health(), r.actual(),
                        r.effectiveWeight() == r.weight() ? Integer.toString(r.weight())
                                : Math.max(r.effectiveWeight(), 0) + "/" + r.weight(),
                        r.stats().activeConnections(), r.stats().connections()));
            }
            if (v.fallbackActive()) {
                s.append(String.format("%-12s %-24s %s%n", v.label(), vip, "-> fallback server active"));
            }
        }
        for (HaStatus h : ha) {
            s.append(String.format("HA %-9s %-7s since %s (%s)%n", h.instance(), h.state(), h.since(), h.reason()));
        }
        return s.toString();
    }
}
