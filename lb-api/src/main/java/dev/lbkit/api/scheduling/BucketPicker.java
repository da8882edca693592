package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.Arrays;
import java.util.List;

/**
 * SH and DH as {@code ip_vs_sh.c} and {@code ip_vs_dh.c}: a key's hash selects one of 256 buckets, each
 * holding a server fixed when the picker is built.
 *
 * <ul>
 *   <li>SH hashes the key's source. Buckets are filled in list order, each server taking {@code weight}
 *       consecutive buckets before the next one's turn, round and round until all 256 are full (so a weight of
 *       256 or more takes the whole table, as in IPVS). A weight-0 server takes no bucket (IPVS gives it one,
 *       whose keys then find no server). When the key's server is not available the key falls back to the
 *       first available server in the following buckets, as IPVS with {@code sh-fallback} (IPVS starts that
 *       walk elsewhere in the table; any start moves only the keys of the unavailable server).</li>
 *   <li>DH hashes the key's destination. Bucket {@code i} holds server {@code i mod n}, weights ignored. When
 *       the key's server is not available the key gets no server, as in IPVS.</li>
 * </ul>
 * The table is immutable; picks hold no lock.
 */
final class BucketPicker<T extends Balanced> extends Picker<T> {
    static final int BUCKETS = 256;

    /** Server index per bucket; -1 when there is no server. */
    private final int[] buckets;
    private final boolean onDestination;
    private final boolean fallback;

    private BucketPicker(Scheduler scheduler, List<T> servers, int[] buckets, boolean onDestination,
            boolean fallback) {
        super(scheduler, servers);
        this.buckets = buckets;
        this.onDestination = onDestination;
        this.fallback = fallback;
    }

    static <T extends Balanced> BucketPicker<T> sourceHashing(List<T> servers) {
        return new BucketPicker<>(Scheduler.SH, servers, weightedBuckets(servers), false, true);
    }

    static <T extends Balanced> BucketPicker<T> destinationHashing(List<T> servers) {
        int[] buckets = new int[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            buckets[b] = servers.isEmpty() ? -1 : b % servers.size();
        }
        return new BucketPicker<>(Scheduler.DH, servers, buckets, true, false);
    }

    /** IPVS's {@code ip_vs_sh_reassign}, leaving out weight-0 servers. */
    static int[] weightedBuckets(List<? extends Balanced> servers) {
        int[] buckets = new int[BUCKETS];
        int[] eligible = new int[servers.size()];
        int count = 0;
        for (int i = 0; i < servers.size(); i++) {
            if (Slot.weight(servers.get(i)) > 0) {
                eligible[count++] = i;
            }
        }
        if (count == 0) {
            Arrays.fill(buckets, -1);
            return buckets;
        }
        int turn = 0;
        int filled = 0;
        for (int b = 0; b < BUCKETS; b++) {
            int server = eligible[turn];
            buckets[b] = server;
            if (++filled >= Slot.weight(servers.get(server))) {
                turn = (turn + 1) % count;
                filled = 0;
            }
        }
        return buckets;
    }

    /** The bucket of a key: the low 8 bits of its (well-mixed) 64-bit hash. */
    static int bucketOf(long hash) {
        return (int) hash & (BUCKETS - 1);
    }

    @Override
    int pickIndex(PickKey key) {
        int bucket = bucketOf(onDestination ? key.destinationHash() : key.sourceHash());
        int server = buckets[bucket];
        if (server < 0) {
            return -1;
        }
        if (slots[server].available()) {
            return server;
        }
        if (!fallback) {
            return -1;
        }
        int unavailable = server;
        for (int step = 1; step < BUCKETS; step++) {
            int candidate = buckets[(bucket + step) & (BUCKETS - 1)];
            // Consecutive buckets often hold the same server: look at each run once.
            if (candidate != unavailable) {
                if (slots[candidate].available()) {
                    return candidate;
                }
                unavailable = candidate;
            }
        }
        return -1;
    }

    /** The table, for tests. */
    int[] buckets() {
        return buckets.clone();
    }
}
