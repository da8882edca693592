package dev.lbkit.health;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * One probe: a check against one (address, port), run on one loop at a fixed rate, whatever number of virtual
 * servers share it. Owns the rise/fall state. Everything but {@link #subscribers} and the history is confined to
 * its loop: {@code subscribers} is replaced whole (volatile) by the updating thread, the history is guarded by
 * itself.
 */
final class Probe {
    /** What the engine does with a result, on the loop thread. */
    interface Results {
        void onResult(Probe probe, Outcome outcome, RiseFall.Transition transition, boolean first);
    }

    final ProbeKey key;
    final EventLoop loop;
    private final CheckSettings settings;
    private final Results results;
    private final BlockingPool pool;
    private final RiseFall machine;
    private final HttpConversation.Prepared http;
    private final TlsClient tls;
    private final Endpoint endpoint;
    private final Runnable fire = this::fire;
    private final Consumer<Outcome> onOutcome = this::onOutcome;
    private final Deque<HealthReport> history = new ArrayDeque<>();
    private final int historySize;
    volatile List<Subscriber> subscribers = List.of();
    private Attempt running;
    private TimerWheel.Timer next;
    private long due;
    private boolean closed;
    private boolean hasResult;
    private HealthReport last;
    /** The server's advice as it stands (sticky: an answer without a weight keeps the last one). Loop thread. */
    int weightPercent = HealthReport.FULL_WEIGHT;
    boolean drain;
    long late;

    Probe(ProbeKey key, EventLoop loop, Results results, BlockingPool pool, int historySize,
            java.util.function.Supplier<SSLContext> verifying) {
        this.key = key;
        this.loop = loop;
        this.settings = key.check().settings();
        this.results = results;
        this.pool = pool;
        this.historySize = historySize;
        this.machine = RiseFall.of(settings);
        this.endpoint = Endpoint.of(key);
        if (key.check() instanceof HealthCheck.Http) {
            HealthCheck.Http h = (HealthCheck.Http) key.check();
            this.http = HttpConversation.Prepared.of(h, key);
            this.tls = h.tls() ? TlsClient.forCheck(h, verifying) : null;
        } else {
            this.http = null;
            this.tls = null;
        }
    }

    /** Schedules the first check after {@code delayNanos}. Loop thread. */
    void start(long delayNanos) {
        if (closed) {
            return;
        }
        due = System.nanoTime() + delayNanos;
        next = loop.schedule(due, fire);
    }

    private void fire() {
        next = null;
        if (closed) {
            return;
        }
        running = newAttempt(onOutcome);
        running.begin();
    }

    private Attempt newAttempt(Consumer<Outcome> done) {
        HealthCheck c = key.check();
        if (c instanceof HealthCheck.Connect) {
            return new TcpAttempt(loop, key, endpoint, new ConnectConversation(), null, done);
        }
        if (c instanceof HealthCheck.Http) {
            return new TcpAttempt(loop, key, endpoint, new HttpConversation(http), tls, done);
        }
        if (c instanceof HealthCheck.SendExpect) {
            return new TcpAttempt(loop, key, endpoint, new ScriptConversation((HealthCheck.SendExpect) c), null, done);
        }
        if (c instanceof HealthCheck.Agent) {
            return new TcpAttempt(loop, key, endpoint, new AgentConversation((HealthCheck.Agent) c), null, done);
        }
        if (c instanceof HealthCheck.Dns) {
            return new DnsAttempt(loop, key, endpoint, done);
        }
        if (c instanceof HealthCheck.Ping) {
            return new PingAttempt(loop, key, endpoint, done);
        }
        if (c instanceof HealthCheck.External) {
            return new ExternalAttempt(loop, key, pool, environment(), done);
        }
        throw new IllegalStateException("no probe for check " + c);
    }

    /**
     * The external command's environment: {@code LBKIT_SERVER_ADDR}, {@code LBKIT_SERVER_PORT},
     * {@code LBKIT_SERVER_NAME} and {@code LBKIT_VIRTUAL_SERVER} (of the first real server sharing the probe, by
     * label), {@code LBKIT_SERVERS} (every {@code vs/rs} sharing it), and HAProxy's {@code HAPROXY_SERVER_ADDR},
     * {@code HAPROXY_SERVER_PORT}, {@code HAPROXY_SERVER_NAME}, {@code HAPROXY_PROXY_NAME} with the same values.
     */
    private Map<String, String> environment() {
        List<Subscriber> subs = new ArrayList<>(subscribers);
        subs.sort(null);
        Map<String, String> env = new LinkedHashMap<>();
        String addr = key.address().getHostAddress();
        String port = Integer.toString(key.port());
        String rs = subs.isEmpty() ? "" : subs.get(0).realServer();
        String vs = subs.isEmpty() ? "" : subs.get(0).virtualServer();
        env.put("LBKIT_SERVER_ADDR", addr);
        env.put("LBKIT_SERVER_PORT", port);
        env.put("LBKIT_SERVER_NAME", rs);
        env.put("LBKIT_VIRTUAL_SERVER", vs);
        env.put("LBKIT_SERVERS", String.join(" ", subs.stream().map(Subscriber::toString).toList()));
        env.put("HAPROXY_SERVER_ADDR", addr);
        env.put("HAPROXY_SERVER_PORT", port);
        env.put("HAPROXY_SERVER_NAME", rs);
        env.put("HAPROXY_PROXY_NAME", vs);
        return env;
    }

    private void onOutcome(Outcome outcome) {
        running = null;
        RiseFall.Transition t = machine.record(outcome.passed());
        boolean first = !hasResult;
        hasResult = true;
        boolean adviceChanged = false;
        Outcome.Advice a = outcome.advice();
        if (a != null) {
            int w = a.weightPercent() >= 0 ? a.weightPercent() : weightPercent;
            adviceChanged = w != weightPercent || a.drain() != drain;
            weightPercent = w;
            drain = a.drain();
        }
        results.onResult(this, outcome, t, first || adviceChanged);
        if (closed) {
            return;
        }
        long interval = machine.nextInterval(settings).toNanos();
        due += interval;
        long now = System.nanoTime();
        if (now - due > interval / 2) {
            late++;
        }
        if (due - now < 0) {
            due = now; // behind: check now, then keep the rate from here
        }
        next = loop.schedule(due, fire);
    }

    boolean isUp() {
        return machine.isUp();
    }

    void remember(HealthReport r) {
        synchronized (history) {
            last = r;
            if (historySize == 0) {
                return;
            }
            history.addLast(r);
            while (history.size() > historySize) {
                history.removeFirst();
            }
        }
    }

    /** The newest report, or null before the first result. Any thread. */
    HealthReport last() {
        synchronized (history) {
            return last;
        }
    }

    List<HealthReport> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** Stops the probe: aborts a running attempt (no result) and cancels the next. Loop thread. */
    void close() {
        closed = true;
        if (running != null) {
            running.abort();
            running = null;
        }
        if (next != null) {
            next.cancel();
            next = null;
        }
    }
}
