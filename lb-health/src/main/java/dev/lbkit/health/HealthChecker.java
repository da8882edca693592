package dev.lbkit.health;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Timer;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthMonitor;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * lbkit's health-check engine: runs the {@link HealthCheck}s of every virtual server and reports to a
 * {@link HealthMonitor.Sink} (a {@code LoadBalancer}, through {@code LoadBalancer.builder().healthMonitor(..)}).
 *
 * <p><b>Probes.</b> One probe per (checked address, port, check specification): virtual servers that check the
 * same real server the same way share one probe, and its results go to every (virtual server, real server) that
 * uses it. What a failure does ({@code onFailure}) is not part of the specification for this purpose.
 *
 * <p><b>Timing.</b> A new probe's first check comes at a random point within its interval, so that checks never
 * fire in bursts; after that, checks keep a fixed rate: the interval while stable and up, the fast interval while
 * the state is changing, the down interval while down. A probe never runs two checks at once.
 *
 * <p><b>Reports.</b> Every result is reported (so the load balancer's recent-checks history shows each with its
 * reason and latency), unless {@link Builder#reportEveryResult(boolean)} is off: then only the first result and
 * state changes are. The state in a report is the state after rise/fall, never a single probe's verdict.
 * Reports are delivered in order on one thread, {@code lbkit-health-report}; plain results are dropped
 * (counted in {@code lbkit.health.reports.dropped}) while more than {@link Builder#maxPendingReports} wait, state
 * changes never are.
 *
 * <p><b>Threads.</b> {@link Builder#ioThreads} event threads {@code lbkit-health-io-N} (epoll loops over the engine's own
 * sockets) run every network check, ICMP included,
 * without blocking; a bounded pool of {@link Builder#blockingThreads} threads {@code lbkit-health-exec-N} runs
 * external commands; one thread delivers reports. All are daemons; {@link #close()} stops them,
 * closes every socket and kills running commands with their process groups.
 *
 * <p><b>Metrics</b> (Dropwizard, in the registry given or a new one): {@code lbkit.health.checks} (meter),
 * {@code lbkit.health.failures} (meter), {@code lbkit.health.latency} (timer over the last 1,024 results),
 * {@code lbkit.health.transitions},
 * {@code lbkit.health.late} (checks that started more than half an interval late),
 * {@code lbkit.health.errors}, {@code lbkit.health.reports.dropped}, {@code lbkit.health.sink.errors}
 * (counters), {@code lbkit.health.probes} (gauge); per real server {@code lbkit.<vs>.<rs>.health.checks}
 * (timer: every result counted, latency over the last 32) and {@code lbkit.<vs>.<rs>.health.failures}
 * (counter).
 */
public final class HealthChecker implements HealthMonitor {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    /** Latency samples kept per real server: the last results, not a decaying reservoir (that costs a lock-free
     * skip-list insert per check, the engine's largest cost at ten thousand checks a second). */
    private static final int PER_SERVER_SAMPLES = 32;

    private final EventLoop[] loops;
    private final BlockingPool pool;
    private final ReportDelivery delivery;
    private final MetricRegistry metrics;
    private final Clock clock;
    private final int historySize;
    private final boolean reportEveryResult;
    /** The context of verifying TLS checks, made on first use (the JDK's trust store takes a while to load). */
    private final java.util.function.Supplier<SSLContext> verifying;
    private final Map<ProbeKey, Probe> probes = new LinkedHashMap<>();
    private final Map<Subscriber, Probe> bySubscriber = new ConcurrentHashMap<>();
    private final Map<Subscriber, PerServer> perServer = new ConcurrentHashMap<>();
    private final Meter checks;
    private final Meter failures;
    private final Timer latency;
    private final Counter transitions;
    private final Counter late;
    private final Counter errors;
    private int nextLoop;
    private boolean started;
    private boolean closed;
    private volatile boolean warnedError;

    private record PerServer(Timer checks, Counter failures) {}

    private HealthChecker(Builder b) {
        this.metrics = b.metrics != null ? b.metrics : new MetricRegistry();
        this.clock = b.clock;
        this.historySize = b.historySize;
        this.reportEveryResult = b.reportEveryResult;
        SSLContext given = b.sslContext;
        this.verifying = given != null ? () -> given : new java.util.function.Supplier<>() {
            private SSLContext made;

            @Override
            public synchronized SSLContext get() {
                if (made == null) {
                    made = TlsClient.defaultContext();
                }
                return made;
            }
        };
        this.checks = metrics.meter("lbkit.health.checks");
        this.failures = metrics.meter("lbkit.health.failures");
        this.latency = metrics.timer("lbkit.health.latency", () -> new Timer(new SlidingWindowReservoir(1024)));
        this.transitions = metrics.counter("lbkit.health.transitions");
        this.late = metrics.counter("lbkit.health.late");
        this.errors = metrics.counter("lbkit.health.errors");
        metrics.gauge("lbkit.health.probes", () -> this::probeCount);
        this.delivery = new ReportDelivery(b.maxPendingReports, metrics.counter("lbkit.health.reports.dropped"),
                metrics.counter("lbkit.health.sink.errors"));
        this.pool = new BlockingPool(b.blockingThreads);
        this.loops = new EventLoop[b.ioThreads]; // started with the first probe each gets
    }

    /** The next event loop for a new probe, started on first use (so a checker without checks loads no JNR). */
    private EventLoop nextLoop() {
        int i = nextLoop++ % loops.length;
        if (loops[i] == null) {
            EventLoop l = new EventLoop("lbkit-health-io-" + i, this::onError);
            l.start();
            loops[i] = l;
        }
        return loops[i];
    }

    /** A builder with the defaults listed on its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts delivering reports to {@code sink}. Called once (by the load balancer when it is built). */
    @Override
    public synchronized void start(Sink sink) {
        Objects.requireNonNull(sink, "sink");
        if (started) {
            throw new IllegalStateException("health checker already started");
        }
        started = true;
        delivery.start(sink);
    }

    /**
     * Adds, keeps and removes probes to match the configuration's health checks. Probes whose specification is
     * unchanged keep their state and schedule; real servers that join an existing probe get its current state at
     * once. Returns quickly: probing happens on the loops.
     */
    @Override
    public synchronized void update(Configuration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        if (closed) {
            return;
        }
        Map<ProbeKey, List<Subscriber>> wanted = new LinkedHashMap<>();
        for (VirtualServer vs : configuration.virtualServers()) {
            if (vs.healthCheck() instanceof HealthCheck.None) {
                continue;
            }
            for (RealServer rs : vs.realServers()) {
                wanted.computeIfAbsent(ProbeKey.of(vs, rs), k -> new ArrayList<>())
                        .add(new Subscriber(vs.label(), rs.label()));
            }
        }
        for (var it = probes.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                Probe p = e.getValue();
                it.remove();
                p.subscribers = List.of();
                p.loop.execute(p::close);
            }
        }
        Map<Subscriber, Probe> index = new LinkedHashMap<>();
        for (var e : wanted.entrySet()) {
            List<Subscriber> subs = List.copyOf(e.getValue());
            Probe p = probes.get(e.getKey());
            if (p == null) {
                EventLoop loop = nextLoop();
                p = new Probe(e.getKey(), loop, this::onResult, pool, historySize, verifying);
                p.subscribers = subs;
                probes.put(e.getKey(), p);
                Probe started = p;
                long first = ThreadLocalRandom.current().nextLong(e.getKey().check().settings().interval().toNanos());
                loop.execute(() -> started.start(first));
            } else {
                Set<Subscriber> old = new HashSet<>(p.subscribers);
                p.subscribers = subs;
                List<Subscriber> joined = subs.stream().filter(s -> !old.contains(s)).toList();
                if (!joined.isEmpty()) {
                    Probe shared = p;
                    p.loop.execute(() -> greet(shared, joined));
                }
            }
            for (Subscriber s : subs) {
                index.put(s, p);
            }
        }
        for (Subscriber s : List.copyOf(perServer.keySet())) {
            if (!index.containsKey(s)) {
                perServer.remove(s);
                metrics.remove(name(s, "checks"));
                metrics.remove(name(s, "failures"));
            }
        }
        for (Subscriber s : index.keySet()) {
            perServer.computeIfAbsent(s, k -> new PerServer(
                    metrics.timer(name(k, "checks"), () -> new Timer(new SlidingWindowReservoir(PER_SERVER_SAMPLES))),
                    metrics.counter(name(k, "failures"))));
        }
        bySubscriber.keySet().retainAll(index.keySet());
        bySubscriber.putAll(index);
    }

    private static String name(Subscriber s, String metric) {
        return "lbkit." + s.virtualServer() + "." + s.realServer() + ".health." + metric;
    }

    /** Real servers that joined a probe which already has a result get it now. Loop thread. */
    private void greet(Probe p, List<Subscriber> joined) {
        HealthReport last = p.last();
        if (last == null) {
            return;
        }
        for (Subscriber s : joined) {
            delivery.offer(s, last, true);
        }
    }

    /**
     * A probe's result, on its loop thread: metrics, history, log, reports. {@code first} is true for the first
     * result and whenever the server's advice changed: those are delivered even when not every result is.
     */
    private void onResult(Probe p, Outcome o, RiseFall.Transition t, boolean first) {
        Duration took = Duration.ofNanos(o.latencyNanos());
        checks.mark();
        latency.update(o.latencyNanos(), TimeUnit.NANOSECONDS);
        if (!o.passed()) {
            failures.mark();
        }
        HealthReport report = new HealthReport(p.isUp() ? HealthState.UP : HealthState.DOWN, o.reason(), took,
                clock.instant(), p.weightPercent, p.drain);
        p.remember(report);
        List<Subscriber> subs = p.subscribers;
        if (t != RiseFall.Transition.NONE) {
            transitions.inc();
            log.info("{} ({}) is {} after {}: {}", p.key.describe(), subs, report.state(),
                    t == RiseFall.Transition.WENT_UP ? "rise" : "fall", o.reason());
        }
        boolean mustDeliver = first || t != RiseFall.Transition.NONE;
        for (Subscriber s : subs) {
            PerServer m = perServer.get(s);
            if (m != null) {
                m.checks.update(o.latencyNanos(), TimeUnit.NANOSECONDS);
                if (!o.passed()) {
                    m.failures.inc();
                }
            }
            if (mustDeliver || reportEveryResult) {
                delivery.offer(s, report, mustDeliver);
            }
        }
        if (p.late > 0) {
            late.inc(p.late);
            p.late = 0;
        }
    }

    private void onError(Throwable e) {
        errors.inc();
        if (!warnedError) {
            warnedError = true;
            log.warn("health check handler failed (logged once, counted in lbkit.health.errors)", e);
        }
    }

    /** The number of probes running: distinct (address, port, check) over every virtual server. */
    public synchronized int probeCount() {
        return probes.size();
    }

    /**
     * The last results of the probe that checks this real server of this virtual server, oldest first (at most
     * {@link Builder#historySize}); empty when it has none or is not checked. Any thread.
     */
    public List<HealthReport> recentResults(String virtualServer, String realServer) {
        Probe p = bySubscriber.get(new Subscriber(virtualServer, realServer));
        return p == null ? List.of() : p.history();
    }

    /** The metric registry results are counted in. */
    public MetricRegistry metrics() {
        return metrics;
    }

    /** Stops every probe and thread, closes every socket and kills running commands. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Probe p : probes.values()) {
                p.loop.execute(p::close);
            }
            probes.clear();
            bySubscriber.clear();
        }
        pool.close();
        EventLoop[] started;
        synchronized (this) {
            started = loops.clone();
        }
        for (EventLoop l : started) {
            if (l != null) {
                l.close();
            }
        }
        delivery.close();
    }

    /** Builds a {@link HealthChecker}. Not thread-safe. */
    public static final class Builder {
        private int ioThreads = 1;
        private int blockingThreads = 4;
        private MetricRegistry metrics;
        private int historySize = 10;
        private boolean reportEveryResult = true;
        private int maxPendingReports = 100_000;
        private Clock clock = Clock.systemUTC();
        private SSLContext sslContext;

        private Builder() {}

        /** Event threads for network checks, 1..64 (default 1: one handles ten thousand servers). */
        public Builder ioThreads(int threads) {
            this.ioThreads = range(threads, 1, 64, "ioThreads");
            return this;
        }

        /** Threads for external commands, 1..256 (default 4); their queue holds 32 per thread. */
        public Builder blockingThreads(int threads) {
            this.blockingThreads = range(threads, 1, 256, "blockingThreads");
            return this;
        }

        /** Where metrics go (default: a registry of the checker's own, see {@link HealthChecker#metrics()}). */
        public Builder metricRegistry(MetricRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "metricRegistry");
            return this;
        }

        /** Results kept per probe for {@link HealthChecker#recentResults}, 0..10,000 (default 10). */
        public Builder historySize(int results) {
            this.historySize = range(results, 0, 10_000, "historySize");
            return this;
        }

        /**
         * Whether every result is reported (default true), or only first results and state changes. Off saves the
         * sink a call per check; the load balancer's history then shows only the changes.
         */
        public Builder reportEveryResult(boolean every) {
            this.reportEveryResult = every;
            return this;
        }

        /** Plain results waiting for the sink beyond which new ones are dropped, 1..10,000,000 (default 100,000). */
        public Builder maxPendingReports(int reports) {
            this.maxPendingReports = range(reports, 1, 10_000_000, "maxPendingReports");
            return this;
        }

        /** The clock that time-stamps reports (default: the UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The TLS context of HTTPS checks that verify certificates (default: the JDK's default context and its
         * trusted roots). Checks that do not verify ignore it.
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        /**
         * Builds the checker. Cheap: the event threads start with the first checks they get, and the JDK's trust
         * store is loaded when the first check that verifies TLS starts.
         *
         * @throws UnsupportedOperationException on an operating system other than Linux (the event loops use epoll)
         */
        public HealthChecker build() {
            String os = System.getProperty("os.name", "");
            if (!os.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
                throw new UnsupportedOperationException("lb-health runs on Linux only (epoll through JNR-FFI), not on "
                        + os);
            }
            return new HealthChecker(this);
        }

        private static int range(int value, int min, int max, String field) {
            if (value < min || value > max) {
                throw new IllegalArgumentException("health checker " + field + " must be " + min + ".." + max
                        + " but was " + value);
            }
            return value;
        }
    }
}
