package dev.lbkit.proxy;

import com.codahale.metrics.MetricRegistry;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.ConfigurationDiff.VirtualServerChange;
import dev.lbkit.api.ConfigurationDiff.VirtualServerField;
import dev.lbkit.api.Dataplane;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HaState;
import dev.lbkit.api.HaStateListener;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Vip;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NIO dataplane for {@link ForwardingMethod#PROXY}, a Layer 4 TCP full proxy, and {@link ForwardingMethod#HTTP},
 * a Layer 7 HTTP/1.1 proxy with URL switching to pools and cookie persistence (see {@link HttpSession},
 * {@link HttpOptions} and {@code docs/http-proxy.md}; an HTTP pool runs here without a listener). Each virtual
 * server gets a
 * listening socket on its VIP; each accepted connection is scheduled to a real server, connected, and relayed
 * byte for byte in both directions (half-close and resets included) until either side ends it.
 *
 * <h2>Threads</h2>
 * {@link Builder#ioThreads} I/O threads (default: one per available core), named {@code lbkit-proxy-io-N},
 * daemon, each with its own {@link java.nio.channels.Selector}. They start with the first {@link #apply} that
 * adds a virtual server (a dataplane that ServiceLoader created but that runs nothing holds no thread). A VIP's
 * listener is served by one of them, which spreads accepted connections over all of them round robin; both
 * sockets of a proxied connection stay on one thread for their whole life, so the relay takes no lock. No I/O
 * thread ever blocks.
 *
 * <h2>Rules</h2>
 * As {@link Dataplane} describes: weight 0 takes no new connection but keeps its live ones and, unless the real
 * server is {@code OFFLINE}, its persisted clients; a real server at its {@code maxConnections} is skipped
 * ({@code minConnections} as IPVS's lower threshold, applied by the scheduler); when every real server in
 * rotation is full the connection waits in a bounded queue ({@link ProxyOptions#queueSize()},
 * {@link ProxyOptions#queueTimeout()}), then is refused (closed). A failed connect tries another real server up
 * to {@link ProxyOptions#redispatchAttempts()} times; when no real server can take a connection it goes to the
 * {@link VirtualServer#fallback() fallback server} if there is one, else it is closed.
 *
 * <h2>Changes at runtime</h2>
 * {@link #apply} binds every new listening socket first; if one cannot be bound it closes what it bound and
 * throws {@link DataplaneException} naming the virtual server and the address, having changed nothing.
 * Otherwise it swaps the new configuration in: live connections continue (those of a removed real server or
 * virtual server finish, unless {@link ProxyOptions#closeConnectionsOnRemove()}), new ones follow the new rules.
 *
 * <h2>Metrics</h2>
 * Gauges in the {@link MetricRegistry} (given to the builder, else a private one, see {@link #metrics()}):
 * {@code lbkit.<vip>.<metric>} for {@code activeConnections, connections, bytesIn, bytesOut, queueLength,
 * queued, queueTimeouts, refused, proxyProtocolRejected, listening} (1 while the VIP's socket is bound, 0 while a
 * {@linkplain ProxyOptions#floatingAddress() floating} VIP waits for its address) and {@code lbkit.<vip>.<rip>.<metric>} for
 * {@code activeConnections, connections, bytesIn, bytesOut, connectFailures}. Byte counts are published by each
 * loop's periodic sweep and when a connection closes.
 *
 * <p>Thread-safety: {@link #apply}, {@link #setOptions} and {@link #close} are serialised on one lock; the other
 * methods may be called from any thread at any time.
 */
public final class ProxyDataplane implements Dataplane, HaStateListener {
    private static final Logger log = LoggerFactory.getLogger(ProxyDataplane.class);
    private static final long MIN_SWEEP_NANOS = 10_000_000L;
    private static final long MAX_SWEEP_NANOS = 1_000_000_000L;

    private final String name;
    private final int ioThreads;
    private final int bufferSize;
    private final int maxFreeBuffers;
    private final MetricRegistry metrics;
    private final ProxyOptions defaultOptions;
    private final Map<String, ProxyOptions> options = new ConcurrentHashMap<>();
    private final Map<String, VirtualService> services = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private volatile IoLoop[] loops = new IoLoop[0];
    private int nextListenerLoop;
    private volatile boolean closed;

    /** A dataplane with the defaults of {@link Builder}; found by {@link java.util.ServiceLoader}. */
    public ProxyDataplane() {
        this(builder());
    }

    private ProxyDataplane(Builder b) {
        this.name = b.name;
        this.ioThreads = b.ioThreads;
        this.bufferSize = b.bufferSize;
        this.maxFreeBuffers = b.maxFreeBuffers;
        this.metrics = b.metrics != null ? b.metrics : new MetricRegistry();
        this.defaultOptions = b.defaultOptions;
        this.options.putAll(b.options);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<ForwardingMethod> forwardingMethods() {
        return EnumSet.of(ForwardingMethod.PROXY, ForwardingMethod.HTTP);
    }

    /** The registry the metrics are in. */
    public MetricRegistry metrics() {
        return metrics;
    }

    /** The number of I/O threads this dataplane runs (once started). */
    public int ioThreads() {
        return ioThreads;
    }

    /** The options of a virtual server: set for its label, else the defaults. */
    public ProxyOptions options(String virtualServer) {
        return options.getOrDefault(virtualServer, defaultOptions);
    }

    /**
     * Sets the options of a virtual server by label (whether or not it runs yet); connections accepted from now
     * on follow them. Null goes back to the defaults. {@link ProxyOptions#backlog()} applies when the VIP is
     * next bound.
     */
    public void setOptions(String virtualServer, ProxyOptions newOptions) {
        Objects.requireNonNull(virtualServer, "virtualServer");
        synchronized (lock) {
            if (newOptions == null) {
                options.remove(virtualServer);
            } else {
                options.put(virtualServer, newOptions);
            }
            VirtualService svc = services.get(virtualServer);
            if (svc != null) {
                svc.update(svc.state.config, options(virtualServer));
                svc.wakeQueue();
                updateSweepInterval();
            }
        }
    }

    /** The address a virtual server's listener is bound to, if it runs. */
    public Optional<InetSocketAddress> localAddress(String virtualServer) {
        VirtualService svc = services.get(virtualServer);
        Listener l = svc == null ? null : svc.listener;
        return l == null || !l.bound() ? Optional.empty() : Optional.of(l.localAddress());
    }

    /**
     * Told by the {@link dev.lbkit.api.LoadBalancer} (or an HA module directly) that this host's HA state changed:
     * on becoming master, listeners waiting for their floating address try to bind at once rather than at the
     * next sweep. See {@link ProxyOptions#floatingAddress()}.
     */
    @Override
    public void onHaStateChange(String instance, HaState from, HaState to, String reason) {
        if (to != HaState.MASTER) {
            return;
        }
        for (VirtualService svc : services.values()) {
            Listener l = svc.listener;
            if (l != null) {
                l.retryBind();
            }
        }
    }

    /** The connections open now (accepted and not yet closed), over all virtual servers. */
    public int openConnections() {
        int n = 0;
        for (IoLoop l : loops) {
            n += l.sessionCountVolatile();
        }
        return n;
    }

    /** The length of a virtual server's wait queue (0 when it does not run). */
    public int queueLength(String virtualServer) {
        VirtualService svc = services.get(virtualServer);
        return svc == null ? 0 : svc.queueLength();
    }

    /** Connect failures counted for one real server (0 when unknown). */
    public long connectFailures(String virtualServer, String realServer) {
        VirtualService svc = services.get(virtualServer);
        Backend b = svc == null ? null : svc.state.byLabelWithFallback().get(realServer);
        return b == null ? 0 : b.connectFailures.sum();
    }

    /** Connections refused (queue full or timed out, nowhere to go) by a virtual server. */
    public long refusedConnections(String virtualServer) {
        VirtualService svc = services.get(virtualServer);
        return svc == null ? 0 : svc.refused.sum();
    }

    /** Connections closed for a missing, malformed or untrusted PROXY protocol header. */
    public long proxyProtocolRejected(String virtualServer) {
        VirtualService svc = services.get(virtualServer);
        return svc == null ? 0 : svc.proxyProtocolRejected.sum();
    }

    /** The buffer pools' counters; see {@link BufferStats} for how to tell a leak. */
    public BufferStats bufferStats() {
        long leased = 0;
        long returned = 0;
        long allocated = 0;
        int held = 0;
        for (IoLoop l : loops) {
            // returned first: a buffer returned between the two reads is then not counted as outstanding twice
            returned += l.pool.returned();
            leased += l.pool.leased();
            allocated += l.pool.allocated();
            held += l.holdsScratch() ? 1 : 0;
        }
        return new BufferStats(leased, returned, allocated, held, bufferSize);
    }

    /** The I/O threads (empty before the first apply). */
    List<Thread> threads() {
        List<Thread> out = new ArrayList<>();
        for (IoLoop l : loops) {
            out.add(l.thread());
        }
        return out;
    }

    @Override
    public void apply(ConfigurationDiff diff) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("dataplane '" + name + "' is closed");
            }
            validate(diff);
            if (diff.isEmpty()) {
                return;
            }
            startLoops();
            Map<InetSocketAddress, Listener> releasing = new HashMap<>();
            for (VirtualServer vs : diff.removed()) {
                Listener l = services.get(vs.label()).listener;
                if (l != null) { // an HTTP pool has none
                    releasing.put(l.address(), l);
                }
            }
            List<VirtualServer> needListener = new ArrayList<>();
            for (VirtualServer vs : diff.added()) {
                if (!vs.isPool()) {
                    needListener.add(vs);
                }
            }
            for (VirtualServerChange c : diff.changed()) {
                if (c.fields().contains(VirtualServerField.VIP)) {
                    Listener l = services.get(c.label()).listener;
                    if (l != null) {
                        releasing.put(l.address(), l);
                    }
                    if (!c.after().isPool()) {
                        needListener.add(c.after());
                    }
                }
            }
            Map<String, Listener> bound = bindAll(needListener, releasing);
            // nothing below can fail: commit
            for (VirtualServer vs : diff.removed()) {
                removeService(services.remove(vs.label()), releasing);
            }
            for (VirtualServerChange c : diff.changed()) {
                changeService(services.get(c.label()), c, bound.get(c.label()), releasing);
            }
            for (VirtualServer vs : diff.added()) {
                VirtualService svc = new VirtualService(vs, options(vs.label()), metrics, services::get);
                Listener l = bound.get(vs.label());
                if (l != null) {
                    attach(svc, l);
                }
                services.put(vs.label(), svc);
            }
            for (Listener l : releasing.values()) {
                l.close();
            }
            updateSweepInterval();
        }
    }

    private void validate(ConfigurationDiff diff) {
        for (VirtualServer vs : diff.removed()) {
            if (!services.containsKey(vs.label())) {
                throw new IllegalStateException("diff removes virtual server '" + vs.label() + "', which '" + name
                        + "' does not run");
            }
        }
        for (VirtualServer vs : diff.added()) {
            if (services.containsKey(vs.label())) {
                throw new IllegalStateException("diff adds virtual server '" + vs.label() + "', which '" + name
                        + "' runs already");
            }
            checkCarries(vs);
        }
        for (VirtualServerChange c : diff.changed()) {
            if (!services.containsKey(c.label())) {
                throw new IllegalStateException("diff changes virtual server '" + c.label() + "', which '" + name
                        + "' does not run");
            }
            checkCarries(c.after());
        }
    }

    private void checkCarries(VirtualServer vs) {
        ForwardingMethod m = vs.forwardingMethod();
        if (m != ForwardingMethod.PROXY && m != ForwardingMethod.HTTP) {
            throw new DataplaneException(vs.label(), vs.describe() + ": dataplane '" + name
                    + "' carries forwarding methods PROXY and HTTP only, not " + m);
        }
        for (RealServer r : vs.realServers()) {
            if (vs.forwardingMethodOf(r) != m) {
                throw new DataplaneException(vs.label(), vs.describe() + ": real server '" + r.label()
                        + "': dataplane '" + name + "' cannot mix forwarding method " + vs.forwardingMethodOf(r)
                        + " with the virtual server's " + m);
            }
        }
        if (vs.isPool()) {
            return;
        }
        if (!(vs.vip() instanceof Vip.Socket)) {
            throw new DataplaneException(vs.label(), vs.describe() + ": the proxy needs an address and port");
        }
    }

    /** Binds a listener for each virtual server (reusing one being released on the same address). */
    private Map<String, Listener> bindAll(List<VirtualServer> needListener, Map<InetSocketAddress, Listener> releasing) {
        Map<String, Listener> bound = new LinkedHashMap<>();
        List<Listener> opened = new ArrayList<>();
        for (VirtualServer vs : needListener) {
            Vip.Socket vip = (Vip.Socket) vs.vip();
            InetSocketAddress address = new InetSocketAddress(vip.address(), vip.port());
            Listener reuse = releasing.remove(address);
            if (reuse != null) {
                bound.put(vs.label(), reuse);
                continue;
            }
            int backlog = options(vs.label()).backlog();
            try {
                Listener l = Listener.bind(address, backlog, this, nextListenerLoop());
                opened.add(l);
                bound.put(vs.label(), l);
            } catch (IOException | RuntimeException e) {
                if (options(vs.label()).floatingAddress() && Listener.notLocal(vip.address())) {
                    // an HA backup: the floating IP is on the master; listen once it arrives here
                    Listener l = Listener.waiting(address, backlog, this, nextListenerLoop());
                    opened.add(l);
                    bound.put(vs.label(), l);
                    continue;
                }
                for (Listener l : opened) {
                    l.close();
                }
                String where = vip.address() instanceof java.net.Inet6Address
                        ? "[" + vip.address().getHostAddress() + "]:" + vip.port()
                        : vip.address().getHostAddress() + ":" + vip.port();
                throw new DataplaneException(vs.label(), vs.describe() + ": bind " + where + ": " + e.getMessage(), e);
            }
        }
        return bound;
    }

    private void attach(VirtualService svc, Listener l) {
        boolean fresh = l.service == null;
        l.service = svc;
        svc.listener = l;
        if (fresh) {
            l.start();
        }
    }

    private void changeService(VirtualService svc, VirtualServerChange c, Listener newListener,
            Map<InetSocketAddress, Listener> releasing) {
        List<Backend> gone = svc.update(c.after(), options(c.label()));
        if (newListener != null) {
            attach(svc, newListener);
        } else if (c.after().isPool()) {
            svc.listener = null; // became a pool: its old listener is being released
        }
        if (options(c.label()).closeConnectionsOnRemove()) {
            for (Backend b : gone) {
                closeSessions(svc, b, false);
            }
        }
        svc.wakeQueue();
    }

    private void removeService(VirtualService svc, Map<InetSocketAddress, Listener> releasing) {
        svc.retire();
        for (Session s : svc.drainQueue()) {
            s.loop.execute(s::dropFromQueue);
        }
        if (svc.state.options.closeConnectionsOnRemove()) {
            closeSessions(svc, null, false);
        }
    }

    /** Closes the sessions of a virtual server (of one real server, unless null) on every loop. */
    private boolean closeSessions(VirtualService svc, Backend backend, boolean wait) {
        IoLoop[] ls = loops;
        CountDownLatch done = new CountDownLatch(ls.length);
        for (IoLoop l : ls) {
            l.execute(() -> {
                try {
                    if (backend != null) {
                        l.serverConnections.closeAll(backend); // idle HTTP connections to it
                    }
                    Session s = l.sessions;
                    while (s != null) {
                        Session next = s.next;
                        if (s.belongsTo(svc, backend)) {
                            s.close(false);
                        }
                        s = next;
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        if (!wait) {
            return true;
        }
        try {
            return done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Closes the live connections of one real server (or the fallback server) of a virtual server and waits
     * (up to 5 s) until they are closed.
     *
     * @return true when they were closed; false when the virtual server or real server is unknown
     */
    @Override
    public boolean closeConnections(String virtualServer, String realServer) {
        VirtualService svc = services.get(virtualServer);
        if (svc == null) {
            return false;
        }
        Backend b = svc.state.byLabelWithFallback().get(realServer);
        if (b == null) {
            return false;
        }
        return closeSessions(svc, b, true);
    }

    @Override
    public Map<String, VirtualServerStats> stats() {
        Map<String, VirtualServerStats> out = new LinkedHashMap<>();
        for (Map.Entry<String, VirtualService> e : services.entrySet()) {
            out.put(e.getKey(), e.getValue().stats());
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (VirtualService svc : services.values()) {
                if (svc.listener != null) {
                    svc.listener.close();
                }
            }
            for (IoLoop l : loops) {
                l.stop();
            }
            for (IoLoop l : loops) {
                try {
                    l.thread().join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (l.thread().isAlive()) {
                    log.warn("dataplane '{}': I/O thread {} did not stop within 10 s", name, l.thread().getName());
                }
                l.closeIncoming();
            }
            for (VirtualService svc : services.values()) {
                svc.retire();
            }
            services.clear();
        }
    }

    // ---- loops -----------------------------------------------------------------------------------------------

    private void startLoops() {
        if (loops.length > 0) {
            return;
        }
        IoLoop[] ls = new IoLoop[ioThreads];
        try {
            for (int i = 0; i < ioThreads; i++) {
                ls[i] = new IoLoop(i, bufferSize, maxFreeBuffers);
            }
        } catch (IOException e) {
            for (IoLoop l : ls) {
                if (l != null) {
                    l.stop();
                }
            }
            throw new DataplaneException(null, "dataplane '" + name + "': cannot open a selector: " + e.getMessage(),
                    e);
        }
        for (IoLoop l : ls) {
            l.start();
        }
        loops = ls;
    }

    private IoLoop nextListenerLoop() {
        IoLoop[] ls = loops;
        return ls[nextListenerLoop++ % ls.length];
    }

    /** The loop the next accepted connection goes to (round robin); any thread. */
    IoLoop nextLoop() {
        IoLoop[] ls = loops;
        if (ls.length == 1) {
            return ls[0];
        }
        return ls[Math.floorMod(nextLoop.getAndIncrement(), ls.length)];
    }

    private void updateSweepInterval() {
        long shortest = MAX_SWEEP_NANOS * 4;
        for (VirtualService svc : services.values()) {
            shortest = Math.min(shortest, svc.state.shortestTimeout());
        }
        long interval = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, shortest / 4));
        long serverIdle = Long.MAX_VALUE;
        for (VirtualService svc : services.values()) {
            if (svc.state.http) {
                serverIdle = Math.min(serverIdle, svc.state.httpOptions.serverIdleTimeout().toNanos());
            }
        }
        for (IoLoop l : loops) {
            l.sweepInterval(interval);
            if (serverIdle != Long.MAX_VALUE) {
                l.serverIdleNanos = serverIdle;
            }
        }
    }

    /**
     * Builds a {@link ProxyDataplane}. Defaults: name {@code proxy}, one I/O thread per available core, 64 KiB
     * buffers, up to 64 free buffers kept per thread, a private {@link MetricRegistry},
     * {@link ProxyOptions#defaults()}.
     */
    public static final class Builder {
        private String name = "proxy";
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int bufferSize = 64 * 1024;
        private int maxFreeBuffers = 64;
        private MetricRegistry metrics;
        private ProxyOptions defaultOptions = ProxyOptions.defaults();
        private final Map<String, ProxyOptions> options = new LinkedHashMap<>();

        private Builder() {}

        /** The dataplane's name in messages and status (default {@code proxy}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** I/O threads, 1..1024 (default: available processors). */
        public Builder ioThreads(int threads) {
            check(threads >= 1 && threads <= 1024, "ioThreads must be 1..1024 but was %s", threads);
            this.ioThreads = threads;
            return this;
        }

        /** Bytes per buffer, 4096..16 MiB (default 64 KiB): the most one read moves. */
        public Builder bufferSize(int bytes) {
            check(bytes >= 4096 && bytes <= 16 << 20, "bufferSize must be 4096..16777216 but was %s", bytes);
            this.bufferSize = bytes;
            return this;
        }

        /** Free buffers each I/O thread keeps for reuse, 0..65536 (default 64). */
        public Builder maxFreeBuffers(int buffers) {
            check(buffers >= 0 && buffers <= 65536, "maxFreeBuffers must be 0..65536 but was %s", buffers);
            this.maxFreeBuffers = buffers;
            return this;
        }

        /** The registry to publish metrics in (default: a new one). */
        public Builder metricRegistry(MetricRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Options for virtual servers without options of their own. */
        public Builder defaultOptions(ProxyOptions options) {
            this.defaultOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Options for the virtual server with this label. */
        public Builder options(String virtualServer, ProxyOptions options) {
            this.options.put(Objects.requireNonNull(virtualServer, "virtualServer"),
                    Objects.requireNonNull(options, "options"));
            return this;
        }

        public ProxyDataplane build() {
            return new ProxyDataplane(this);
        }

        private static void check(boolean ok, String format, Object... args) {
            if (!ok) {
                throw new IllegalArgumentException("proxy dataplane: " + String.format(format, args));
            }
        }
    }
}
