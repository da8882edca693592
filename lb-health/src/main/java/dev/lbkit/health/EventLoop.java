package dev.lbkit.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread: runs the I/O of every attempt assigned to it, its timers (a {@link TimerWheel}) and tasks
 * posted from other threads. Everything an attempt or a
 * probe owns is confined to its loop, so none of it needs a lock.
 *
 * <p>Nothing on this thread blocks: a handler that throws is counted and logged once per kind, and the loop
 * carries on.
 */
final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** Something that waits for readiness of a channel registered with this loop's selector. */
    interface IoHandler {
        /** The key is ready (see its readyOps). Called on the loop thread. */
        void onReady(SelectionKey key);
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final TimerWheel timers = new TimerWheel(System.nanoTime());
    private final Consumer<Throwable> errors;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    EventLoop(String name, Consumer<Throwable> errors) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("health checker could not open a selector", e);
        }
        this.errors = errors;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs the task on the loop thread, soon; from any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    /** Sets a timer for {@code deadline} ({@link System#nanoTime()} scale). Loop thread only. */
    TimerWheel.Timer schedule(long deadline, Runnable task) {
        return timers.schedule(deadline, task);
    }

    private void run() {
        try {
            while (running) {
                long wait = timers.nanosToNext(System.nanoTime());
                int n = wait == 0 || !tasks.isEmpty() ? selector.selectNow()
                        : selector.select(wait < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)));
                // I/O first, timers last: after the loop was held up (a pause, a busy CPU), answers that arrived
                // meanwhile are read before their timeouts are judged, so the checker's own lateness does not
                // count against the servers.
                if (n > 0) {
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        try {
                            ((IoHandler) key.attachment()).onReady(key);
                        } catch (RuntimeException e) {
                            errors.accept(e);
                            key.cancel();
                        }
                    }
                }
                runTasks();
                timers.advance(System.nanoTime(), errors::accept);
            }
        } catch (IOException | RuntimeException | Error e) {
            log.error("health checker loop {} stopped on an unexpected error; its checks no longer run",
                    thread.getName(), e);
        } finally {
            closeChannels();
            stopped.countDown();
        }
    }

    private void runTasks() {
        // Bounded: tasks posted while these run wait for the next turn, so timers and I/O are never starved.
        for (int i = tasks.size(); i > 0; i--) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            runSafely(r);
        }
    }

    private void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            errors.accept(e);
        }
    }

    private void closeChannels() {
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops the loop and closes every channel registered with it; waits up to 5 s for the thread. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (!inLoop()) {
            try {
                if (!stopped.await(5, TimeUnit.SECONDS)) {
                    log.warn("health checker loop {} did not stop within 5 s", thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
