package dev.lbkit.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread with its own {@link Selector}: it runs the handlers of its keys, the tasks other threads
 * {@link #execute post} to it, and a periodic sweep for timeouts. Everything a loop owns (its sessions, its
 * {@link BufferPool}, its scratch buffer) is confined to its thread and needs no lock.
 *
 * <p>Other threads reach a loop only through {@link #execute}; the selector is woken only when the loop is
 * about to sleep or sleeping, and at most once per sleep, so that handing it many connections in a burst
 * costs one wake-up.
 */
final class IoLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(IoLoop.class);

    final int index;
    final Selector selector;
    final BufferPool pool;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Queue<Session> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private volatile boolean stopping;
    private volatile long sweepIntervalNanos = 100_000_000L;
    private long nextSweep;
    private boolean timeStale = true;
    private long errors;
    private final java.util.List<Listener> paused = new java.util.ArrayList<>();

    /**
     * The buffer every read of this loop goes into. When the bytes read cannot all be written on, the reader
     * takes this buffer over (it then owns it and returns it to {@link #pool}) and calls {@link #renewScratch}.
     */
    ByteBuffer scratch;

    /** {@link System#nanoTime()} when the loop last woke up; good enough for timeouts. Loop thread only. */
    long now;

    /** The first of this loop's sessions, linked through {@link Session#next}. Loop thread only. */
    Session sessions;
    private volatile int sessionCount;

    /** The HTTP proxy's idle connections to real servers. Loop thread only. */
    final ServerConnectionPool serverConnections = new ServerConnectionPool(this);
    /** How long an idle server connection is kept; the dataplane sets the shortest of its HTTP options. */
    volatile long serverIdleNanos = 15_000_000_000L;

    IoLoop(int index, int bufferSize, int maxFreeBuffers) throws IOException {
        this.index = index;
        this.selector = Selector.open();
        this.pool = new BufferPool(bufferSize, maxFreeBuffers);
        this.thread = new Thread(this, "lbkit-proxy-io-" + index);
        this.thread.setDaemon(true);
        this.now = System.nanoTime();
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread soon; may be called from any thread. */
    void execute(Runnable task) {
        tasks.offer(task);
        if (!inLoop() && sleeping.get() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /**
     * Hands over a session accepted by another loop: this loop registers and starts it. The session (and its
     * client socket) belongs to this loop from now on; if the loop stops first, it closes the socket.
     */
    void handoff(Session session) {
        incoming.offer(session);
        if (!inLoop() && sleeping.get() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /** How often timeouts are checked; the dataplane sets a quarter of the shortest timeout in use. */
    void sweepInterval(long nanos) {
        sweepIntervalNanos = nanos;
    }

    /** Replaces the scratch buffer after its reader took it over. */
    void renewScratch() {
        scratch = pool.lease();
    }

    /** Asks the loop to close everything it owns and end its thread. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        scratch = pool.lease();
        now = System.nanoTime();
        nextSweep = now + sweepIntervalNanos;
        try {
            while (!stopping) {
                runTasks();
                sleeping.set(true);
                timeStale = true;
                if (!tasks.isEmpty() || !incoming.isEmpty() || stopping) {
                    sleeping.set(false);
                    selector.selectNow(dispatch);
                } else {
                    long waitMillis = Math.max(1, (nextSweep - System.nanoTime()) / 1_000_000);
                    selector.select(dispatch, waitMillis);
                    sleeping.set(false);
                }
                if (timeStale) {
                    now = System.nanoTime();
                }
                if (now - nextSweep >= 0) {
                    sweep();
                    nextSweep = now + sweepIntervalNanos;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("I/O loop {} failed; closing its connections", thread.getName(), e);
        } finally {
            shutdown();
        }
    }

    private void runTasks() {
        Session in;
        while ((in = incoming.poll()) != null) {
            try {
                in.start();
            } catch (RuntimeException e) {
                countError(e);
                in.close(true);
            }
        }
        Runnable t;
        int budget = 1024; // then give the selector a turn
        while (budget-- > 0 && (t = tasks.poll()) != null) {
            try {
                t.run();
            } catch (RuntimeException e) {
                countError(e);
            }
        }
    }

    private void dispatch(SelectionKey key) {
        if (timeStale) {
            now = System.nanoTime();
            timeStale = false;
        }
        IoHandler h = (IoHandler) key.attachment();
        try {
            h.onReady(key);
        } catch (IOException | RuntimeException e) {
            h.onFailure(e);
        }
    }

    /** Sessions linked now; any thread. */
    int sessionCountVolatile() {
        return sessionCount;
    }

    /** True while the loop holds its scratch buffer (it runs); any thread, approximate. */
    boolean holdsScratch() {
        return scratch != null;
    }

    /** Remembers a listener that stopped accepting for a moment; the sweep resumes it. */
    void pause(Listener l) {
        if (!paused.contains(l)) {
            paused.add(l);
        }
    }

    private void sweep() {
        if (!paused.isEmpty()) {
            paused.removeIf(l -> l.resumeIfDue(now));
        }
        Session s = sessions;
        while (s != null) {
            Session next = s.next; // the session may unlink itself
            s.sweep(now);
            s = next;
        }
        serverConnections.sweep(now, serverIdleNanos);
    }

    /** Counts an unexpected error of a handler and logs the first ones; never throws. */
    void countError(Throwable e) {
        errors++;
        if (errors <= 10 || Long.bitCount(errors) == 1) {
            log.warn("I/O loop {}: unexpected error #{}", thread.getName(), errors, e);
        }
    }

    /** Closes the sockets of sessions handed over but never started (after the loop stopped). */
    void closeIncoming() {
        Session in;
        while ((in = incoming.poll()) != null) {
            in.closeUnstarted();
        }
    }

    void link(Session s) {
        s.next = sessions;
        s.prev = null;
        if (sessions != null) {
            sessions.prev = s;
        }
        sessions = s;
        sessionCount++;
    }

    void unlink(Session s) {
        if (s.prev != null) {
            s.prev.next = s.next;
        } else if (sessions == s) {
            sessions = s.next;
        } else {
            return; // not linked
        }
        if (s.next != null) {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        sessionCount--;
    }

    private void shutdown() {
        runTasks();
        serverConnections.closeAll(null);
        Session s = sessions;
        while (s != null) {
            Session next = s.next;
            s.close(true);
            s = next;
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                countError(e);
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            countError(e);
        }
        // tasks posted after the last run are dropped; they only ever refer to closed sessions by now
        tasks.clear();
        closeIncoming();
        pool.release(scratch);
        scratch = null;
        pool.clear();
    }
}
