package dev.lbkit.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A throw-away network of Linux network namespaces for tests that need real hosts: real addresses, routes, ARP,
 * bridges and processes (a load balancer, its real servers, a client) without sending a packet off the machine.
 * Names are {@code lbk-<area>-<random>-<node>}, so tests of several areas can run at once. {@link #close()} stops
 * every process the lab started, kills whatever else still runs inside its namespaces and deletes them; call it
 * also when a test fails (try-with-resources or an {@code @AfterEach}).
 *
 * <pre>{@code
 * try (NetnsLab lab = new NetnsLab("web")) {
 *     lab.bridge("br").node("lb", "br", "10.80.0.1/24").node("c", "br", "10.80.0.10/24");
 *     lab.start("lb", List.of("java", "-jar", "appliance.jar"), logFile);
 *     String answer = lab.exec("c", "curl", "-s", "http://10.80.0.1/");
 * }
 * }</pre>
 *
 * Needs root and iproute2; {@link #available()} tells (for JUnit's {@code assumeTrue}).
 */
public final class NetnsLab implements AutoCloseable {
    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    /** A lab whose namespace names start with {@code lbk-<area>-} and a random suffix. */
    public NetnsLab(String area) {
        if (!area.matches("[a-z0-9]{1,6}")) {
            throw new IllegalArgumentException("area must be 1..6 lower-case letters or digits but was '" + area + "'");
        }
        prefix = "lbk-" + area + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }

    /** True when this process runs as root and {@code ip} is installed. */
    public static boolean available() {
        try {
            return new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute()
                    ? sh("id", "-u").trim().equals("0") : false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The full name of a node's namespace. */
    public String ns(String node) {
        return prefix + "-" + node;
    }

    /** The path of a node's namespace, e.g. for {@code setns} or keepalived's {@code net_namespace}. */
    public String nsPath(String node) {
        return "/run/netns/" + ns(node);
    }

    /** Creates a namespace with its loopback up and IPv6 off. */
    public NetnsLab namespace(String node) {
        return namespace(node, false);
    }

    /** Creates a namespace with its loopback up; with {@code ipv6} IPv6 stays on with DAD off. */
    public NetnsLab namespace(String node, boolean ipv6) {
        sh("ip", "netns", "add", ns(node));
        namespaces.add(ns(node));
        sh("ip", "-n", ns(node), "link", "set", "lo", "up");
        if (ipv6) {
            exec(node, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        } else {
            exec(node, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
        }
        return this;
    }

    /**
     * Creates a namespace holding a bridge {@code br0} (no STP, no forwarding delay) that nodes attach to (an
     * existing namespace of that name gets the bridge).
     */
    public NetnsLab bridge(String node) {
        if (!namespaces.contains(ns(node))) {
            namespace(node);
        }
        sh("ip", "-n", ns(node), "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        sh("ip", "-n", ns(node), "link", "set", "br0", "up");
        return this;
    }

    /**
     * Creates a namespace {@code node} whose {@code eth0} is a veth attached to the bridge in {@code bridge} (port
     * {@code p<node>}) with {@code cidr} on it, up. An existing namespace of that name (e.g. made with
     * {@link #namespace(String, boolean)} for IPv6) gets the interface.
     */
    public NetnsLab node(String node, String bridge, String cidr) {
        return node(node, bridge, cidr, null);
    }

    /** As above with a fixed MAC address on {@code eth0} (null: a random one). */
    public NetnsLab node(String node, String bridge, String cidr, String mac) {
        if (!namespaces.contains(ns(node))) {
            namespace(node);
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "link", "add", "p" + node, "netns", ns(bridge), "type",
                "veth", "peer", "name", "eth0", "netns", ns(node)));
        if (mac != null) {
            cmd.addAll(List.of("address", mac));
        }
        sh(cmd.toArray(new String[0]));
        sh("ip", "-n", ns(bridge), "link", "set", "p" + node, "master", "br0", "up");
        sh("ip", "-n", ns(node), "addr", "add", cidr, "dev", "eth0");
        sh("ip", "-n", ns(node), "link", "set", "eth0", "up");
        return this;
    }

    /** Runs a command inside a node, fails with its output when it fails, returns its output. */
    public String exec(String node, String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
        all.addAll(List.of(cmd));
        return sh(all.toArray(new String[0]));
    }

    /**
     * Starts a long-running process inside a node, its output (both streams) to {@code log} (null: discarded);
     * {@link #close()} kills it.
     */
    public Process start(String node, List<String> cmd, File log) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
        all.addAll(cmd);
        ProcessBuilder b = new ProcessBuilder(all).redirectErrorStream(true);
        b.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log));
        try {
            Process p = b.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers a process started otherwise so that {@link #close()} kills it too. */
    public Process track(Process p) {
        processes.add(p);
        return p;
    }

    /** Runs a command, fails with its output when it fails or runs longer than 30 s, returns its output. */
    public static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls a condition every 10 ms until it holds or the time is up (then fails naming what). */
    public static void awaitTrue(Duration max, BooleanSupplier condition, String what) {
        awaitTrue(max, Duration.ofMillis(10), condition, what);
    }

    /**
     * As above with another pause between polls: a condition that runs a command ({@code ip}, {@code ipvsadm})
     * should poll less often where CPU is scarce (an emulated VM).
     */
    public static void awaitTrue(Duration max, Duration poll, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + max + ": " + what);
            }
            sleep(Math.max(1, poll.toMillis()));
        }
    }

    /** Checks that a condition keeps holding for the whole duration (polled every 20 ms). */
    public static void holdsFor(Duration d, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped holding: " + what);
            }
            sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Kills the lab's processes and everything else in its namespaces, then deletes the namespaces. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String n : namespaces) {
            try {
                for (String pid : sh("ip", "netns", "pids", n).split("\\s+")) {
                    if (!pid.isBlank() && Long.parseLong(pid) != ProcessHandle.current().pid()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (RuntimeException ignored) {
                // the namespace may be gone already
            }
        }
        for (String n : namespaces) {
            try {
                sh("ip", "netns", "del", n);
            } catch (RuntimeException e) {
                System.err.println("could not delete namespace " + n + ": " + e.getMessage());
            }
        }
        namespaces.clear();
        processes.clear();
    }
}
