package dev.lbkit.proxy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HttpRoute;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.Vip;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStats;
import dev.lbkit.proxy.proxyprotocol.TrustedSources;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A virtual server as the proxy runs it: its current {@link State} (configuration, options, real servers,
 * scheduler), its listener, its wait queue and its counters. The state is an immutable snapshot swapped by the
 * applying thread; I/O loops read it once per scheduling decision. The queue is shared by all loops and guarded
 * by its own monitor (touched only when every real server is full, never on the relay path).
 */
final class VirtualService {
    final String label;
    private final MetricRegistry metrics;
    volatile State state;
    /** The listener, swapped by the applying thread only. */
    volatile Listener listener;

    final AtomicInteger active = new AtomicInteger();
    final LongAdder connections = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder queued = new LongAdder();
    final LongAdder queueTimeouts = new LongAdder();
    final LongAdder proxyProtocolRejected = new LongAdder();
    /** HTTP only: the requests of this VIP (or pool). */
    final HttpStats http = new HttpStats();
    /** Finds a pool by label (the dataplane's virtual servers); for routes. */
    private final java.util.function.Function<String, VirtualService> pools;

    private final ArrayDeque<Session> queue = new ArrayDeque<>();
    private final AtomicInteger queueLength = new AtomicInteger();

    VirtualService(VirtualServer config, ProxyOptions options, MetricRegistry metrics) {
        this(config, options, metrics, label -> null);
    }

    VirtualService(VirtualServer config, ProxyOptions options, MetricRegistry metrics,
            java.util.function.Function<String, VirtualService> pools) {
        this.label = config.label();
        this.metrics = metrics;
        this.pools = pools;
        this.state = new State(config, options, Map.of(), null);
        registerMetrics();
        for (Backend b : state.backends) {
            registerMetrics(b);
        }
        if (state.fallback != null) {
            registerMetrics(state.fallback);
        }
    }

    /** Takes a new configuration or new options; returns the real servers that left it. */
    List<Backend> update(VirtualServer config, ProxyOptions options) {
        State old = state;
        State next = new State(config, options, old.byLabelWithFallback(), old);
        List<Backend> gone = new ArrayList<>();
        Map<String, Backend> now = next.byLabelWithFallback();
        for (Backend b : old.byLabelWithFallback().values()) {
            if (now.get(b.label) != b) {
                b.markRemoved();
                gone.add(b);
                if (old.persistence != null) {
                    old.persistence.removeServer(b);
                }
                if (old.learned != null) {
                    old.learned.removeServer(b);
                }
                metrics.removeMatching((name, m) -> name.startsWith(prefix(b)));
            }
        }
        for (Backend b : now.values()) {
            if (old.byLabelWithFallback().get(b.label) != b || next.http != old.http) {
                registerMetrics(b);
            }
        }
        if (next.http && !old.http) {
            http.register(metrics, "lbkit." + label + ".");
        }
        state = next;
        return gone;
    }

    /** Forgets the metrics of this virtual server and marks its real servers removed. */
    void retire() {
        for (Backend b : state.byLabelWithFallback().values()) {
            b.markRemoved();
        }
        metrics.removeMatching((name, m) -> name.startsWith("lbkit." + label + "."));
    }

    /**
     * The server for a new connection of {@code session} from {@code source}: its persisted server while that
     * may take it (first attempt only), else the scheduler's choice, skipping servers it already tried. Null when
     * no real server can take it now.
     */
    Backend choose(State st, InetAddress source, TcpSession session, long now) {
        if (st.persistence != null && session.attempts == 0) {
            Backend p = st.persistence.lookup(source, now);
            if (p != null && p.takesPersistedClients() && st.byLabel.get(p.label) == p) {
                return p;
            }
        }
        Backend b = st.chooser.pick(source);
        if (b != null && session.hasTried(b)) {
            b = null;
            for (Backend c : st.backends) {
                if (c.inRotation() && !c.full() && !session.hasTried(c)) {
                    b = c;
                    break;
                }
            }
        }
        return b;
    }

