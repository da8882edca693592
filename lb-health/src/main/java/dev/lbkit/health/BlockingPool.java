package dev.lbkit.health;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The small bounded pool for checks that must block: external commands and ICMP echo. {@code threads} daemon
 * threads named {@code lbkit-health-exec-N} and a queue of {@code 32 × threads}; a full queue rejects at once
 * (the attempt fails saying so) rather than queueing without bound.
 */
final class BlockingPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final int threads;

    BlockingPool(int threads) {
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(32 * threads), r -> {
                    Thread t = new Thread(r, "lbkit-health-exec-" + n.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Runs the task on a pool thread; false when the queue is full or the pool is closed. */
    boolean submit(Runnable task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    int queued() {
        return executor.getQueue().size();
    }

    int threads() {
        return threads;
    }

    /** Stops taking tasks and interrupts running ones (a running command is then killed with its group). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
