package dev.lbkit.proxy;

import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.scheduling.SourceIpPersistenceTable;
import java.net.InetAddress;

/**
 * Source-IP persistence of one virtual server: lb-api's {@link SourceIpPersistenceTable} keyed by
 * {@link Backend}, with expired entries swept now and then by whichever loop records. Thread-safe.
 */
final class PersistenceTable {
    /** Most client networks remembered per virtual server. */
    static final int MAX_ENTRIES = 1 << 20;
    private static final long EXPIRE_EVERY_NANOS = 1_000_000_000L;

    private final SourceIpPersistenceTable<Backend> table;
    private volatile long nextExpiry;

    PersistenceTable(SourceIpPersistence policy) {
        this.table = new SourceIpPersistenceTable<>(policy, MAX_ENTRIES);
    }

    /** The server {@code client}'s network was last sent to, while that is live; else null. */
    Backend lookup(InetAddress client, long nowNanos) {
        return table.lookup(client, nowNanos).orElse(null);
    }

    /** Remembers (and refreshes) that {@code client}'s network goes to {@code server}. */
    void record(InetAddress client, Backend server, long nowNanos) {
        table.record(client, server, nowNanos);
        if (nowNanos - nextExpiry >= 0) {
            nextExpiry = nowNanos + EXPIRE_EVERY_NANOS;
            table.expire(nowNanos);
        }
    }

    /** Forgets every client of a server that left the configuration. */
    void removeServer(Backend server) {
        table.removeServer(server);
    }
}
