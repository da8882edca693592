package dev.lbkit.health;

import java.io.IOException;
import java.net.NetworkInterface;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An ICMP echo check through the JDK's {@link java.net.InetAddress#isReachable(NetworkInterface, int, int)},
 * run on the {@link BlockingPool} (the call blocks). On Linux the JDK sends an ICMP echo from a raw socket when
 * the process may open one (root or CAP_NET_RAW); otherwise it falls back to a TCP connection to port 7 (echo),
 * where a refusal also counts as reachable. With a source address, the echo leaves from that address's interface.
 */
final class PingAttempt extends Attempt {
    private final BlockingPool pool;

    PingAttempt(EventLoop loop, ProbeKey key, BlockingPool pool, Consumer<Outcome> done) {
        super(loop, key, done);
        this.pool = pool;
    }

    @Override
    long timeoutAfterNanos() {
        return timeoutNanos + ExternalAttempt.HANG_GRACE_NANOS;
    }

    @Override
    void start() {
        long queuedAt = System.nanoTime();
        boolean accepted = pool.submit(() -> {
            boolean passed = false;
            String reason;
            long remaining = timeoutNanos - (System.nanoTime() - queuedAt);
            try {
                if (remaining < TimeUnit.MILLISECONDS.toNanos(1)) {
                    reason = "not started: the timeout passed while waiting for a free runner";
                } else {
                    NetworkInterface nif = null;
                    var source = key.check().settings().sourceAddress();
                    if (source.isPresent()) {
                        nif = NetworkInterface.getByInetAddress(source.get());
                    }
                    int ms = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
                    passed = key.address().isReachable(nif, 0, ms);
                    reason = passed ? "echo reply" : "no echo reply within " + seconds(timeoutNanos);
                }
            } catch (IOException e) {
                reason = "ping: " + TcpAttempt.describe(e);
            }
            boolean p = passed;
            String r = reason;
            loop.execute(() -> finish(p, r));
        });
        if (!accepted) {
            fail("not started: the blocking-check queue is full");
        }
    }

    @Override
    void release() {
        // the pool thread finishes on its own within the timeout
    }

    @Override
    String timeoutReason() {
        return "hung: no ping result " + seconds(ExternalAttempt.HANG_GRACE_NANOS) + " after the timeout";
    }
}
