package dev.lbkit.api;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade: holds the desired {@link Configuration}, folds operators' requests and health into it, and
 * routes each virtual server to the {@link Dataplane} that supports its forwarding methods, handing each only
 * the difference.
 *
 * <p><b>One per process</b> (or per set of dataplanes). It owns the dataplanes it was built with:
 * {@link #close()} closes them, which closes their listeners and live connections.
 *
 * <p><b>Threads.</b> Every method is thread-safe; changes are serialised by one lock, and dataplanes are
 * called under it. The load balancer itself starts one daemon thread, {@code lbkit-drain}, only when
 * {@link #drain(String, String, Duration, DrainAction)} is first used; {@link #close()} stops it.
 *
 * <p><b>All or nothing.</b> {@link #apply} changes every dataplane or none: when one rejects its part, the
 * parts already applied to the others are rolled back, the desired configuration stays as it was, and the
 * exception names the virtual server and the reason.
 *
 * <p><b>Events</b> go to {@link LoadBalancerListener}s under the rules written there.
 */
public final class LoadBalancer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final List<Dataplane> dataplanes;
    private final HealthMonitor healthMonitor; // nullable
    private final Object monitorLock = new Object();
    private final List<LoadBalancerListener> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final Duration drainPollInterval;

    private final Object lock = new Object();
    private final EffectiveState state;
    private Configuration desired = Configuration.empty();
    private final Map<Dataplane, Configuration> applied = new LinkedHashMap<>();
    private final Map<String, Dataplane> routes = new LinkedHashMap<>();
    private ScheduledExecutorService drainExecutor;
    private final Set<CompletableFuture<DrainResult>> pendingDrains = ConcurrentHashMap.newKeySet();
    private boolean closed;
    /** This host's HA state per instance, in first-report order; guarded by {@link #lock}. */
    private final Map<String, HaStatus> haStates = new LinkedHashMap<>();

    private LoadBalancer(Builder b) {
        this.dataplanes = List.copyOf(b.dataplanes);
        this.healthMonitor = b.healthMonitor;
        this.listeners.addAll(b.listeners);
        this.clock = b.clock;
        this.drainPollInterval = b.drainPollInterval;
        this.state = new EffectiveState(b.healthHistory);
        for (Dataplane d : dataplanes) {
            applied.put(d, Configuration.empty());
        }
        if (healthMonitor != null) {
            healthMonitor.start(this::reportHealth);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes {@code configuration} the desired state: validates that every virtual server has a dataplane,
     * then applies only the difference to each dataplane.
     *
     * @return the difference between the previous and the new desired configuration
     * @throws IllegalArgumentException when no dataplane supports a virtual server's forwarding methods
     * @throws DataplaneException       when a dataplane rejects its part (every dataplane is then as before)
     * @throws IllegalStateException    after {@link #close()}
     */
    public ConfigurationDiff apply(Configuration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        List<LoadBalancerEvent> events = new ArrayList<>();
        ConfigurationDiff diff;
        synchronized (lock) {
            checkOpen();
            diff = ConfigurationDiff.between(desired, configuration);
            commit(configuration, "configuration", events);
            if (!diff.isEmpty()) {
                events.add(new LoadBalancerEvent.ConfigurationApplied(diff));
            }
        }
        if (!diff.isEmpty()) {
            notifyMonitor();
        }
        dispatch(events);
        return diff;
    }

    /**
     * What {@link #apply} would change, without changing anything; also checks that every virtual server has
     * a dataplane.
     *
     * @throws IllegalArgumentException when no dataplane supports a virtual server's forwarding methods
     */
    public ConfigurationDiff dryRun(Configuration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        synchronized (lock) {
            route(configuration);
            return ConfigurationDiff.between(desired, configuration);
        }
    }

    /** The desired configuration, as last applied (requested statuses and weights included). */
    public Configuration configuration() {
        synchronized (lock) {
            return desired;
        }
    }

    /** Takes a real server out of rotation: no new connections, not even persisted clients. */
    public void takeOffline(String virtualServer, String realServer) {
        editRealServer(virtualServer, realServer, "takeOffline", r -> r.withRequestedStatus(RequestedStatus.OFFLINE));
    }

    /** Puts a real server back in rotation (it still has to be healthy). */
    public void bringOnline(String virtualServer, String realServer) {
        editRealServer(virtualServer, realServer, "bringOnline", r -> r.withRequestedStatus(RequestedStatus.ONLINE));
    }

    /** Drains a real server: weight 0 at once; live connections and persisted clients continue. */
    public void drain(String virtualServer, String realServer) {
        editRealServer(virtualServer, realServer, "drain", r -> r.withRequestedStatus(RequestedStatus.DRAIN));
    }

    /**
     * Sets a real server's configured weight, 0..65535.
     *
     * @throws IllegalArgumentException naming the real server when the weight is out of range
     */
    public void setWeight(String virtualServer, String realServer, int weight) {
        editRealServer(virtualServer, realServer, "setWeight", r -> r.withWeight(weight));
    }

    /**
     * Drains a real server and reports when it is empty: weight 0 at once, then the future completes when its
     * active connections reach 0 or when {@code timeout} has passed, after {@code action} has been carried
     * out. A {@link LoadBalancerEvent.DrainFinished} event is sent either way. The future completes
     * exceptionally with {@link CancellationException} when the real server is brought back or removed
     * meanwhile, and with {@link DataplaneException} when the action cannot be applied.
     */
    public CompletableFuture<DrainResult> drain(String virtualServer, String realServer, Duration timeout,
            DrainAction action) {
        Validation.positive(timeout, "drain timeout");
        Objects.requireNonNull(action, "action");
        drain(virtualServer, realServer);
        CompletableFuture<DrainResult> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledExecutorService executor;
        synchronized (lock) {
            checkOpen();
            if (drainExecutor == null) {
                ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "lbkit-drain");
                    t.setDaemon(true);
                    return t;
                });
                e.setRemoveOnCancelPolicy(true);
                drainExecutor = e;
            }
            executor = drainExecutor;
        }
        pendingDrains.add(future);
        future.whenComplete((r, e) -> pendingDrains.remove(future));
        DrainMonitor monitor = new DrainMonitor(this, virtualServer, realServer, deadline, action, future);
        monitor.start(executor, drainPollInterval);
        return future;
    }

    /**
     * Records a health result for a real server (called by the health checker, or by an application that runs
     * its own checks) and applies what it changes: quiesce or removal on DOWN, back to the requested weight on
     * UP, the check's weight percentage and drain advice (an agent check's) while up. Requested status always
     * wins: an offline or drained server stays so. Unknown labels are ignored
     * (the server may have just been removed).
     */
    public void reportHealth(String virtualServer, String realServer, HealthReport report) {
        Objects.requireNonNull(report, "report");
        List<LoadBalancerEvent> events = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            VirtualServer vs = desired.virtualServer(virtualServer).orElse(null);
            RealServer rs = vs == null ? null : vs.realServer(realServer).orElse(null);
            if (rs == null) {
                return;
            }
            if (!state.changes(vs, rs, report)) {
                // Nothing a dataplane or the actual status depends on changed: keep the result, skip the commit
                // (a health checker may report every result of thousands of servers).
                state.report(vs, rs, report);
                return;
            }
            Map<String, ActualStatus> before = actualStatuses(desired);
            state.report(vs, rs, report);
            try {
                commit(desired, report.reason(), events, before);
            } catch (RuntimeException e) {
                log.warn("health result for {} real server '{}' could not be applied: {}", vs.describe(),
                        realServer, e.getMessage());
                events.add(new LoadBalancerEvent.DataplaneFailed(routes.get(virtualServer).name(), virtualServer,
                        e.getMessage()));
            }
        }
        dispatch(events);
    }

    /**
     * Records this host's HA state for one group of floating IPs: {@link #status()} shows it, listeners get a
     * {@link LoadBalancerEvent.HaStateChanged}, and every dataplane that is itself a {@link HaStateListener} is told
     * (the proxy dataplane then binds VIPs whose floating address just arrived). The signature is that of
     * {@link HaStateListener}, so an HA module takes {@code loadBalancer::reportHaState} as its listener. The
     * configuration is not changed: both members of a pair run the same virtual servers, and the floating IPs
     * decide which one gets the traffic. Ignored after {@link #close()}.
     *
     * @param instance the group (VRRP instance) that changed
     * @param from     the state before
     * @param to       the state now
     * @param reason   why, for logs and the status
     */
    public void reportHaState(String instance, HaState from, HaState to, String reason) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(to, "to");
        List<LoadBalancerEvent> events = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            haStates.put(instance, new HaStatus(instance, to, clock.instant(), reason));
            events.add(new LoadBalancerEvent.HaStateChanged(instance, from, to, reason == null ? "" : reason));
            for (Dataplane d : dataplanes) {
                if (d instanceof HaStateListener l) {
                    try {
                        l.onHaStateChange(instance, from, to, reason);
                    } catch (RuntimeException e) {
                        log.warn("dataplane '{}' failed on HA state change of '{}' to {}: {}", d.name(), instance, to,
                                e.toString());
                    }
                }
            }
        }
        dispatch(events);
    }

    /** Forgets the HA state of an instance that no longer exists (e.g. removed from the HA configuration). */
    public void forgetHaState(String instance) {
        synchronized (lock) {
            haStates.remove(instance);
        }
    }

    /** A snapshot of every virtual and real server with requested and actual status and the counters. */
    public LoadBalancerStatus status() {
        Configuration config;
        Map<String, Dataplane> routeCopy;
        List<HaStatus> ha;
        Map<String, Map<String, RealServerStatus>> partial = new LinkedHashMap<>();
        synchronized (lock) {
            config = desired;
            routeCopy = new LinkedHashMap<>(routes);
            ha = List.copyOf(haStates.values());
            for (VirtualServer vs : config.virtualServers()) {
                Map<String, RealServerStatus> m = new LinkedHashMap<>();
                for (RealServer rs : vs.realServers()) {
                    RealServer eff = state.effective(vs, rs);
                    m.put(rs.label(), new RealServerStatus(rs.label(), rs.endpoint(), rs.requestedStatus(),
                            state.health(vs, rs).state, state.actual(vs, rs), rs.weight(),
                            eff == null ? -1 : eff.weight(), TrafficStats.ZERO, state.history(vs, rs)));
                }
                partial.put(vs.label(), m);
            }
        }
        Map<Dataplane, Map<String, VirtualServerStats>> stats = new LinkedHashMap<>();
        for (Dataplane d : dataplanes) {
            try {
                stats.put(d, d.stats());
            } catch (RuntimeException e) {
                log.warn("dataplane '{}' could not report stats: {}", d.name(), e.toString());
                stats.put(d, Map.of());
            }
        }
        List<VirtualServerStatus> out = new ArrayList<>();
        for (VirtualServer vs : config.virtualServers()) {
            Dataplane d = routeCopy.get(vs.label());
            VirtualServerStats s = stats.getOrDefault(d, Map.of()).get(vs.label());
            List<RealServerStatus> rss = new ArrayList<>();
            boolean anyUp = false;
            for (RealServerStatus r : partial.get(vs.label()).values()) {
                TrafficStats t = s == null ? TrafficStats.ZERO : s.realServer(r.label());
                rss.add(new RealServerStatus(r.label(), r.endpoint(), r.requested(), r.health(), r.actual(),
                        r.weight(), r.effectiveWeight(), t, r.recentChecks()));
                anyUp |= r.effectiveWeight() > 0;
            }
            out.add(new VirtualServerStatus(vs.label(), vs.vip(), d == null ? "" : d.name(), vs.scheduler(),
                    s == null ? TrafficStats.ZERO : s.total(), rss, !anyUp && vs.fallback().isPresent()));
        }
        return new LoadBalancerStatus(clock.instant(), out, ha);
    }

    /** The dataplanes, in the order they were given. */
    public List<Dataplane> dataplanes() {
        return dataplanes;
    }

    public void addListener(LoadBalancerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(LoadBalancerListener listener) {
        listeners.remove(listener);
    }

    /**
     * Stops the drain monitor (pending drains complete with {@link CancellationException}) and closes every
     * dataplane, which closes their live connections. The kernel's IPVS table is left as the IPVS dataplane
     * documents. Idempotent.
     */
    @Override
    public void close() {
        ScheduledExecutorService executor;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            executor = drainExecutor;
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (healthMonitor != null) {
            try {
                healthMonitor.close();
            } catch (RuntimeException e) {
                log.warn("health monitor failed to close: {}", e.toString());
            }
        }
        for (CompletableFuture<DrainResult> f : List.copyOf(pendingDrains)) {
            f.completeExceptionally(new CancellationException("load balancer closed before the drain ended"));
        }
        for (Dataplane d : dataplanes) {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.warn("dataplane '{}' failed to close: {}", d.name(), e.toString());
            }
        }
    }

    // ---- internals -------------------------------------------------------------------------------------

    Clock clock() {
        return clock;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("load balancer is closed");
        }
    }

    private void editRealServer(String virtualServer, String realServer, String why,
            java.util.function.UnaryOperator<RealServer> edit) {
        List<LoadBalancerEvent> events = new ArrayList<>();
        synchronized (lock) {
            checkOpen();
            VirtualServer vs = requireVirtualServer(virtualServer);
            RealServer rs = vs.realServer(realServer).orElseThrow(() -> new IllegalArgumentException(
                    vs.describe() + ": no real server '" + realServer + "'"));
            RealServer edited;
            try {
                edited = edit.apply(rs);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(vs.describe() + ": " + e.getMessage(), e);
            }
            if (edited.equals(rs)) {
                return;
            }
            Configuration next = desired.with(vs.withRealServer(edited));
            ConfigurationDiff diff = ConfigurationDiff.between(desired, next);
            commit(next, why, events);
            events.add(new LoadBalancerEvent.ConfigurationApplied(diff));
        }
        notifyMonitor();
        dispatch(events);
    }

    private VirtualServer requireVirtualServer(String label) {
        return desired.virtualServer(label)
                .orElseThrow(() -> new IllegalArgumentException("no virtual server '" + label + "'"));
    }

    /** Applies {@code next} as the desired configuration, all or nothing. Caller holds the lock. */
    private void commit(Configuration next, String reason, List<LoadBalancerEvent> events) {
        commit(next, reason, events, actualStatuses(desired));
    }

    /** As above, with the actual statuses from before the change (health may already have been recorded). */
    private void commit(Configuration next, String reason, List<LoadBalancerEvent> events,
            Map<String, ActualStatus> before) {
        Map<String, Dataplane> nextRoutes = route(next);
        Configuration previous = desired;
        // Health that no longer applies is forgotten; the rest carries over.
        state.retain(previous, next);
        Map<Dataplane, Configuration> target = new LinkedHashMap<>();
        for (Dataplane d : dataplanes) {
            target.put(d, Configuration.empty());
        }
        for (VirtualServer vs : next.virtualServers()) {
            Dataplane d = nextRoutes.get(vs.label());
            target.put(d, target.get(d).with(state.effective(vs)));
        }
        List<Map.Entry<Dataplane, ConfigurationDiff>> done = new ArrayList<>();
        for (Dataplane d : dataplanes) {
            ConfigurationDiff diff = ConfigurationDiff.between(applied.get(d), target.get(d));
            if (diff.isEmpty()) {
                continue;
            }
            try {
                d.apply(diff);
                done.add(Map.entry(d, diff));
            } catch (RuntimeException e) {
                rollback(done);
                String vs = e instanceof DataplaneException ? ((DataplaneException) e).virtualServer() : null;
                String where = vs == null ? "" : next.virtualServer(vs).map(v -> v.describe() + ": ")
                        .orElse("virtual server '" + vs + "': ");
                throw new DataplaneException(vs, where + "dataplane '" + d.name() + "' rejected the change, so "
                        + "nothing was changed: " + e.getMessage(), e);
            }
        }
        for (Map.Entry<Dataplane, ConfigurationDiff> e : done) {
            applied.put(e.getKey(), target.get(e.getKey()));
        }
        desired = next;
        routes.clear();
        routes.putAll(nextRoutes);
        Map<String, ActualStatus> after = actualStatuses(next);
        for (Map.Entry<String, ActualStatus> e : after.entrySet()) {
            ActualStatus was = before.get(e.getKey());
            if (was != null && was != e.getValue()) {
                String[] key = e.getKey().split("\u0000", 2);
                events.add(new LoadBalancerEvent.RealServerStatusChanged(key[0], key[1], was, e.getValue(), reason));
            }
        }
    }

    private void rollback(List<Map.Entry<Dataplane, ConfigurationDiff>> done) {
        for (int i = done.size() - 1; i >= 0; i--) {
            Dataplane d = done.get(i).getKey();
            try {
                d.apply(done.get(i).getValue().inverse());
            } catch (RuntimeException e) {
                log.error("dataplane '{}' could not be rolled back; it may differ from the configuration: {}",
                        d.name(), e.toString());
            }
        }
    }

    private Map<String, ActualStatus> actualStatuses(Configuration c) {
        Map<String, ActualStatus> m = new LinkedHashMap<>();
        for (VirtualServer vs : c.virtualServers()) {
            for (RealServer rs : vs.realServers()) {
                m.put(vs.label() + "\u0000" + rs.label(), state.actual(vs, rs));
            }
        }
        return m;
    }

    /** Which dataplane runs each virtual server; throws naming the first that none supports. */
    private Map<String, Dataplane> route(Configuration c) {
        Map<String, Dataplane> r = new LinkedHashMap<>();
        for (VirtualServer vs : c.virtualServers()) {
            Set<ForwardingMethod> needed = EnumSet.of(vs.forwardingMethod());
            vs.realServers().forEach(rs -> needed.add(vs.forwardingMethodOf(rs)));
            vs.fallback().ifPresent(f -> needed.add(vs.forwardingMethodOf(f)));
            Dataplane chosen = null;
            for (Dataplane d : dataplanes) {
                if (d.forwardingMethods().containsAll(needed)) {
                    chosen = d;
                    break;
                }
            }
            if (chosen == null) {
                String have = dataplanes.isEmpty() ? "none"
                        : dataplanes.stream().map(d -> d.name() + " " + d.forwardingMethods())
                                .collect(Collectors.joining(", "));
                throw new IllegalArgumentException(vs.describe() + ": no dataplane supports forwarding method "
                        + needed + " (dataplanes: " + have + ")");
            }
            r.put(vs.label(), chosen);
        }
        return r;
    }

    /** Active connections of a real server now, or -1 when it is no longer draining. Used by the monitor. */
    long drainingConnections(String virtualServer, String realServer) {
        Dataplane d;
        synchronized (lock) {
            if (closed) {
                return -1;
            }
            VirtualServer vs = desired.virtualServer(virtualServer).orElse(null);
            RealServer rs = vs == null ? null : vs.realServer(realServer).orElse(null);
            if (rs == null || rs.requestedStatus() != RequestedStatus.DRAIN) {
                return -1;
            }
            d = routes.get(virtualServer);
        }
        VirtualServerStats s = d.stats().get(virtualServer);
        return s == null ? 0 : s.realServer(realServer).activeConnections();
    }

    /** Carries out a drain's action; returns the event to send. Called by the monitor's thread. */
    DrainResult finishDrain(String virtualServer, String realServer, boolean drained, long remaining,
            DrainAction action) {
        switch (action) {
            case REMOVE: {
                List<LoadBalancerEvent> events = new ArrayList<>();
                synchronized (lock) {
                    checkOpen();
                    VirtualServer vs = requireVirtualServer(virtualServer);
                    Configuration next = desired.with(vs.withoutRealServer(realServer));
                    ConfigurationDiff diff = ConfigurationDiff.between(desired, next);
                    commit(next, "drain finished", events);
                    events.add(new LoadBalancerEvent.ConfigurationApplied(diff));
                }
                notifyMonitor();
                dispatch(events);
                break;
            }
            case CLOSE_CONNECTIONS: {
                if (!drained) {
                    Dataplane d;
                    synchronized (lock) {
                        d = routes.get(virtualServer);
                    }
                    if (d != null && !d.closeConnections(virtualServer, realServer)) {
                        log.warn("dataplane '{}' cannot close the connections of real server '{}' of '{}'; {} "
                                + "remain", d.name(), realServer, virtualServer, remaining);
                    }
                }
                break;
            }
            default:
                break;
        }
        DrainResult result = new DrainResult(virtualServer, realServer, drained, remaining, action);
        dispatch(List.of(new LoadBalancerEvent.DrainFinished(result)));
        return result;
    }

    void drainFailed(String virtualServer, RuntimeException e) {
        Dataplane d;
        synchronized (lock) {
            d = routes.get(virtualServer);
        }
        dispatch(List.of(new LoadBalancerEvent.DataplaneFailed(d == null ? "" : d.name(), virtualServer,
                e.getMessage())));
    }

    /** Tells the health monitor the newest desired configuration; serialised, outside the state lock. */
    private void notifyMonitor() {
        if (healthMonitor == null) {
            return;
        }
        synchronized (monitorLock) {
            Configuration latest;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                latest = desired;
            }
            try {
                healthMonitor.update(latest);
            } catch (RuntimeException e) {
                log.error("health monitor rejected the configuration; checks may be stale: {}", e.toString());
            }
        }
    }

    private void dispatch(List<LoadBalancerEvent> events) {
        for (LoadBalancerEvent e : events) {
            for (LoadBalancerListener l : listeners) {
                try {
                    l.onEvent(e);
                } catch (RuntimeException ex) {
                    log.warn("listener {} threw on {}", l, e, ex);
                }
            }
        }
    }

    /** Builds a {@link LoadBalancer}. Not thread-safe. */
    public static final class Builder {
        private final List<Dataplane> dataplanes = new ArrayList<>();
        private final List<LoadBalancerListener> listeners = new ArrayList<>();
        private HealthMonitor healthMonitor;
        private Clock clock = Clock.systemUTC();
        private int healthHistory = 10;
        private Duration drainPollInterval = Duration.ofMillis(200);

        private Builder() {}

        /**
         * Adds a dataplane; the load balancer owns it from now on. When several support a virtual server's
         * forwarding methods, the first added wins.
         */
        public Builder dataplane(Dataplane dataplane) {
            dataplanes.add(Objects.requireNonNull(dataplane, "dataplane"));
            return this;
        }

        /**
         * The health checker that runs the virtual servers' {@link HealthCheck}s and reports to this load
         * balancer (e.g. lb-health's engine). The load balancer owns it: {@link #close()} closes it.
         */
        public Builder healthMonitor(HealthMonitor monitor) {
            this.healthMonitor = Objects.requireNonNull(monitor, "monitor");
            return this;
        }

        /** Adds every {@link Dataplane} that {@link ServiceLoader} finds on the class path. */
        public Builder discoverDataplanes() {
            ServiceLoader.load(Dataplane.class).forEach(dataplanes::add);
            return this;
        }

        public Builder listener(LoadBalancerListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The clock that time-stamps the status snapshot (default: the UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How many health results {@link RealServerStatus#recentChecks()} keeps per real server (default 10). */
        public Builder healthHistory(int results) {
            this.healthHistory = Validation.range(results, 0, 10_000, "healthHistory");
            return this;
        }

        /** How often a drain looks at a real server's active connections (default 200 ms). */
        public Builder drainPollInterval(Duration interval) {
            this.drainPollInterval = Validation.positive(interval, "drainPollInterval");
            return this;
        }

        public LoadBalancer build() {
            return new LoadBalancer(this);
        }
    }
}
