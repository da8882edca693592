package dev.lbkit.health;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The benchmark's {@code CHECKER_CMD} for lbkit (bench/health/lbkit-checker.sh runs it): reads the harness's
 * {@code LB_CHECK_*} variables, checks every target with {@link HealthChecker} (HTTP GET, 200 expected, one
 * virtual server holding every target as a real server), counts up/down per target from the reports, and on
 * SIGTERM writes {@code LB_CHECK_STATUS_FILE} as {@code address:port up|down downs} lines. Not a test.
 *
 * <p>{@code LB_REPORT_EVERY_RESULT=false} reports only state changes (the default reports every result).
 */
public final class HealthBenchMain {
    private HealthBenchMain() {}

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    public static void main(String[] args) throws Exception {
        List<String> targets = Files.readAllLines(Path.of(env("LB_CHECK_TARGETS_FILE", "targets.txt")));
        int interval = Integer.parseInt(env("LB_CHECK_INTERVAL_MS", "1000"));
        int timeout = Integer.parseInt(env("LB_CHECK_TIMEOUT_MS", Integer.toString(interval)));
        int fall = Integer.parseInt(env("LB_CHECK_FALL", "3"));
        int rise = Integer.parseInt(env("LB_CHECK_RISE", "2"));
        int threads = Integer.parseInt(env("LB_CHECK_THREADS", "1"));
        boolean every = Boolean.parseBoolean(env("LB_REPORT_EVERY_RESULT", "true"));
        CheckSettings settings = CheckSettings.defaults().withInterval(Duration.ofMillis(interval))
                .withTimeout(Duration.ofMillis(timeout)).withRiseFall(rise, fall);
        HealthCheck check = HealthCheck.http(env("LB_CHECK_PATH", "/health"))
                .withStatus(new HealthCheck.StatusRange(200, 200)).withSettings(settings);

        List<RealServer> rss = new ArrayList<>();
        Map<String, String> endpointOf = new ConcurrentHashMap<>();
        for (String t : targets) {
            t = t.trim();
            if (t.isEmpty()) {
                continue;
            }
            int c = t.lastIndexOf(':');
            String label = "t" + rss.size();
            rss.add(RealServer.builder(label).address(t.substring(0, c)).port(Integer.parseInt(t.substring(c + 1)))
                    .build());
            endpointOf.put(label, t);
        }
        VirtualServer vs = VirtualServer.builder("bench").vip("127.0.0.1:1/tcp")
                .forwardingMethod(ForwardingMethod.PROXY).healthCheck(check).realServers(rss).build();

        Map<String, int[]> state = new ConcurrentHashMap<>(); // label -> {up 1/0, downs}
        HealthChecker checker = HealthChecker.builder().ioThreads(threads).reportEveryResult(every).build();
        checker.start((v, r, report) -> {
            int[] s = state.computeIfAbsent(r, k -> new int[] {1, 0});
            boolean up = report.state() != HealthState.DOWN;
            if (s[0] == 1 && !up) {
                s[1]++;
            }
            s[0] = up ? 1 : 0;
        });
        checker.update(Configuration.of(vs));
        CountDownLatch stop = new CountDownLatch(1);
        String statusFile = System.getenv("LB_CHECK_STATUS_FILE");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            checker.close();
            if (statusFile != null && !statusFile.isEmpty()) {
                try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(statusFile)))) {
                    for (var e : endpointOf.entrySet()) {
                        int[] s = state.getOrDefault(e.getKey(), new int[] {1, 0});
                        w.println(e.getValue() + " " + (s[0] == 1 ? "up" : "down") + " " + s[1]);
                    }
                } catch (IOException e) {
                    System.err.println("cannot write " + statusFile + ": " + e);
                }
            }
            stop.countDown();
        }, "bench-stop"));
        System.err.println("lbkit health checker: " + rss.size() + " targets, " + checker.probeCount() + " probes");
        if (System.getenv("LB_BENCH_MONITOR") != null) {
            Thread m = new Thread(() -> {
                long lastChecks = 0;
                long lastFailures = 0;
                for (int i = 0; i < 3600; i++) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    var reg = checker.metrics();
                    long c = reg.meter("lbkit.health.checks").getCount();
                    long f = reg.meter("lbkit.health.failures").getCount();
                    System.err.printf("%tT checks/s %d failures/s %d late %d errors %d%n", System.currentTimeMillis(),
                            c - lastChecks, f - lastFailures, reg.counter("lbkit.health.late").getCount(),
                            reg.counter("lbkit.health.errors").getCount());
                    lastChecks = c;
                    lastFailures = f;
                }
            }, "bench-monitor");
            m.setDaemon(true);
            m.start();
        }
        stop.await();
    }
}
