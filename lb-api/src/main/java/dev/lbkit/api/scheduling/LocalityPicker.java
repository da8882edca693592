package dev.lbkit.api.scheduling;

import dev.lbkit.api.Scheduler;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * LBLC as {@code ip_vs_lblc.c}: a destination (the key's destination hash) sticks to the server it was last
 * given while that server is available and not {@linkplain #spills overloaded in LBLC's sense}; otherwise it
 * gets the WLC choice, which becomes its new server.
 *
 * <p>The destination table holds at most {@value #MAX_ENTRIES} entries (IPVS's {@code max_size}); past that
 * the least recently used entry goes, and an entry unused for {@value #EXPIRATION_HOURS} hours (IPVS's
 * {@code lblc_expiration}) goes at the next new destination. IPVS collects both from a timer; a picker has no
 * thread, so it collects on insertion.
 *
 * <p>Picks serialize on the table's lock (a lookup updates the entry's last use).
 */
final class LocalityPicker<T extends Balanced> extends Picker<T> {
    static final int MAX_ENTRIES = 16 * 1024;
    static final long EXPIRATION_HOURS = 24;
    static final long EXPIRATION_NANOS = TimeUnit.HOURS.toNanos(EXPIRATION_HOURS);

    private final LongSupplier clock;
    /** Access-ordered: the eldest entry is the least recently used. Guarded by itself. */
    private final LinkedHashMap<Long, Entry> table = new LinkedHashMap<>(64, 0.75f, true);

    private static final class Entry {
        int server;
        long lastUse;

        Entry(int server, long lastUse) {
            this.server = server;
            this.lastUse = lastUse;
        }
    }

    LocalityPicker(List<T> servers, LongSupplier clock) {
        super(Scheduler.LBLC, servers);
        this.clock = clock;
    }

    @Override
    int pickIndex(PickKey key) {
        long now = clock.getAsLong();
        Long destination = key.destinationHash();
        synchronized (table) {
            Entry entry = table.get(destination);
            if (entry != null) {
                entry.lastUse = now;
                if (slots[entry.server].available() && !spills(slots, entry.server)) {
                    return entry.server;
                }
            }
            int server = LeastConnectionsPicker.weightedLeastConnections(slots);
            if (server < 0) {
                return -1;
            }
            if (entry != null) {
                entry.server = server;
            } else {
                table.put(destination, new Entry(server, now));
                collect(table, now, e -> e.lastUse);
            }
            return server;
        }
    }

    /**
     * IPVS's {@code is_overloaded} for LBLC and LBLCR: the server has more active connections than its weight
     * while another available server has fewer than half its weight. (IPVS looks at every server, even
     * unavailable ones; only available ones can take the spill here.)
     */
    static boolean spills(Slot[] slots, int server) {
        if (slots[server].server.activeConnections() <= slots[server].weight()) {
            return false;
        }
        for (int i = 0; i < slots.length; i++) {
            if (i == server) {
                continue;
            }
            Slot other = slots[i];
            int w = other.weight();
            if ((long) other.server.activeConnections() * 2 < w && other.available(w)) {
                return true;
            }
        }
        return false;
    }

    /** Drops least recently used entries past {@link #MAX_ENTRIES} and those unused for the expiration. */
    static <E> void collect(LinkedHashMap<Long, E> table, long now, ToLongFunction<E> lastUse) {
        Iterator<Map.Entry<Long, E>> eldest = table.entrySet().iterator();
        while (eldest.hasNext()) {
            E entry = eldest.next().getValue();
            if (table.size() > MAX_ENTRIES || now - lastUse.applyAsLong(entry) >= EXPIRATION_NANOS) {
                eldest.remove();
            } else {
                return;
            }
        }
    }

    /** Entries in the table, for tests. */
    int size() {
        synchronized (table) {
            return table.size();
        }
    }
}
