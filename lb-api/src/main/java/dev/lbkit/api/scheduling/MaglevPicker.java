package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MH as {@code ip_vs_mh.c}: Maglev hashing (Eisenbud et al., NSDI 2016, section 3.4) over a table of 4093
 * slots, IPVS's default size ({@code CONFIG_IP_VS_MH_TAB_INDEX} 12).
 *
 * <p>Each server's identity gives its permutation of the slots: {@code offset = h1 mod 4093},
 * {@code skip = h2 mod 4092 + 1}, the j-th preference being {@code (offset + j * skip) mod 4093}. The table is
 * filled in rounds over the list; in each round a server takes, {@code turns} times, its next preferred free
 * slot, where {@code turns = (weight / gcd) >> rshift} (at least 1) and {@code rshift} keeps the largest
 * {@code weight / gcd} within 6 bits, exactly as IPVS computes them. Weight-0 servers take no slot. A key's
 * slot is {@code hash(source) mod 4093}.
 *
 * <p>When the key's server is not available the key moves to the first available server in the following
 * slots, as IPVS with {@code mh-fallback} (IPVS probes by rehashing instead; either way only the unavailable
 * server's keys move). The table is immutable; picks hold no lock.
 */
final class MaglevPicker<T extends Balanced> extends Picker<T> {
    /** IPVS's {@code primes[CONFIG_IP_VS_MH_TAB_INDEX - 8]}. */
    static final int TABLE_SIZE = 4093;
    /** IPVS's {@code IP_VS_MH_TAB_BITS}: {@code CONFIG_IP_VS_MH_TAB_INDEX / 2}. */
    private static final int TURN_BITS = 6;

    /** Server index per slot; all -1 when no server has a weight. */
    private final int[] table;
    private final int serversInTable;

    MaglevPicker(List<T> servers, Function<? super T, String> identity) {
        super(Scheduler.MH, servers);
        String[] names = identities(servers, identity);
        this.table = populate(servers, names);
        int inTable = 0;
        for (T server : servers) {
            if (Slot.weight(server) > 0) {
                inTable++;
            }
        }
        this.serversInTable = inTable;
    }

    private static <T extends Balanced> String[] identities(List<T> servers, Function<? super T, String> identity) {
        String[] names = new String[servers.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            String name = identity.apply(servers.get(i));
            if (name == null) {
                throw new NullPointerException("identity of servers[" + i + "] is null");
            }
            Integer other = seen.putIfAbsent(name, i);
            if (other != null) {
                throw new IllegalArgumentException("mh: servers[" + other + "] and servers[" + i
                        + "] share the identity '" + name + "'; identities must be unique");
            }
            names[i] = name;
        }
        return names;
    }

    /** IPVS's {@code ip_vs_mh_permutate} and {@code ip_vs_mh_populate}. */
    static int[] populate(List<? extends Balanced> servers, String[] names) {
        int n = servers.size();
        int[] weights = new int[n];
        int gcd = 0;
        int maxWeight = 0;
        int inTable = 0;
        for (int i = 0; i < n; i++) {
            int w = Slot.weight(servers.get(i));
            weights[i] = w;
            if (w > 0) {
                gcd = gcd == 0 ? w : gcd(w, gcd);
                maxWeight = Math.max(maxWeight, w);
                inTable++;
            }
        }
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, -1);
        if (inTable == 0) {
            return table;
        }
        if (inTable > TABLE_SIZE) {
            throw new IllegalArgumentException("mh: at most " + TABLE_SIZE
                    + " servers with a weight above 0 fit its table but there are " + inTable);
        }
        int shift = Math.max(0, (32 - Integer.numberOfLeadingZeros(maxWeight / gcd)) - TURN_BITS);
        int[] turns = new int[n];
        int[] next = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            if (weights[i] == 0) {
                continue;
            }
            turns[i] = Math.max(1, (weights[i] / gcd) >> shift);
            next[i] = (int) Long.remainderUnsigned(Hashing.chars(names[i], Hashing.OFFSET_SEED), TABLE_SIZE);
            skip[i] = (int) Long.remainderUnsigned(Hashing.chars(names[i], Hashing.SKIP_SEED), TABLE_SIZE - 1) + 1;
        }
        boolean[] taken = new boolean[TABLE_SIZE];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int turn = 0; turn < turns[i]; turn++) {
                    int c = next[i];
                    while (taken[c]) {
                        c += skip[i];
                        if (c >= TABLE_SIZE) {
                            c -= TABLE_SIZE;
                        }
                    }
                    next[i] = c;
                    taken[c] = true;
                    table[c] = i;
                    if (++filled == TABLE_SIZE) {
                        return table;
                    }
                }
            }
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static int slotOf(long hash) {
        return (int) Long.remainderUnsigned(hash, TABLE_SIZE);
    }

    @Override
    int pickIndex(PickKey key) {
        int slot = slotOf(key.sourceHash());
        int server = table[slot];
        if (server < 0 || slots[server].available()) {
            return server;
        }
        return fallback(slot, server);
    }

    /** Walks the following slots; asks each server at most once, and stops once every one has said no. */
    private int fallback(int slot, int firstUnavailable) {
        long[] refused = new long[(slots.length + 63) >>> 6];
        refused[firstUnavailable >>> 6] |= 1L << firstUnavailable;
        int refusals = 1;
        for (int step = 1; step < TABLE_SIZE && refusals < serversInTable; step++) {
            int s = slot + step;
            if (s >= TABLE_SIZE) {
                s -= TABLE_SIZE;
            }
            int server = table[s];
            if ((refused[server >>> 6] & 1L << server) != 0) {
                continue;
            }
            if (slots[server].available()) {
                return server;
            }
            refused[server >>> 6] |= 1L << server;
            refusals++;
        }
        return -1;
    }

    /** The table, for tests. */
    int[] table() {
        return table.clone();
    }
}