    /**
     * The pool an HTTP request for {@code host} and {@code path} goes to: the first matching route's, else this
     * virtual server itself (its default pool). Null when a route names a pool that is not running (the
     * configuration guarantees it is, so only during a change).
     */
    VirtualService route(State st, String host, String path) {
        List<HttpRoute> routes = st.routes;
        for (int i = 0, n = routes.size(); i < n; i++) {
            HttpRoute r = routes.get(i);
            if (r.matches(host, path)) {
                return pools.apply(r.pool());
            }
        }
        return this;
    }

    /** Records that {@code source} reached {@code server} (source-IP persistence), on a successful connect. */
    void persist(InetAddress source, Backend server, long now) {
        State st = state;
        if (st.persistence != null && !server.fallback) {
            st.persistence.record(source, server, now);
        }
    }

    /**
     * True when the scheduler found no server but a server in rotation has a connection limit: the connection
     * is worth queueing, since one may free a slot (or leave its overload state) soon.
     */
    static boolean limited(State st) {
        for (Backend b : st.backends) {
            if (b.inRotation() && b.maxConnections() > 0) {
                return true;
            }
        }
        return false;
    }

    /** True when a server in rotation is below its connection limit. */
    static boolean hasRoom(State st) {
        for (Backend b : st.backends) {
            if (b.inRotation() && !b.full()) {
                return true;
            }
        }
        return false;
    }

    /** Puts a session at the end of the queue unless the queue is full; true when it was queued. */
    boolean enqueue(Session s, int max) {
        synchronized (queue) {
            if (queue.size() >= max) {
                return false;
            }
            queue.addLast(s);
            queueLength.incrementAndGet();
        }
        queued.increment();
        // a slot may have been freed between the caller's check and now: nobody would wake us then
        if (hasRoom(state)) {
            slotFreed();
        }
        return true;
    }

    /** Puts a session that lost a race for a slot back at the head of the queue. */
    void requeue(Session s) {
        synchronized (queue) {
            queue.addFirst(s);
            queueLength.incrementAndGet();
        }
        // no wake-up here: the next connection that ends will, and waking now could spin while a server stays
        // overloaded above its minConnections
    }

    /** Takes a session out of the queue; false when it was not there (a retry for it is on its way). */
    boolean dequeue(Session s) {
        synchronized (queue) {
            if (queue.removeFirstOccurrence(s)) {
                queueLength.decrementAndGet();
                return true;
            }
            return false;
        }
    }

    /**
     * A connection slot may be free: the session first in the queue retries on its own loop. The queue holds
     * Layer 4 connections of a PROXY virtual server and HTTP requests of a pool (or of an HTTP VIP's own servers)
     * alike: whoever waits for a real server of this virtual server.
     */
    void slotFreed() {
        if (queueLength.get() == 0) {
            return;
        }
        Session s;
        synchronized (queue) {
            s = queue.pollFirst();
            if (s == null) {
                return;
            }
            queueLength.decrementAndGet();
        }
        s.loop.execute(s::retryFromQueue);
    }

    /** Lets up to every queued session retry (after a configuration change). */
    void wakeQueue() {
        for (int i = queueLength.get(); i > 0; i--) {
            slotFreed();
        }
    }

    /** Empties the queue, returning the sessions (when the virtual server is removed). */
    List<Session> drainQueue() {
        synchronized (queue) {
            List<Session> out = new ArrayList<>(queue);
            queue.clear();
            queueLength.set(0);
            return out;
        }
    }

    int queueLength() {
        return queueLength.get();
    }

    VirtualServerStats stats() {
        State st = state;
        Map<String, TrafficStats> rs = new LinkedHashMap<>();
        for (Backend b : st.byLabelWithFallback().values()) {
            rs.put(b.label, b.stats());
        }
        TrafficStats total = new TrafficStats(active.get(), 0, connections.sum(), 0, 0, bytesIn.sum(),
                bytesOut.sum());
        return new VirtualServerStats(total, rs);
    }

