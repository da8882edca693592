package dev.lbkit.ha;

import dev.lbkit.api.HaState;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one VRRP instance.
 *
 * @param name                 the instance
 * @param state                its state
 * @param priority             the priority its adverts carry now (after tracking)
 * @param master               the master's address as far as this router knows (itself when master), or null
 * @param holdsAddresses       whether its floating IPs are configured on the interface by this router
 * @param floatingIps          the floating IPs
 * @param advertsSent          adverts sent (including priority 0)
 * @param advertsReceived      valid adverts received for this instance
 * @param becameMaster         how often it became master
 * @param splitBrains          adverts heard from another master while master (two masters seen)
 * @param priorityZeroReceived priority-0 adverts received (the master stopping cleanly)
 * @param drops                packets for this instance dropped, by reason (only non-zero counts)
 */
public record VrrpInstanceStatus(String name, HaState state, int priority, InetAddress master, boolean holdsAddresses,
        List<InetAddress> floatingIps, long advertsSent, long advertsReceived, long becameMaster, long splitBrains,
        long priorityZeroReceived, Map<DropReason, Long> drops) {

    public VrrpInstanceStatus {
        floatingIps = List.copyOf(floatingIps);
        drops = Map.copyOf(drops);
    }

    /** The drops of one reason. */
    public long dropped(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
