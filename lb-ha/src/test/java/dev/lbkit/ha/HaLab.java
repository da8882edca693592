package dev.lbkit.ha;

import dev.lbkit.testkit.NetnsLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A throw-away network of namespaces: a bridge in {@code <prefix>-br}, two load-balancer nodes {@code <prefix>-1}
 * and {@code <prefix>-2} (10.77.0.1 and .2 on their {@code eth0}, fixed MACs 02:77:00:00:00:01/02) and a client
 * {@code <prefix>-c} (10.77.0.10). The prefix is {@code lbk-ha-} and a random suffix. {@link #close()} stops every
 * process the lab started, kills whatever else still runs inside its namespaces, and deletes them; it runs also
 * when a test fails.
 */
final class HaLab implements AutoCloseable {
    static final String VIP = "10.77.0.100";
    static final String MAC1 = "02:77:00:00:00:01";
    static final String MAC2 = "02:77:00:00:00:02";
    static final String VIP6 = "2001:db8:77::100";
    /**
     * The advert interval of the tests: short enough for quick tests, long enough (master down about 1.1 s) that a
     * busy 2-core machine stalling a node for a few hundred milliseconds does not make a backup take over.
     */
    static final Duration ADVERT = Duration.ofMillis(300);
    static final String ADVERT_S = "0.3";

    final Path dir;
    private final NetnsLab net = new NetnsLab("ha");
    private int started;

    HaLab() {
        this(false);
    }

    /** With {@code ipv6}: IPv6 on, DAD off (addresses usable at once), 2001:db8:77::1/.2/.10 besides IPv4. */
    HaLab(boolean ipv6) {
        try {
            dir = Files.createTempDirectory(net.ns("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (String n : List.of("br", "1", "2", "c")) {
                net.namespace(n, ipv6);
            }
            net.bridge("br");
            String[][] nodes = {{"1", MAC1, "10.77.0.1/24"}, {"2", MAC2, "10.77.0.2/24"},
                    {"c", "02:77:00:00:00:0a", "10.77.0.10/24"}};
            for (String[] n : nodes) {
                net.node(n[0], "br", n[2], n[1]);
                if (ipv6) {
                    String host = n[0].equals("c") ? "10" : n[0];
                    sh("ip", "-n", ns(n[0]), "addr", "add", "2001:db8:77::" + host + "/64", "dev", "eth0", "nodad");
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    String ns(String node) {
        return net.ns(node);
    }

    /** The path a {@link VrrpRouter} enters: /run/netns/&lt;name&gt;. */
    String nsPath(String node) {
        return "/run/netns/" + ns(node);
    }

    /** An instance on node's eth0 for the lab's VIP with the given priority and interval (preempt on). */
    static VrrpInstanceConfig.Builder instance(int priority, Duration advert) {
        return VrrpInstanceConfig.builder("vi_51").interfaceName("eth0").vrid(51).priority(priority)
                .advertInterval(advert).virtualAddress(VIP + "/24").garpRefreshDelay(Duration.ZERO);
    }

    /** Starts keepalived in a node (VRRP only, its own config and pid files in the lab's directory). */
    Keepalived keepalived(String node, int priority, String advert, String extra) {
        return keepalived(node, priority, advert, extra, VIP + "/24");
    }

    /** As above for another floating IP (e.g. {@link #VIP6}/64). */
    Keepalived keepalived(String node, int priority, String advert, String extra, String vip) {
        String name = "ka" + node + "-" + started++;
        Path conf = dir.resolve(name + ".conf");
        String text = "global_defs {\n  router_id " + name + "\n  vrrp_garp_master_delay 0\n}\n"
                + "vrrp_instance vi_51 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n"
                + "  priority " + priority + "\n  advert_int " + advert + "\n  version 3\n" + extra
                + "  virtual_ipaddress {\n    " + vip + "\n  }\n}\n";
        Path log = dir.resolve(name + ".log");
        try {
            Files.writeString(conf, text);
            Process p = new ProcessBuilder("ip", "netns", "exec", ns(node), "keepalived", "-n", "-l", "-D", "-P",
                    "-f", conf.toString(), "-p", dir.resolve(name + ".pid").toString(), "-r",
                    dir.resolve(name + "-vrrp.pid").toString(), "-c", dir.resolve(name + "-chk.pid").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            net.track(p);
            return new Keepalived(p, dir.resolve(name + "-vrrp.pid"), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A keepalived process in a node. */
    final class Keepalived {
        final Process main;
        final Path vrrpPidFile;
        final Path log;

        Keepalived(Process main, Path vrrpPidFile, Path log) {
            this.main = main;
            this.vrrpPidFile = vrrpPidFile;
            this.log = log;
        }

        /** SIGKILL to the VRRP child first (no priority 0), then the parent. */
        void kill() throws Exception {
            awaitTrue(Duration.ofSeconds(10), () -> Files.exists(vrrpPidFile), "keepalived's vrrp pid file");
            String pid = Files.readString(vrrpPidFile).trim();
            sh("kill", "-KILL", pid);
            main.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }

        /** SIGTERM: keepalived's clean stop. */
        void stop() throws InterruptedException {
            main.destroy();
            main.waitFor(10, TimeUnit.SECONDS);
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Whether the node's eth0 has the lab's VIP now. */
    boolean holdsVip(String node) {
        return sh("ip", "-n", ns(node), "-4", "-o", "addr", "show", "dev", "eth0").contains(" " + VIP + "/");
    }

    /** Whether the node's eth0 has the lab's IPv6 VIP now. */
    boolean holdsVip6(String node) {
        return sh("ip", "-n", ns(node), "-6", "-o", "addr", "show", "dev", "eth0").contains(" " + VIP6 + "/");
    }

    /** The client's IPv6 neighbour entry for the IPv6 VIP after a connection attempt: the MAC or "". */
    String clientResolvesVip6() {
        sh("ip", "netns", "exec", ns("c"), "bash", "-c", "exec 3<>/dev/tcp/" + VIP6 + "/9 || true");
        return clientNeighbour6();
    }

    String clientNeighbour6() {
        String out = sh("ip", "-n", ns("c"), "-6", "neigh", "show", VIP6);
        int i = out.indexOf("lladdr ");
        return i < 0 ? "" : out.substring(i + 7, i + 24).toLowerCase(Locale.ROOT);
    }

    /** Sets the bridge port of a node down or up (the node loses or regains its carrier). */
    void link(String node, boolean up) {
        sh("ip", "-n", ns("br"), "link", "set", "p" + node, up ? "up" : "down");
    }

    /** Makes the client resolve the VIP (a TCP connection attempt; refused is fine) and returns its lladdr. */
    String clientResolvesVip() {
        sh("ip", "netns", "exec", ns("c"), "bash", "-c", "exec 3<>/dev/tcp/" + VIP + "/9 || true");
        return clientNeighbour();
    }

    /** The client's neighbour entry for the VIP: the MAC, or "" when it has none. */
    String clientNeighbour() {
        String out = sh("ip", "-n", ns("c"), "neigh", "show", VIP);
        int i = out.indexOf("lladdr ");
        return i < 0 ? "" : out.substring(i + 7, i + 24).toLowerCase(Locale.ROOT);
    }

    /** Starts tcpdump on the bridge for ARP; {@link Capture#lines()} reads what it wrote so far. */
    Capture captureArp() {
        return capture("arp");
    }

    /** tcpdump on the bridge with this filter. */
    Capture capture(String filter) {
        Path out = dir.resolve("arp-" + started++ + ".txt");
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns("br"), "tcpdump", "-l", "-n", "-e", "-i", "br0",
                    filter).redirectErrorStream(false).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            net.track(p);
            Thread.sleep(700); // tcpdump needs a moment to attach
            return new Capture(p, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Capture(Process process, Path file) {
        List<String> lines() {
            try {
                return Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Unsolicited neighbour advertisements for the IPv6 VIP from this MAC to all nodes. */
        long unsolicitedNasFrom(String mac) {
            return lines().stream().filter(l -> l.contains(mac + " > 33:33:00:00:00:01"))
                    .filter(l -> l.contains("neighbor advertisement") && l.contains("tgt is " + VIP6)).count();
        }

        /** Gratuitous ARPs for the VIP sent from this MAC. */
        long garpsFrom(String mac) {
            return lines().stream().filter(l -> l.contains(mac + " > ff:ff:ff:ff:ff:ff"))
                    .filter(l -> l.contains("who-has " + VIP) && l.contains("tell " + VIP)).count();
        }
    }

    /** The file's text, or "" while it does not exist. */
    static String readOrEmpty(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, fails with its output when it fails, returns stdout. */
    static String sh(String... cmd) {
        return NetnsLab.sh(cmd);
    }

    /** Polls a condition until it holds or the time is up (then fails naming what). */
    static void awaitTrue(Duration max, BooleanSupplier condition, String what) {
        NetnsLab.awaitTrue(max, condition, what);
    }

    /** Checks a condition keeps holding for the whole duration. */
    static void holdsFor(Duration d, BooleanSupplier condition, String what) {
        NetnsLab.holdsFor(d, condition, what);
    }

    @Override
    public void close() {
        net.close();
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