    private String prefix(Backend b) {
        return "lbkit." + label + "." + b.label + ".";
    }

    private void registerMetrics() {
        String p = "lbkit." + label + ".";
        gauge(p + "activeConnections", () -> (long) active.get());
        gauge(p + "connections", connections::sum);
        gauge(p + "bytesIn", bytesIn::sum);
        gauge(p + "bytesOut", bytesOut::sum);
        gauge(p + "queueLength", () -> (long) queueLength.get());
        gauge(p + "queued", queued::sum);
        gauge(p + "queueTimeouts", queueTimeouts::sum);
        gauge(p + "refused", refused::sum);
        gauge(p + "proxyProtocolRejected", proxyProtocolRejected::sum);
        gauge(p + "listening", () -> {
            Listener l = listener;
            return l != null && l.bound() ? 1L : 0L;
        });
        if (state.http) {
            http.register(metrics, p);
        }
    }

    private void registerMetrics(Backend b) {
        String p = prefix(b);
        metrics.removeMatching((name, m) -> name.startsWith(p));
        gauge(p + "activeConnections", () -> (long) b.active.get());
        gauge(p + "connections", b.connections::sum);
        gauge(p + "bytesIn", b.bytesIn::sum);
        gauge(p + "bytesOut", b.bytesOut::sum);
        gauge(p + "connectFailures", b.connectFailures::sum);
        if (state.http) {
            b.http.register(metrics, p);
        }
    }

    private void gauge(String name, Supplier<Long> value) {
        metrics.remove(name);
        metrics.register(name, (Gauge<Long>) value::get);
    }

    /**
     * What a virtual server is at one moment: configuration, options in the units the loops use, real servers
     * and scheduler. Immutable (the {@link Backend}s in it carry live counters).
     */
    static final class State {
        final VirtualServer config;
        final ProxyOptions options;
        final List<Backend> backends;
        final Map<String, Backend> byLabel;
        final Backend fallback;
        final BackendChooser chooser;
        final PersistenceTable persistence;
        final TrustedSources trusted; // null: headers are not accepted
        final long connectTimeout;
        final long clientIdleTimeout;
        final long serverIdleTimeout;
        final long lifetime; // 0: unlimited
        final long queueTimeout;
        final long headerTimeout;
        final int queueSize;
        final int redispatchAttempts;
        /** HTTP: forwarding method HTTP (a VIP or a pool). */
        final boolean http;
        final List<HttpRoute> routes;
        /** HTTP: cookie persistence, or null. */
        final CookiePersistence cookie;
        /** HTTP: the real servers (not the fallback) by the id their cookie carries. */
        final Map<String, Backend> byCookieId;
        /** HTTP, PASSIVE cookie: the learned session ids; kept while the policy stays the same. */
        final LearnedCookies learned;
        final HttpOptions httpOptions;

