package dev.lbkit.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event thread: an epoll instance (through {@link Native}) that runs the I/O of every attempt assigned to
 * it, its timers (a {@link TimerWheel}) and tasks posted from other threads (woken through an eventfd).
 * Everything an attempt or a probe owns is confined to its loop, so none of it needs a lock.
 *
 * <p>Descriptors are registered with a generation number in the event's data, so an event for a descriptor that
 * was closed (and whose number was reused) earlier in the same batch is dropped, not handed to the new owner.
 *
 * <p>Nothing on this thread blocks: a handler that throws is counted and logged once, and the loop carries on.
 */
final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private static final int MAX_EVENTS = 1024;
    /** Native scratch for what a loop-thread call passes to the kernel and reads back. */
    static final int SCRATCH_SIZE = 64 * 1024;

    /** Something that waits for readiness of a descriptor registered with this loop. */
    interface IoHandler {
        /** The descriptor is ready: {@code events} are epoll's bits ({@link Native#EPOLLIN} ...). Loop thread. */
        void onReady(int events);
    }

    private final Native.LibC libc = Native.libc();
    private final int epfd;
    private final int wakeFd;
    private final Pointer events = Native.allocate(MAX_EVENTS * Native.EPOLL_EVENT_SIZE);
    private final Pointer ctlEvent = Native.allocate(16);
    /** Holds 1, written to the eventfd by any thread; never changed after construction. */
    private final Pointer one = Native.allocate(8);
    /** Where the loop reads the eventfd's counter into. */
    private final Pointer drained = Native.allocate(8);
    /** Loop-owned native memory for attempts: payloads in and out. */
    final Pointer scratch = Native.allocate(SCRATCH_SIZE);
    /** Loop-owned native memory for a socket address and an option value (see {@link #address}). */
    final Pointer address = Native.allocate(Native.SOCKADDR_MAX + 4);
    final Pointer option = Native.allocate(16);
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final TimerWheel timers = new TimerWheel(System.nanoTime());
    private final Consumer<Throwable> errors;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private IoHandler[] handlers = new IoHandler[1024];
    private int[] generations = new int[1024];
    private int registered;
    /** ICMP echo sockets by family and source address, opened on first use. */
    private final java.util.Map<String, IcmpSocket> icmp = new java.util.HashMap<>();
    private volatile boolean running = true;

    EventLoop(String name, Consumer<Throwable> errors) {
        this.epfd = libc.epoll_create1(Native.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new UncheckedIOException(Native.exception("health checker epoll_create1", Native.errno()));
        }
        this.wakeFd = libc.eventfd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (wakeFd < 0) {
            int e = Native.errno();
            libc.close(epfd);
            throw new UncheckedIOException(Native.exception("health checker eventfd", e));
        }
        one.putLong(0, 1);
        ctlEvent.putInt(0, Native.EPOLLIN);
        ctlEvent.putLong(Native.EPOLL_DATA_OFFSET, -1L);
        if (libc.epoll_ctl(epfd, Native.EPOLL_CTL_ADD, wakeFd, ctlEvent) < 0) {
            int e = Native.errno();
            libc.close(wakeFd);
            libc.close(epfd);
            throw new UncheckedIOException(Native.exception("health checker epoll_ctl", e));
        }
        this.errors = errors;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs the task on the loop thread, soon; from any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakePending.compareAndSet(false, true)) {
            libc.write(wakeFd, one, 8);
        }
    }

    /** Sets a timer for {@code deadline} ({@link System#nanoTime()} scale). Loop thread only. */
    TimerWheel.Timer schedule(long deadline, Runnable task) {
        return timers.schedule(deadline, task);
    }

    /** Watches {@code fd} for {@code events} (epoll bits), calling {@code handler}. Loop thread only. */
    void register(int fd, int events, IoHandler handler) throws IOException {
        if (fd >= handlers.length) {
            int n = Math.max(fd + 1, handlers.length * 2);
            handlers = Arrays.copyOf(handlers, n);
            generations = Arrays.copyOf(generations, n);
        }
        int gen = ++generations[fd];
        ctlEvent.putInt(0, events);
        ctlEvent.putLong(Native.EPOLL_DATA_OFFSET, ((long) gen << 32) | fd);
        if (libc.epoll_ctl(epfd, Native.EPOLL_CTL_ADD, fd, ctlEvent) < 0) {
            throw Native.exception("epoll_ctl", Native.errno());
        }
        handlers[fd] = handler;
        registered++;
    }

    /** Changes what a registered descriptor is watched for. Loop thread only. */
    void modify(int fd, int events) throws IOException {
        ctlEvent.putInt(0, events);
        ctlEvent.putLong(Native.EPOLL_DATA_OFFSET, ((long) generations[fd] << 32) | fd);
        if (libc.epoll_ctl(epfd, Native.EPOLL_CTL_MOD, fd, ctlEvent) < 0) {
            throw Native.exception("epoll_ctl", Native.errno());
        }
    }

    /** Closes a descriptor (registered or not); closing also takes it out of epoll. Loop thread only. */
    void close(int fd) {
        if (fd < 0) {
            return;
        }
        if (fd < handlers.length && handlers[fd] != null) {
            handlers[fd] = null;
            generations[fd]++;
            registered--;
        }
        libc.close(fd);
    }

    /** The loop's ICMP echo socket for this family and source (sockaddr bytes or null). Loop thread only. */
    IcmpSocket icmp(int family, byte[] source) throws IOException {
        String k = family + (source == null ? "" : Arrays.toString(source));
        IcmpSocket s = icmp.get(k);
        if (s == null) {
            s = IcmpSocket.open(this, family, source);
            icmp.put(k, s);
        }
        return s;
    }

    /** Descriptors registered now (for tests and leak checks). Loop thread only. */
    int registeredCount() {
        return registered;
    }

    private void run() {
        try {
            while (running) {
                long wait = timers.nanosToNext(System.nanoTime());
                int timeout = wait == 0 || !tasks.isEmpty() ? 0
                        : wait < 0 ? 1000 : (int) Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)));
                // I/O first, all of it, timers last: after the loop was held up (a pause, a busy CPU), answers that
                // arrived meanwhile are read before their timeouts are judged (so the checker's own lateness does
                // not count against the servers), and new checks never start while ready ones wait.
                for (int round = 0; round < 64; round++) {
                    int n = libc.epoll_wait(epfd, events, MAX_EVENTS, round == 0 ? timeout : 0);
                    if (n < 0) {
                        int e = Native.errno();
                        if (e != Native.EINTR) {
                            throw Native.exception("epoll_wait", e);
                        }
                        break;
                    }
                    dispatch(n);
                    if (n < MAX_EVENTS) {
                        break;
                    }
                }
                runTasks();
                timers.advance(System.nanoTime(), errors::accept);
            }
        } catch (IOException | RuntimeException | Error e) {
            log.error("health checker loop {} stopped on an unexpected error; its checks no longer run",
                    thread.getName(), e);
        } finally {
            closeAll();
            stopped.countDown();
        }
    }

    private void dispatch(int n) {
        for (int i = 0; i < n; i++) {
            int base = i * Native.EPOLL_EVENT_SIZE;
            int ev = events.getInt(base);
            long data = events.getLong(base + Native.EPOLL_DATA_OFFSET);
            if (data == -1L) {
                wakePending.set(false);
                libc.read(wakeFd, drained, 8);
                continue;
            }
            int fd = (int) data;
            int gen = (int) (data >>> 32);
            if (fd >= handlers.length || generations[fd] != gen) {
                continue;
            }
            IoHandler h = handlers[fd];
            if (h == null) {
                continue;
            }
            try {
                h.onReady(ev);
            } catch (RuntimeException e) {
                errors.accept(e);
            }
        }
    }

    private void runTasks() {
        // Bounded: tasks posted while these run wait for the next turn, so timers and I/O are never starved.
        for (int i = tasks.size(); i > 0; i--) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            try {
                r.run();
            } catch (RuntimeException e) {
                errors.accept(e);
            }
        }
    }

    private void closeAll() {
        for (int fd = 0; fd < handlers.length; fd++) {
            if (handlers[fd] != null) {
                close(fd);
            }
        }
        libc.close(wakeFd);
        libc.close(epfd);
    }

    /** Stops the loop and closes every descriptor registered with it; waits up to 5 s for the thread. */
    @Override
    public void close() {
        running = false;
        if (!inLoop()) {
            if (thread.isAlive()) {
                libc.write(wakeFd, one, 8);
            }
            try {
                if (thread.getState() != Thread.State.NEW && !stopped.await(5, TimeUnit.SECONDS)) {
                    log.warn("health checker loop {} did not stop within 5 s", thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
