package dev.lbkit.health;

import java.util.function.Consumer;

/**
 * One run of a check against one target. Started on its probe's loop, it ends exactly once: with a result, on
 * its timeout, or aborted (when the probe is removed, then nothing is reported). Confined to the loop thread;
 * subclasses release every channel in {@link #release()}.
 */
abstract class Attempt {
    final EventLoop loop;
    final ProbeKey key;
    final long timeoutNanos;
    private final Consumer<Outcome> done;
    private long started;
    private TimerWheel.Timer timer;
    private boolean finished;

    Attempt(EventLoop loop, ProbeKey key, Consumer<Outcome> done) {
        this.loop = loop;
        this.key = key;
        this.timeoutNanos = key.check().settings().timeout().toNanos();
        this.done = done;
    }

    /** Starts the attempt and its timeout. */
    final void begin() {
        started = System.nanoTime();
        timer = loop.schedule(started + timeoutAfterNanos(), () -> finish(false, timeoutReason()));
        try {
            start();
        } catch (RuntimeException e) {
            fail("check could not start: " + e);
        }
    }

    /** How long after the start the attempt is given up; the check's timeout unless a subclass needs more. */
    long timeoutAfterNanos() {
        return timeoutNanos;
    }

    abstract void start();

    /** Closes what the attempt holds; called once, on the loop. */
    abstract void release();

    /** Why the attempt timed out, naming the phase it was in, e.g. {@code connect timeout after 3 s}. */
    abstract String timeoutReason();

    final boolean isFinished() {
        return finished;
    }

    final void succeed(String reason) {
        finish(true, reason);
    }

    final void fail(String reason) {
        finish(false, reason);
    }

    final void finish(boolean passed, String reason) {
        finish(passed, reason, null);
    }

    /** Ends the attempt with a result and the server's advice on its weight (null: none given). */
    final void finish(boolean passed, String reason, Outcome.Advice advice) {
        if (finished) {
            return;
        }
        finished = true;
        timer.cancel();
        release();
        done.accept(new Outcome(passed, reason, System.nanoTime() - started, advice));
    }

    /** Ends the attempt without a result (its probe went away). */
    final void abort() {
        if (!finished) {
            finished = true;
            if (timer != null) {
                timer.cancel();
            }
            release();
        }
    }

    static String seconds(long nanos) {
        long ms = nanos / 1_000_000;
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
