package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.List;

/**
 * WRR as nginx's smooth weighted round robin: at each pick every available server's {@code current} grows by
 * its weight, the largest {@code current} wins (ties: first in the list) and loses the sum {@code W} of the
 * weights that were added. With fixed weights and availability the sequence repeats every {@code W} picks and
 * gives each server exactly its weight in each such cycle; within a cycle the picks of a server are spread
 * out (see the property tests for the bounds). An unavailable server is skipped and its {@code current} kept.
 *
 * <p>Every pick changes every {@code current}, so picks are serialized on this object's lock; the lock is held
 * for one pass over the servers.
 */
final class SmoothWeightedRoundRobinPicker<T extends Balanced> extends Picker<T> {
    private final long[] current;

    SmoothWeightedRoundRobinPicker(List<T> servers) {
        super(Scheduler.WRR, servers);
        this.current = new long[servers.size()];
    }

    @Override
    synchronized int pickIndex(PickKey key) {
        long total = 0;
        int best = -1;
        long bestCurrent = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            int w = slot.weight();
            if (!slot.available(w)) {
                continue;
            }
            long c = current[i] + w;
            current[i] = c;
            total += w;
            if (best < 0 || c > bestCurrent) {
                best = i;
                bestCurrent = c;
            }
        }
        if (best >= 0) {
            current[best] -= total;
        }
        return best;
    }
}
