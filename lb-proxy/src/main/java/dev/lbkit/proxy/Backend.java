package dev.lbkit.proxy;

import dev.lbkit.api.RealServer;
import dev.lbkit.api.RequestedStatus;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.scheduling.Balanced;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A real server (or the fallback server) of one {@link VirtualService} as the proxy runs it: its current
 * effective {@link RealServer}, where to connect, and its counters. One object lives as long as the label stays
 * in the configuration, so counters survive weight and address changes. Thread-safe: the configuration is
 * swapped by the applying thread, the counters are touched by every I/O loop.
 */
final class Backend implements Balanced {
    final String label;
    final boolean fallback;
    private volatile RealServer server;
    private volatile InetSocketAddress address;
    private volatile boolean removed;

    final AtomicInteger active = new AtomicInteger();
    final LongAdder connections = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    /** HTTP proxy only: requests by status class, latency, requests in flight. */
    final HttpStats http = new HttpStats();
    /** HTTP proxy only: the server id its persistence cookie carries; set by the applying thread. */
    volatile String cookieId;

    Backend(RealServer server, int vipPort, boolean fallback) {
        this.label = server.label();
        this.fallback = fallback;
        update(server, vipPort);
    }

    /** Takes a changed configuration of the same label; live connections are not touched. */
    void update(RealServer server, int vipPort) {
        InetSocketAddress a = address;
        int port = server.effectivePort(vipPort);
        if (a == null || !a.getAddress().equals(server.address()) || a.getPort() != port) {
            this.address = new InetSocketAddress(server.address(), port);
        }
        this.server = server;
    }

    RealServer server() {
        return server;
    }

    InetSocketAddress address() {
        return address;
    }

    /** Marks the server gone from the configuration: nothing new is sent to it, persisted clients included. */
    void markRemoved() {
        removed = true;
    }

    boolean removed() {
        return removed;
    }

    @Override
    public boolean acceptsNewConnections() {
        return !removed && server.requestedStatus() != RequestedStatus.OFFLINE;
    }

    @Override
    public int weight() {
        return server.weight();
    }

    @Override
    public int minConnections() {
        return server.minConnections();
    }

    @Override
    public int maxConnections() {
        return server.maxConnections();
    }

    @Override
    public int activeConnections() {
        return active.get();
    }

    /** True when at its {@code maxConnections}. */
    boolean full() {
        int max = server.maxConnections();
        return max > 0 && active.get() >= max;
    }

    /**
     * True when a client persisted to this server may still go to it: present, not OFFLINE (DRAIN and weight 0
     * are fine, as on the appliance) and not full.
     */
    boolean takesPersistedClients() {
        return !removed && server.requestedStatus() != RequestedStatus.OFFLINE && !full();
    }

    /** True when the scheduler may give it a new connection (apart from thresholds the picker applies). */
    boolean inRotation() {
        return !removed && server.weight() > 0 && server.requestedStatus() != RequestedStatus.OFFLINE;
    }

    /** Counts a connection handed to this server. */
    void acquire() {
        active.incrementAndGet();
        connections.increment();
    }

    /** Counts the end of a connection of this server. */
    void release() {
        active.decrementAndGet();
    }

    TrafficStats stats() {
        return new TrafficStats(active.get(), 0, connections.sum(), 0, 0, bytesIn.sum(), bytesOut.sum());
    }

    @Override
    public String toString() {
        return label + "@" + address;
    }
}
