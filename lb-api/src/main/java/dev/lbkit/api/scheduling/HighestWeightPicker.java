package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.List;

/**
 * FO and OVF as {@code ip_vs_fo.c} and {@code ip_vs_ovf.c}: the available server with the highest weight, the
 * first in the list on a tie. OVF passes over a server whose active connections exceed its weight (the kernel's
 * test is {@code activeconns > weight}, so a server takes connections until it holds weight + 1). Holds no
 * lock.
 */
final class HighestWeightPicker<T extends Balanced> extends Picker<T> {
    private final boolean overflow;

    HighestWeightPicker(Scheduler scheduler, List<T> servers) {
        super(scheduler, servers);
        this.overflow = scheduler == Scheduler.OVF;
    }

    @Override
    int pickIndex(PickKey key) {
        int highest = -1;
        int highestWeight = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            int w = slot.weight();
            // Strictly greater: ties keep the first; weight 0 never beats the initial 0.
            if (w <= highestWeight || !slot.server.acceptsNewConnections()) {
                continue;
            }
            if (overflow && slot.server.activeConnections() > w) {
                continue;
            }
            if (!slot.overloaded()) {
                highest = i;
                highestWeight = w;
            }
        }
        return highest;
    }
}
