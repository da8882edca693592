package dev.lbkit.examples.bench;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.proxy.ProxyDataplane;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark candidate: lbkit's Layer 4 or Layer 7 proxy (one {@link ForwardingMethod#PROXY} or
 * {@link ForwardingMethod#HTTP} virtual server, round robin) started from the command line the benchmark harness uses ({@code bench/proxy/}, "the candidate hook").
 *
 * <pre>
 * java -jar lb-examples/target/lbkit-proxy-bench.jar --listen HOST:PORT --backends H:P[,H:P...]
 *      [--mode tcp|http] [--threads N] [--buffer-size BYTES]
 * </pre>
 *
 * <ul>
 *   <li>{@code --listen}: the VIP, an IP literal and a port ({@code 127.0.0.1:18110}, {@code [::1]:18110});</li>
 *   <li>{@code --backends}: the real servers, comma-separated, same form; balanced round robin;</li>
 *   <li>{@code --mode}: {@code tcp} (default, the TCP proxy) or {@code http} (the HTTP proxy, with its
 *       defaults: keep-alive both sides, X-Forwarded-For, pooled server connections);</li>
 *   <li>{@code --threads}: I/O threads of the {@link ProxyDataplane}, 1..1024 (default 1);</li>
 *   <li>{@code --buffer-size}: bytes per relay buffer (default: the dataplane's).</li>
 * </ul>
 * Every option also takes the {@code --name=value} form. It runs until SIGTERM or Ctrl-C, when a shutdown hook
 * closes the load balancer (listener and live connections). Exit status 2 for bad arguments (the message names
 * the argument), 1 when the proxy cannot start (e.g. the address is in use). Uses lbkit's public API only.
 */
public final class ProxyBenchMain {
    private static final Logger log = LoggerFactory.getLogger(ProxyBenchMain.class);
    static final String USAGE = "usage: lbkit-proxy-bench --listen HOST:PORT --backends HOST:PORT[,HOST:PORT...] "
            + "[--mode tcp|http] [--threads N] [--buffer-size BYTES]";
    static final String VIRTUAL_SERVER = "bench";

    private ProxyBenchMain() {}

    /** The parsed command line; {@code bufferSize} 0 means the dataplane's default. */
    record Options(Endpoint listen, List<Endpoint> backends, int threads, int bufferSize, ForwardingMethod mode) {
        Options(Endpoint listen, List<Endpoint> backends, int threads, int bufferSize) {
            this(listen, backends, threads, bufferSize, ForwardingMethod.PROXY);
        }

        static Options parse(String... args) {
            ForwardingMethod mode = ForwardingMethod.PROXY;
            Endpoint listen = null;
            List<Endpoint> backends = null;
            int threads = 1;
            int bufferSize = 0;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (name.equals("-h") || name.equals("--help")) {
                    throw new IllegalArgumentException(USAGE);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(name + ": a value is missing (" + USAGE + ")");
                }
                switch (name) {
                    case "--listen" -> listen = Endpoint.parse(name, value);
                    case "--backends" -> backends = backends(name, value);
                    case "--mode" -> mode = mode(name, value);
                    case "--threads" -> threads = integer(name, value, 1, 1024);
                    case "--buffer-size" -> bufferSize = integer(name, value, 4096, 16 << 20);
                    default -> throw new IllegalArgumentException("unknown argument '" + name + "' (" + USAGE + ")");
                }
            }
            if (listen == null) {
                throw new IllegalArgumentException("--listen is missing (" + USAGE + ")");
            }
            if (backends == null) {
                throw new IllegalArgumentException("--backends is missing (" + USAGE + ")");
            }
            return new Options(listen, List.copyOf(backends), threads, bufferSize, mode);
        }

        private static List<Endpoint> backends(String name, String value) {
            List<Endpoint> out = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                out.add(Endpoint.parse(name, part.trim()));
            }
            return out;
        }

        private static ForwardingMethod mode(String name, String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "tcp" -> ForwardingMethod.PROXY;
                case "http" -> ForwardingMethod.HTTP;
                default -> throw new IllegalArgumentException(name + " must be tcp or http but was '" + value + "'");
            };
        }

        private static int integer(String name, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a whole number " + min + ".." + max + " but was '"
                    + value + "'");
        }

        /** The virtual server these options describe; IllegalArgumentException names the argument at fault. */
        VirtualServer virtualServer() {
            VirtualServer.Builder vs = VirtualServer.builder(VIRTUAL_SERVER)
                    .forwardingMethod(mode)
                    .scheduler(Scheduler.RR);
            try {
                vs.address(listen.host()).port(listen.port());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--listen " + listen + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < backends.size(); i++) {
                Endpoint b = backends.get(i);
                try {
                    vs.realServer(RealServer.builder("rs" + (i + 1)).address(b.host()).port(b.port()).build());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--backends " + b + ": " + e.getMessage(), e);
                }
            }
            try {
                return vs.build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--listen/--backends: " + e.getMessage(), e);
            }
        }
    }

    /** An IP literal and a port as written on the command line. */
    record Endpoint(String host, int port) {
        static Endpoint parse(String argument, String text) {
            int colon = text.lastIndexOf(':');
            String host = colon > 0 ? text.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(argument + ": an IPv6 address must be in brackets "
                        + "([::1]:80) but was '" + text + "'");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException(argument + " must be HOST:PORT (an IP literal and a port) but was '"
                        + text + "'");
            }
            String portText = text.substring(colon + 1);
            int port = -1;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                // reported below
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(argument + ": port must be 1..65535 but was '" + portText
                        + "' in '" + text + "'");
            }
            return new Endpoint(host, port);
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Builds and starts the load balancer; the caller closes it. */
    static LoadBalancer start(Options options) {
        VirtualServer vs = options.virtualServer();
        ProxyDataplane.Builder proxy = ProxyDataplane.builder().name("bench-proxy").ioThreads(options.threads());
        if (options.bufferSize() > 0) {
            proxy.bufferSize(options.bufferSize());
        }
        LoadBalancer lb = LoadBalancer.builder().dataplane(proxy.build()).build();
        try {
            lb.apply(Configuration.of(vs));
        } catch (RuntimeException e) {
            lb.close();
            throw e;
        }
        return lb;
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
            options.virtualServer(); // every address checked before anything starts
        } catch (IllegalArgumentException e) {
            System.err.println("lbkit-proxy-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        LoadBalancer lb;
        try {
            lb = start(options);
        } catch (RuntimeException e) {
            System.err.println("lbkit-proxy-bench: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lb.close();
            stopped.countDown();
        }, "lbkit-proxy-bench-shutdown"));
        log.info("listening on {}/tcp, round robin over {} ({} I/O thread{}, Java {})", options.listen(),
                options.backends(), options.threads(), options.threads() == 1 ? "" : "s",
                Runtime.version().feature());
        stopped.await();
    }
}
