package dev.lbkit.proxy;

import java.nio.channels.SelectionKey;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The idle connections to real servers of one {@link IoLoop}, per {@link Backend}: the HTTP proxy takes one
 * before opening a new connection and gives it back after a response that was read completely from a server
 * that keeps the connection. Newest first (the least likely to have been closed by the server). Closed when
 * idle longer than the pool's timeout, when the server closes or sends anything while idle, when the real
 * server left the configuration, and when the loop stops. Loop-confined: no lock.
 */
final class ServerConnectionPool {
    final IoLoop loop;
    private final Map<Backend, ServerConnection> newest = new IdentityHashMap<>();
    private final Map<Backend, Integer> counts = new IdentityHashMap<>();
    private int total;

    ServerConnectionPool(IoLoop loop) {
        this.loop = loop;
    }

    /** An idle connection to {@code backend}, removed from the pool, or null. */
    ServerConnection take(Backend backend) {
        ServerConnection c = newest.get(backend);
        if (c == null) {
            return null;
        }
        remove(c);
        return c;
    }

    /**
     * Keeps a connection whose response was read completely, unless {@code max} are kept for its backend already
     * or the backend left the configuration (then it is closed).
     */
    void offer(ServerConnection c, int max) {
        if (c.closed || c.backend.removed() || max <= 0 || count(c.backend) >= max || !c.key.isValid()) {
            c.close(false);
            return;
        }
        c.idle = true;
        c.idleSince = loop.now;
        c.key.attach(c);
        if (c.key.interestOps() != SelectionKey.OP_READ) {
            c.key.interestOps(SelectionKey.OP_READ);
        }
        ServerConnection head = newest.get(c.backend);
        c.older = head;
        c.newer = null;
        if (head != null) {
            head.newer = c;
        }
        newest.put(c.backend, c);
        counts.merge(c.backend, 1, Integer::sum);
        total++;
    }

    /** Takes an idle connection out of the pool (it stays open). */
    void remove(ServerConnection c) {
        if (!c.idle) {
            return;
        }
        c.idle = false;
        if (c.newer != null) {
            c.newer.older = c.older;
        } else if (c.older != null) {
            newest.put(c.backend, c.older);
        } else {
            newest.remove(c.backend);
        }
        if (c.older != null) {
            c.older.newer = c.newer;
        }
        c.newer = null;
        c.older = null;
        counts.computeIfPresent(c.backend, (b, n) -> n <= 1 ? null : n - 1);
        total--;
    }

    private int count(Backend b) {
        Integer n = counts.get(b);
        return n == null ? 0 : n;
    }

    /** Idle connections kept now, over all backends. */
    int size() {
        return total;
    }

    /** Closes the connections idle for {@code timeoutNanos} or more, and those of removed backends. */
    void sweep(long now, long timeoutNanos) {
        if (total == 0) {
            return;
        }
        Iterator<Map.Entry<Backend, ServerConnection>> it = newest.entrySet().iterator();
        java.util.List<ServerConnection> expired = null;
        while (it.hasNext()) {
            Map.Entry<Backend, ServerConnection> e = it.next();
            boolean gone = e.getKey().removed();
            for (ServerConnection c = e.getValue(); c != null; c = c.older) {
                if (gone || now - c.idleSince >= timeoutNanos) {
                    if (expired == null) {
                        expired = new java.util.ArrayList<>();
                    }
                    expired.add(c);
                }
            }
        }
        if (expired != null) {
            for (ServerConnection c : expired) {
                remove(c);
                c.close(false);
            }
        }
    }

    /** Closes every idle connection (of one backend, unless null). */
    void closeAll(Backend only) {
        java.util.List<ServerConnection> all = new java.util.ArrayList<>();
        for (ServerConnection head : newest.values()) {
            for (ServerConnection c = head; c != null; c = c.older) {
                if (only == null || c.backend == only) {
                    all.add(c);
                }
            }
        }
        for (ServerConnection c : all) {
            remove(c);
            c.close(false);
        }
    }
}
