package dev.lbkit.ha;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a {@link VrrpRouter}.
 *
 * @param instances        every instance, in configuration order
 * @param drops            packets dropped before they could be matched to an instance (foreign VRID, bad TTL,
 *                         version, length, IP header), by reason
 * @param linkResyncs      how often link notifications were lost (netlink ENOBUFS) and links were dumped again
 */
public record VrrpStatus(List<VrrpInstanceStatus> instances, Map<DropReason, Long> drops, long linkResyncs) {

    public VrrpStatus {
        instances = List.copyOf(instances);
        drops = Map.copyOf(drops);
    }

    /** The instance of this name. */
    public VrrpInstanceStatus instance(String name) {
        for (VrrpInstanceStatus s : instances) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no vrrp instance '" + name + "'");
    }

    /** Drops of one reason before matching. */
    public long dropped(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