        State(VirtualServer config, ProxyOptions options, Map<String, Backend> existing, State previous) {
            this.config = config;
            this.options = options;
            int vipPort = config.vip() instanceof Vip.Socket s ? s.port() : 0; // a pool's servers set their ports
            List<Backend> list = new ArrayList<>();
            Map<String, Backend> map = new LinkedHashMap<>();
            for (RealServer r : config.realServers()) {
                Backend b = existing.get(r.label());
                if (b == null || b.fallback) {
                    b = new Backend(r, vipPort, false);
                } else {
                    b.update(r, vipPort);
                }
                list.add(b);
                map.put(r.label(), b);
            }
            this.backends = List.copyOf(list);
            this.byLabel = Collections.unmodifiableMap(map);
            RealServer fb = config.fallback().orElse(null);
            if (fb == null) {
                this.fallback = null;
            } else {
                Backend b = existing.get(fb.label());
                if (b == null || !b.fallback) {
                    b = new Backend(fb, vipPort, true);
                } else {
                    b.update(fb, vipPort);
                }
                this.fallback = b;
            }
            this.chooser = new BackendChooser(config.scheduler(), backends);
            PersistencePolicy p = config.persistence();
            if (!(p instanceof SourceIpPersistence)) {
                this.persistence = null;
            } else if (previous != null && previous.persistence != null
                    && previous.config.persistence().equals(p)) {
                this.persistence = previous.persistence;
            } else {
                this.persistence = new PersistenceTable((SourceIpPersistence) p);
            }
            this.trusted = options.trustedSources().isEmpty() ? null : options.trustedSources();
            this.connectTimeout = config.connectTimeout().toNanos();
            this.clientIdleTimeout = options.clientIdleTimeout().orElse(config.idleTimeout()).toNanos();
            this.serverIdleTimeout = options.serverIdleTimeout().orElse(config.idleTimeout()).toNanos();
            this.lifetime = options.connectionLifetime().toNanos();
            this.queueTimeout = options.queueTimeout().toNanos();
            this.headerTimeout = options.proxyProtocolTimeout().toNanos();
            this.queueSize = options.queueSize();
            this.redispatchAttempts = options.redispatchAttempts();
            this.http = config.forwardingMethod() == ForwardingMethod.HTTP;
            this.routes = config.routes();
            this.httpOptions = options.http();
            this.cookie = p instanceof CookiePersistence c ? c : null;
            Map<String, Backend> ids = new java.util.HashMap<>();
            if (cookie != null) {
                for (Backend b : backends) {
                    String id = cookieId(config.label(), b.label, httpOptions);
                    b.cookieId = id;
                    ids.put(id, b);
                }
            }
            this.byCookieId = ids;
            if (cookie == null || cookie.mode() != CookiePersistence.Mode.PASSIVE) {
                this.learned = null;
            } else if (previous != null && previous.learned != null && previous.cookie.equals(cookie)
                    && previous.httpOptions.learnedCookies() == httpOptions.learnedCookies()
                    && previous.httpOptions.learnedCookieTimeout().equals(httpOptions.learnedCookieTimeout())) {
                this.learned = previous.learned;
            } else {
                this.learned = new LearnedCookies(httpOptions.learnedCookies(),
                        httpOptions.learnedCookieTimeout().toNanos());
            }
        }

        /**
         * The id a persistence cookie carries for a real server: configured, the label, or else the first 12 hex
         * digits of SHA-256 over the virtual server's and real server's labels. Stable across restarts and HA
         * peers (so clients keep their server through a failover) and not the label, which may be internal.
         */
        static String cookieId(String virtualServer, String realServer, HttpOptions o) {
            String configured = o.cookieValue(realServer);
            if (configured != null) {
                return configured;
            }
            if (o.cookieValueIsLabel()) {
                return realServer;
            }
            try {
                byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(
                        ("lbkit-cookie\0" + virtualServer + "\0" + realServer)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(h, 0, 6);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }

        /** The real servers and the fallback server by label. */
        Map<String, Backend> byLabelWithFallback() {
            if (fallback == null) {
                return byLabel;
            }
            Map<String, Backend> m = new LinkedHashMap<>(byLabel);
            m.putIfAbsent(fallback.label, fallback);
            return m;
        }

        /** The shortest timeout in use, to pace the loops' sweeps. */
        long shortestTimeout() {
            long t = Math.min(connectTimeout, Math.min(clientIdleTimeout, serverIdleTimeout));
            t = Math.min(t, Math.min(queueTimeout, headerTimeout));
            if (http) {
                HttpOptions h = httpOptions;
                t = Math.min(t, Math.min(h.clientHeaderTimeout().toNanos(), h.keepAliveTimeout().toNanos()));
                t = Math.min(t, Math.min(h.serverResponseTimeout().toNanos(), h.serverIdleTimeout().toNanos()));
            }
            return lifetime > 0 ? Math.min(t, lifetime) : t;
        }
    }
}
