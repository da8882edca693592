package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RR as {@code ip_vs_rr.c}: the first available server after the one picked last, in list order, so that
 * servers around an unavailable one keep equal shares. The cursor (the last pick) moves by compare-and-set: a
 * pick that loses the race rescans from the winner's server, so no two concurrent picks take the same turn.
 */
final class RoundRobinPicker<T extends Balanced> extends Picker<T> {
    private final AtomicInteger last = new AtomicInteger(-1);

    RoundRobinPicker(List<T> servers) {
        super(Scheduler.RR, servers);
    }

    @Override
    int pickIndex(PickKey key) {
        int n = slots.length;
        while (true) {
            int from = last.get();
            int found = -1;
            for (int step = 1; step <= n; step++) {
                int i = from + step;
                if (i >= n) {
                    i -= n;
                }
                if (slots[i].available()) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                return -1;
            }
            if (last.compareAndSet(from, found)) {
                return found;
            }
        }
    }
}
