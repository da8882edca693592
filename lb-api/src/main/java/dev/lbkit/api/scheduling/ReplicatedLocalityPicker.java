package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * LBLCR as {@code ip_vs_lblcr.c}: each destination maps to a set of servers. A pick takes the WLC choice
 * within the set; when the set has none available, or that one {@linkplain LocalityPicker#spills spills}, the
 * WLC choice over all servers is taken and added to the set. A set of two or more that has not changed for
 * {@value LocalityPicker#EXPIRATION_HOURS} hours (IPVS's {@code lblcr_expiration}) loses its most loaded member
 * at the next pick. The table is bounded and aged as LBLC's.
 *
 * <p>Picks serialize on the table's lock.
 */
final class ReplicatedLocalityPicker<T extends Balanced> extends Picker<T> {
    private final LongSupplier clock;
    /** Access-ordered: the eldest entry is the least recently used. Guarded by itself. */
    private final LinkedHashMap<Long, ServerSet> table = new LinkedHashMap<>(64, 0.75f, true);

    /** IPVS's {@code ip_vs_dest_set}: newest member first, as the kernel inserts at the head. */
    private static final class ServerSet {
        int[] members;
        int size;
        long lastUse;
        long lastModified;

        ServerSet(int server, long now) {
            this.members = new int[] {server};
            this.size = 1;
            this.lastUse = now;
            this.lastModified = now;
        }

        void add(int server, long now) {
            for (int i = 0; i < size; i++) {
                if (members[i] == server) {
                    return;
                }
            }
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            System.arraycopy(members, 0, members, 1, size);
            members[0] = server;
            size++;
            lastModified = now;
        }

        void remove(int server, long now) {
            for (int i = 0; i < size; i++) {
                if (members[i] == server) {
                    System.arraycopy(members, i + 1, members, i, size - i - 1);
                    size--;
                    lastModified = now;
                    return;
                }
            }
        }
    }

    ReplicatedLocalityPicker(List<T> servers, LongSupplier clock) {
        super(Scheduler.LBLCR, servers);
        this.clock = clock;
    }

    @Override
    int pickIndex(PickKey key) {
        long now = clock.getAsLong();
        Long destination = key.destinationHash();
        synchronized (table) {
            ServerSet set = table.get(destination);
            if (set != null) {
                set.lastUse = now;
                int server = leastLoaded(set);
                if (set.size > 1 && now - set.lastModified > LocalityPicker.EXPIRATION_NANOS) {
                    int most = mostLoaded(set);
                    if (most >= 0) {
                        set.remove(most, now);
                    }
                }
                if (server >= 0 && !LocalityPicker.spills(slots, server)) {
                    return server;
                }
                server = LeastConnectionsPicker.weightedLeastConnections(slots);
                if (server >= 0) {
                    set.add(server, now);
                }
                return server;
            }
            int server = LeastConnectionsPicker.weightedLeastConnections(slots);
            if (server >= 0) {
                table.put(destination, new ServerSet(server, now));
                LocalityPicker.collect(table, now, s -> s.lastUse);
            }
            return server;
        }
    }

    /** IPVS's {@code ip_vs_dest_set_min}: WLC among the available members, the first on a tie. */
    private int leastLoaded(ServerSet set) {
        int least = -1;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (int m = 0; m < set.size; m++) {
            int i = set.members[m];
            Slot slot = slots[i];
            int w = slot.weight();
            if (!slot.available(w)) {
                continue;
            }
            long overhead = LeastConnectionsPicker.overhead(slot.server.activeConnections(),
                    slot.server.inactiveConnections());
            if (least < 0 || leastOverhead * w > overhead * leastWeight) {
                least = i;
                leastOverhead = overhead;
                leastWeight = w;
            }
        }
        return least;
    }

    /** IPVS's {@code ip_vs_dest_set_max}: the member with the most overhead per weight, among weights above 0. */
    private int mostLoaded(ServerSet set) {
        int most = -1;
        long mostOverhead = 0;
        long mostWeight = 0;
        for (int m = 0; m < set.size; m++) {
            int i = set.members[m];
            int w = slots[i].weight();
            if (w == 0) {
                continue;
            }
            long overhead = LeastConnectionsPicker.overhead(slots[i].server.activeConnections(),
                    slots[i].server.inactiveConnections());
            if (most < 0 || mostOverhead * w < overhead * mostWeight) {
                most = i;
                mostOverhead = overhead;
                mostWeight = w;
            }
        }
        return most;
    }

    /** The members of a destination's set, newest first, for tests; empty when it has no entry. */
    int[] members(PickKey key) {
        synchronized (table) {
            ServerSet set = table.get(key.destinationHash());
            return set == null ? new int[0] : Arrays.copyOf(set.members, set.size);
        }
    }
}
