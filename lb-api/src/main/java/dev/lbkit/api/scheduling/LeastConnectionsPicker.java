package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.List;

/**
 * LC, WLC, SED and NQ as {@code ip_vs_lc.c}, {@code ip_vs_wlc.c}, {@code ip_vs_sed.c} and {@code ip_vs_nq.c}:
 * one pass over the servers keeping the least loaded available one, the first in the list on a tie. Ratios
 * are compared by cross-multiplication in {@code long} ({@code h1/w1 > h2/w2} as {@code h1*w2 > h2*w1}), as
 * the kernel does; with weights at most 65535 nothing overflows. Holds no lock.
 */
final class LeastConnectionsPicker<T extends Balanced> extends Picker<T> {
    LeastConnectionsPicker(Scheduler scheduler, List<T> servers) {
        super(scheduler, servers);
    }

    @Override
    int pickIndex(PickKey key) {
        switch (scheduler()) {
            case LC:
                return leastConnections(slots);
            case WLC:
                return weightedLeastConnections(slots);
            case SED:
                return shortestExpectedDelay(slots, false);
            case NQ:
                return shortestExpectedDelay(slots, true);
            default:
                throw new AssertionError(scheduler());
        }
    }

    /** IPVS's {@code ip_vs_dest_conn_overhead}: an inactive connection costs 1/256 of an active one. */
    static long overhead(int active, int inactive) {
        return ((long) active << 8) + inactive;
    }

    /** LC: least overhead, weights ignored beyond 0. */
    static int leastConnections(Slot[] slots) {
        int least = -1;
        long leastOverhead = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            Balanced server = slot.server;
            if (server.weight() <= 0 || !server.acceptsNewConnections()) {
                continue;
            }
            int active = server.activeConnections();
            int inactive = server.inactiveConnections();
            if (slot.overloaded((long) active + inactive)) {
                continue;
            }
            long overhead = overhead(active, inactive);
            if (least < 0 || overhead < leastOverhead) {
                least = i;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    /** WLC: least overhead per unit of weight. LBLC and LBLCR use it to place a new destination. */
    static int weightedLeastConnections(Slot[] slots) {
        int least = -1;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            int w = slot.weight();
            if (w == 0 || !slot.server.acceptsNewConnections()) {
                continue;
            }
            int active = slot.server.activeConnections();
            int inactive = slot.server.inactiveConnections();
            if (slot.overloaded((long) active + inactive)) {
                continue;
            }
            long overhead = overhead(active, inactive);
            if (least < 0 || leastOverhead * w > overhead * leastWeight) {
                least = i;
                leastOverhead = overhead;
                leastWeight = w;
            }
        }
        return least;
    }

    /**
     * SED: least {@code (active + 1) / weight}. NQ ({@code idleFirst}): the first available server with no
     * active connection wins at once.
     */
    static int shortestExpectedDelay(Slot[] slots, boolean idleFirst) {
        int least = -1;
        long leastDelay = 0;
        long leastWeight = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            int w = slot.weight();
            if (w == 0 || !slot.server.acceptsNewConnections()) {
                continue;
            }
            int active = slot.server.activeConnections();
            if (slot.overloaded((long) active + slot.server.inactiveConnections())) {
                continue;
            }
            if (idleFirst && active == 0) {
                return i;
            }
            long delay = active + 1L;
            if (least < 0 || leastDelay * w > delay * leastWeight) {
                least = i;
                leastDelay = delay;
                leastWeight = w;
            }
        }
        return least;
    }
}
