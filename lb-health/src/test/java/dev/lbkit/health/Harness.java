package dev.lbkit.health;

import static org.assertj.core.api.Assertions.fail;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A health checker with a sink that records every report, and helpers to configure and wait. */
final class Harness implements AutoCloseable {
    /** One report as the sink got it. */
    record Got(String virtualServer, String realServer, HealthReport report) {}

    static final Duration FAST = Duration.ofMillis(200);
    static final Duration TIMEOUT = Duration.ofMillis(150);

    final HealthChecker checker;
    final LinkedBlockingQueue<Got> reports = new LinkedBlockingQueue<>();
    final List<Got> seen = new ArrayList<>();

    Harness() {
        this(HealthChecker.builder());
    }

    Harness(HealthChecker.Builder builder) {
        this.checker = builder.build();
        checker.start((vs, rs, r) -> reports.add(new Got(vs, rs, r)));
    }

    /** Quick settings: 200 ms interval, 150 ms timeout, rise 1, fall 1. */
    static CheckSettings quick() {
        return CheckSettings.defaults().withInterval(FAST).withTimeout(TIMEOUT).withRiseFall(1, 1);
    }

    static VirtualServer vs(String label, int vipPort, HealthCheck check, RealServer... rss) {
        return VirtualServer.builder(label).vip("127.0.0.1:" + vipPort + "/tcp")
                .forwardingMethod(ForwardingMethod.PROXY).healthCheck(check).realServers(List.of(rss)).build();
    }

    static RealServer rs(String label, String address, int port) {
        return RealServer.builder(label).address(address).port(port).weight(1).build();
    }

    /** Checks one real server at address:port with this check. */
    void check(HealthCheck check, String address, int port) {
        checker.update(Configuration.of(vs("vs", 80, check, rs("rs", address, port))));
    }

    /** The next report matching, within 5 s; fails the test otherwise. */
    Got await(Predicate<Got> p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            long left = deadline - System.nanoTime();
            Got g;
            try {
                g = left <= 0 ? null : reports.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (g == null) {
                return fail("no matching report within 15 s; seen: " + seen);
            }
            seen.add(g);
            if (p.test(g)) {
                return g;
            }
        }
    }

    /** The first report (of a fresh configuration). */
    HealthReport first() {
        return await(g -> true).report();
    }

    /** Reports that arrive within this time. */
    List<Got> drainFor(Duration d) throws InterruptedException {
        List<Got> out = new ArrayList<>();
        long deadline = System.nanoTime() + d.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0;) {
            Got g = reports.poll(left, TimeUnit.NANOSECONDS);
            if (g != null) {
                out.add(g);
            }
        }
        return out;
    }

    @Override
    public void close() {
        checker.close();
    }
}
