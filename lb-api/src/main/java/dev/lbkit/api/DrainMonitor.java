package dev.lbkit.api;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Watches one draining real server on the {@code lbkit-drain} thread until it is empty or the deadline. */
final class DrainMonitor implements Runnable {
    private final LoadBalancer lb;
    private final String virtualServer;
    private final String realServer;
    private final long deadlineNanos;
    private final DrainAction action;
    private final CompletableFuture<DrainResult> future;
    private volatile ScheduledFuture<?> task;

    DrainMonitor(LoadBalancer lb, String virtualServer, String realServer, long deadlineNanos, DrainAction action,
            CompletableFuture<DrainResult> future) {
        this.lb = lb;
        this.virtualServer = virtualServer;
        this.realServer = realServer;
        this.deadlineNanos = deadlineNanos;
        this.action = action;
        this.future = future;
    }

    void start(ScheduledExecutorService executor, Duration interval) {
        task = executor.scheduleWithFixedDelay(this, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        // shutdownNow() on close() drops the task: the future must not wait forever.
        future.whenComplete((r, e) -> task.cancel(false));
    }

    @Override
    public void run() {
        if (future.isDone()) {
            return;
        }
        try {
            long active = lb.drainingConnections(virtualServer, realServer);
            if (active < 0) {
                future.completeExceptionally(new CancellationException("drain of real server '" + realServer
                        + "' of virtual server '" + virtualServer + "' ended: it is no longer draining"));
                return;
            }
            boolean drained = active == 0;
            if (drained || System.nanoTime() - deadlineNanos >= 0) {
                future.complete(lb.finishDrain(virtualServer, realServer, drained, active, action));
            }
        } catch (RuntimeException e) {
            lb.drainFailed(virtualServer, e);
            future.completeExceptionally(e);
        }
    }
}
