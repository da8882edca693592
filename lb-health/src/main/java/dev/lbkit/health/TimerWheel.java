package dev.lbkit.health;

/**
 * A hashed timer wheel (Varghese and Lauck): 4,096 slots of 1 ms, so setting and cancelling a timer is O(1)
 * whatever the number of probes; a timer further than one turn away waits in its slot for the turns to pass.
 * Timers of one tick fire in the order they were set. Not thread-safe: owned by its {@link EventLoop}.
 */
final class TimerWheel {
    static final long TICK_NANOS = 1_000_000;
    static final int SLOTS = 4096;
    private static final int MASK = SLOTS - 1;

    /** A timer; {@link #cancel()} it from the loop thread. */
    static final class Timer {
        private final Runnable task;
        private long tick;
        private Timer prev;
        private Timer next;
        private TimerWheel wheel;
        private boolean cancelled;

        private Timer(Runnable task) {
            this.task = task;
        }

        /** The timer will not run (even when it is due in the tick being run). Idempotent. */
        void cancel() {
            cancelled = true;
            if (wheel != null) {
                wheel.unlink(this);
            }
        }
    }

    private final Timer[] heads = new Timer[SLOTS];
    private final Timer[] tails = new Timer[SLOTS];
    private final java.util.ArrayList<Timer> due = new java.util.ArrayList<>();
    private long currentTick;
    private int count;

    TimerWheel(long now) {
        this.currentTick = now / TICK_NANOS;
    }

    int size() {
        return count;
    }

    /** Runs {@code task} at the first tick at or after {@code deadline} ({@link System#nanoTime()} scale). */
    Timer schedule(long deadline, Runnable task) {
        Timer t = new Timer(task);
        long tick = (deadline + TICK_NANOS - 1) / TICK_NANOS;
        t.tick = Math.max(tick, currentTick + 1);
        int slot = (int) (t.tick & MASK);
        t.wheel = this;
        t.prev = tails[slot];
        if (tails[slot] == null) {
            heads[slot] = t;
        } else {
            tails[slot].next = t;
        }
        tails[slot] = t;
        count++;
        return t;
    }

    private void unlink(Timer t) {
        int slot = (int) (t.tick & MASK);
        if (t.prev == null) {
            heads[slot] = t.next;
        } else {
            t.prev.next = t.next;
        }
        if (t.next == null) {
            tails[slot] = t.prev;
        } else {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.wheel = null;
        count--;
    }

    /**
     * Runs every timer due by {@code now}, tick by tick; a task that throws is passed to {@code onError} and the
     * others still run. The tick being run is taken out of its slot before any of its tasks runs, so a timer set
     * by a task (even for a time already past) lands on a later tick, and a task may cancel any timer.
     */
    void advance(long now, java.util.function.Consumer<RuntimeException> onError) {
        long target = now / TICK_NANOS;
        while (currentTick < target) {
            if (count == 0) {
                currentTick = target;
                break;
            }
            currentTick++;
            int slot = (int) (currentTick & MASK);
            for (Timer t = heads[slot]; t != null;) {
                Timer next = t.next;
                if (t.tick <= currentTick) {
                    unlink(t);
                    due.add(t);
                }
                t = next;
            }
            for (int i = 0; i < due.size(); i++) {
                Timer t = due.get(i);
                if (!t.cancelled) {
                    try {
                        t.task.run();
                    } catch (RuntimeException e) {
                        onError.accept(e);
                    }
                }
            }
            due.clear();
        }
    }

    /** Nanoseconds from {@code now} to the next timer (0 if due), or -1 when there is none. */
    long nanosToNext(long now) {
        if (count == 0) {
            return -1;
        }
        long best = Long.MAX_VALUE;
        for (int i = 1; i <= SLOTS; i++) {
            long tick = currentTick + i;
            for (Timer t = heads[(int) (tick & MASK)]; t != null; t = t.next) {
                best = Math.min(best, t.tick);
            }
            if (best <= tick) {
                break;
            }
        }
        return Math.max(0, best * TICK_NANOS - now);
    }
}
