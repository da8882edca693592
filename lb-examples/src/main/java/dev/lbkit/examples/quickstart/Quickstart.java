package dev.lbkit.examples.quickstart;

import dev.lbkit.api.CheckSettings;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.HealthCheck;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.LoadBalancerEvent;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.proxy.ProxyDataplane;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The quickstart: two demo backends on loopback, a TCP virtual server (Layer 4 proxy, round robin, HTTP
 * health checks) and an HTTP virtual server (Layer 7 proxy, cookie persistence: a browser stays on the backend
 * that first answered it) over them; prints what runs, the commands to try, and a live status table until Ctrl-C.
 *
 * <pre>
 * java -jar lb-examples/target/lbkit-quickstart.jar [--vip-port 8080] [--http-port 8081]
 *                                                   [--backend-ports 9001,9002] [--refresh 5] [--duration 0]
 * </pre>
 *
 * Everything listens on 127.0.0.1 only. {@code --duration N} stops after N seconds (0: until Ctrl-C).
 */
public final class Quickstart implements AutoCloseable {
    private final List<DemoBackend> backends = new ArrayList<>();
    private final LoadBalancer lb;
    private final ProxyDataplane proxy;

    /** Options from the command line. */
    record Options(int vipPort, int httpPort, int[] backendPorts, Duration refresh, Duration duration) {
        static Options parse(String[] args) {
            int vipPort = 8080;
            int httpPort = 8081;
            int[] backendPorts = {9001, 9002};
            Duration refresh = Duration.ofSeconds(5);
            Duration duration = Duration.ZERO;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("usage: lbkit-quickstart [--vip-port N] [--http-port N] "
                            + "[--backend-ports N,N] [--refresh SECONDS] [--duration SECONDS]");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": a value is missing");
                }
                String v = args[++i];
                switch (a) {
                    case "--vip-port":
                        vipPort = port(a, v);
                        break;
                    case "--http-port":
                        httpPort = port(a, v);
                        break;
                    case "--backend-ports": {
                        String[] parts = v.split(",");
                        backendPorts = new int[parts.length];
                        for (int j = 0; j < parts.length; j++) {
                            backendPorts[j] = port(a, parts[j].trim());
                        }
                        break;
                    }
                    case "--refresh":
                        refresh = Duration.ofSeconds(seconds(a, v, 1));
                        break;
                    case "--duration":
                        duration = Duration.ofSeconds(seconds(a, v, 0));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a + " (try --help)");
                }
            }
            return new Options(vipPort, httpPort, backendPorts, refresh, duration);
        }

        private static int port(String option, String v) {
            try {
                int p = Integer.parseInt(v);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a port 0..65535 but was '" + v + "'");
        }

        private static long seconds(String option, String v, long min) {
            try {
                long s = Long.parseLong(v);
                if (s >= min) {
                    return s;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be whole seconds, at least " + min + ", but was '"
                    + v + "'");
        }
    }

    Quickstart(Options options) throws IOException {
        try {
            for (int i = 0; i < options.backendPorts().length; i++) {
                backends.add(new DemoBackend("backend-" + (i + 1), options.backendPorts()[i]));
            }
            proxy = new ProxyDataplane();
            lb = LoadBalancer.builder().dataplane(proxy).healthMonitor(HealthChecker.builder().build()).build();
            VirtualServer.Builder tcp = VirtualServer.builder("tcp-demo")
                    .vip("127.0.0.1:" + options.vipPort() + "/tcp")
                    .forwardingMethod(ForwardingMethod.PROXY)
                    .scheduler(Scheduler.RR)
                    // Every 2 s; 2 failures take a backend out (weight 0), 2 successes bring it back.
                    .healthCheck(HealthCheck.http("/").withSettings(CheckSettings.defaults()
                            .withInterval(Duration.ofSeconds(2)).withTimeout(Duration.ofSeconds(1))
                            .withRiseFall(2, 2)));
            // The same backends behind the HTTP proxy: the first answer sets the cookie LBKIT naming the backend
            // (by an opaque id), and requests carrying it go back to that backend while it is up or draining.
            VirtualServer.Builder http = VirtualServer.builder("http-demo")
                    .vip("127.0.0.1:" + options.httpPort() + "/tcp")
                    .forwardingMethod(ForwardingMethod.HTTP)
                    .scheduler(Scheduler.RR)
                    .persistence(CookiePersistence.builder(CookiePersistence.Mode.INSERT, "LBKIT").path("/")
                            .build())
                    .healthCheck(HealthCheck.http("/").withSettings(CheckSettings.defaults()
                            .withInterval(Duration.ofSeconds(2)).withTimeout(Duration.ofSeconds(1))
                            .withRiseFall(2, 2)));
            for (DemoBackend b : backends) {
                tcp.realServer(RealServer.builder(b.name()).address("127.0.0.1").port(b.port()).build());
                http.realServer(RealServer.builder(b.name()).address("127.0.0.1").port(b.port()).build());
            }
            lb.apply(Configuration.of(tcp.build(), http.build()));
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    /** Where the TCP virtual server listens (the real port when 0 was asked). */
    InetSocketAddress tcpVip() {
        return proxy.localAddress("tcp-demo").orElseThrow();
    }

    /** Where the HTTP virtual server listens. */
    InetSocketAddress httpVip() {
        return proxy.localAddress("http-demo").orElseThrow();
    }

    LoadBalancer loadBalancer() {
        return lb;
    }

    void printBanner(PrintStream out) {
        int port = tcpVip().getPort();
        out.println("lbkit quickstart: everything listens on 127.0.0.1 only");
        out.println();
        for (DemoBackend b : backends) {
            out.printf("  real server  %-10s  http://127.0.0.1:%d/%n", b.name(), b.port());
        }
        out.printf("  virtual server tcp-demo  127.0.0.1:%d/tcp  Layer 4 proxy, round robin, HTTP health check every 2 s%n",
                port);
        int httpPort = httpVip().getPort();
        out.printf("  virtual server http-demo 127.0.0.1:%d/tcp  HTTP proxy, round robin, cookie persistence (LBKIT)%n",
                httpPort);
        out.println();
        out.println("Try (each connection goes to the next backend):");
        out.printf("  curl http://127.0.0.1:%d/hello%n", port);
        out.printf("  for i in 1 2 3 4; do curl -s http://127.0.0.1:%d/; done%n", port);
        out.println("Try (a cookie jar keeps you on one backend; without it you alternate):");
        out.printf("  for i in 1 2 3 4; do curl -s -b /tmp/lbkit.jar -c /tmp/lbkit.jar http://127.0.0.1:%d/; done%n",
                httpPort);
        out.printf("  curl -si http://127.0.0.1:%d/ | grep -i set-cookie%n", httpPort);
        out.println();
        out.println("Stop a backend and watch it go DOWN in the table: the status shows requested and actual state.");
        out.println("Ctrl-C stops it.");
    }

    @Override
    public void close() {
        if (lb != null) {
            lb.close();
        }
        backends.forEach(DemoBackend::close);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Quickstart q;
        try {
            q = new Quickstart(options);
        } catch (IOException | RuntimeException e) {
            System.err.println("lbkit quickstart could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            q.close();
        }, "lbkit-quickstart-shutdown"));
        q.loadBalancer().addListener(e -> {
            if (e instanceof LoadBalancerEvent.RealServerStatusChanged) {
                System.out.println("event: " + e);
            }
        });
        q.printBanner(System.out);
        long deadline = options.duration().isZero() ? Long.MAX_VALUE
                : System.nanoTime() + options.duration().toNanos();
        do {
            System.out.println();
            System.out.println("status at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS));
            System.out.print(q.loadBalancer().status().toTable());
        } while (!stop.await(Math.min(options.refresh().toNanos(), Math.max(0, deadline - System.nanoTime())),
                TimeUnit.NANOSECONDS) && System.nanoTime() < deadline);
        q.close();
    }
}
