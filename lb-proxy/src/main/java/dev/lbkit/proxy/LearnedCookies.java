package dev.lbkit.proxy;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The table of a PASSIVE cookie: application session ids (e.g. JSESSIONID values) learned from responses, each
 * mapped to the real server that set it. Bounded ({@code maxEntries}) and expiring ({@code timeoutNanos} after
 * the last request that used an entry). When full, expired entries go first, then arbitrary ones. Thread-safe.
 */
final class LearnedCookies {
    private final int maxEntries;
    private final long timeoutNanos;
    private final ConcurrentHashMap<String, Entry> table = new ConcurrentHashMap<>();

    private static final class Entry {
        final Backend server;
        volatile long expires;

        Entry(Backend server, long expires) {
            this.server = server;
            this.expires = expires;
        }
    }

    LearnedCookies(int maxEntries, long timeoutNanos) {
        this.maxEntries = maxEntries;
        this.timeoutNanos = timeoutNanos;
    }

    /** The server that set {@code value}, while the entry lives (the lookup refreshes it); else null. */
    Backend lookup(String value, long now) {
        Entry e = table.get(value);
        if (e == null) {
            return null;
        }
        if (now - e.expires >= 0) {
            table.remove(value, e);
            return null;
        }
        e.expires = now + timeoutNanos;
        return e.server;
    }

    /** Remembers that {@code server} set {@code value}. */
    void learn(String value, Backend server, long now) {
        if (table.size() >= maxEntries && !table.containsKey(value)) {
            evict(now);
        }
        table.put(value, new Entry(server, now + timeoutNanos));
    }

    /** Forgets every value of a server that left the configuration. */
    void removeServer(Backend server) {
        table.values().removeIf(e -> e.server == server);
    }

    int size() {
        return table.size();
    }

    private void evict(long now) {
        table.values().removeIf(e -> now - e.expires >= 0);
        Iterator<Map.Entry<String, Entry>> it = table.entrySet().iterator();
        int over = table.size() - maxEntries + Math.max(1, maxEntries / 64); // make some room at once
        while (over-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
