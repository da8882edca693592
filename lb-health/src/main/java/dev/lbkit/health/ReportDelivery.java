package dev.lbkit.health;

import com.codahale.metrics.Counter;
import dev.lbkit.api.HealthMonitor;
import dev.lbkit.api.HealthReport;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands reports to the sink on one thread of its own ({@code lbkit-health-report}), in the order they were
 * made, so that a slow sink (a load balancer applying a change to IPVS) never holds up a check. State changes
 * and first results are always queued; plain results are dropped (and counted) while more than
 * {@code maxPending} reports wait.
 *
 * <p>The thread wakes every {@link #BATCH_MILLIS} ms and delivers what has queued: a check thread only appends
 * to a lock-free queue and never signals, which at thousands of checks per second saves a thread wake-up per
 * report. A report therefore reaches the sink up to 5 ms after its result.
 */
final class ReportDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReportDelivery.class);

    private record Item(Subscriber to, HealthReport report) {}

    static final int BATCH_MILLIS = 5;

    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int maxPending;
    private final Counter dropped;
    private final Counter sinkErrors;
    private final Thread thread;
    private volatile HealthMonitor.Sink sink;
    private volatile boolean running = true;
    private boolean warned;

    ReportDelivery(int maxPending, Counter dropped, Counter sinkErrors) {
        this.maxPending = maxPending;
        this.dropped = dropped;
        this.sinkErrors = sinkErrors;
        this.thread = new Thread(this::run, "lbkit-health-report");
        thread.setDaemon(true);
    }

    void start(HealthMonitor.Sink sink) {
        this.sink = sink;
        thread.start();
    }

    void offer(Subscriber to, HealthReport report, boolean mustDeliver) {
        if (!mustDeliver && size.get() >= maxPending) {
            dropped.inc();
            return;
        }
        size.incrementAndGet();
        queue.add(new Item(to, report));
    }

    int pending() {
        return size.get();
    }

    private void run() {
        while (running) {
            Item item = queue.poll();
            if (item == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
                continue;
            }
            size.decrementAndGet();
            try {
                sink.report(item.to.virtualServer(), item.to.realServer(), item.report);
            } catch (RuntimeException e) {
                sinkErrors.inc();
                if (!warned) {
                    warned = true;
                    log.warn("health report sink threw (logged once, counted in lbkit.health.sink.errors)", e);
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
