package dev.lbkit.examples.appliance;

import static dev.lbkit.testkit.NetnsLab.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.testkit.NetnsLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged appliances as an HA pair with {@code ha.ipvsSync}, against a real kernel with IPVS (runs inside the
 * IPVS VM, see docs/testing.md). Each node is a network namespace on one bridge, with a client and a real server
 * beside them: a one-armed NAT, the floating IPs being the VIP 10.79.0.100 and the real server's default gateway
 * 10.79.1.1. Both nodes run the same file except for the priority. The kernel is read as an operator does:
 * {@code ipvsadm -L --daemon} and {@code ipvsadm -Lnc} in each namespace, {@code ip addr}. The master runs the sync
 * daemon as master and the backup as backup; a TCP connection made through the master lives through a SIGHUP
 * reload that changes the scheduler and IPVS options on both nodes and is synced to the backup; after the master is killed (SIGKILL, then the release script systemd would run) the backup holds the floating
 * IPs, its daemon is master, and the same TCP connection goes on through it. Restarted, node 1 replaces the
 * master daemon its dead process left in the kernel, preempts and runs it as master again, node 2 as backup.
 */
class ApplianceHaVmIT {
    private static final String VIP = "10.79.0.100";
    private static final String GATEWAY = "10.79.1.1";
    private static final String REAL_SERVER = "10.79.1.20";

    private NetnsLab lab;

    @TempDir
    Path dir;

    @BeforeEach
    void lab() {
        assumeTrue(Files.exists(Path.of("/proc/net/ip_vs")), "no IPVS in this kernel");
        assumeTrue(NetnsLab.available(), "runs as root with iproute2");
        assumeTrue(new java.io.File("/usr/bin/socat").canExecute(), "socat is installed");
        assumeTrue(Files.exists(ApplianceJarIT.JAR), "the appliance jar is built (mvn package)");
        lab = new NetnsLab("vmit");
        lab.bridge("br").node("1", "br", "10.79.0.1/24").node("2", "br", "10.79.0.2/24")
                .node("c", "br", "10.79.0.10/24").node("r", "br", REAL_SERVER + "/24");
        sh("ip", "-n", lab.ns("r"), "route", "add", "default", "via", GATEWAY);
        for (String node : List.of("1", "2")) {
            // a one-armed NAT director forwards the real server's replies out of the interface they came in on
            lab.exec(node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                    "net.ipv4.conf.eth0.send_redirects=0");
        }
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void syncDaemonFollowsTheMasterAndAConnectionSurvivesTheMastersDeath() throws Exception {
        try {
            failover();
        } catch (Throwable t) {
            for (String node : List.of("1", "2")) { // the VM throws the files away: show what the nodes said
                System.out.println("---- node " + node + " out.log:\n" + read(log(node)));
            }
            throw t;
        }
    }

    private void failover() throws Exception {
        realServer();
        // both nodes start together (a JVM takes tens of seconds under TCG); whichever wins the first election,
        // the higher priority ends up master (preemption)
        long t0 = System.nanoTime();
        Process node1 = appliance("1", 150);
        Process node2 = appliance("2", 100);
        awaitStarted("1", node1, t0);
        awaitStarted("2", node2, t0);
        await(Duration.ofSeconds(30), () -> holds("1", VIP) && holds("1", GATEWAY) && !holds("2", VIP)
                && daemons("2").contains("backup sync daemon") && daemons("1").contains("master sync daemon"),
                "node 1 (priority 150) holds the floating IPs and runs the master sync daemon, node 2 the backup one");

        assertThat(daemons("1")).contains("master sync daemon (mcast=eth0, syncid=79")
                .doesNotContain("backup sync daemon");
        assertThat(daemons("2")).contains("backup sync daemon (mcast=eth0, syncid=79")
                .doesNotContain("master sync daemon");
        assertThat(holds("2", VIP)).isFalse();
        for (String node : List.of("1", "2")) {
            assertThat(lab.exec(node, "sysctl", "-n", "net.ipv4.vs.expire_nodest_conn").trim())
                    .as("node %s's dataplanes.ipvs.sysctls, set in its own namespace", node).isEqualTo("1");
        }
        assertThat(lab.exec("c", "sysctl", "-n", "net.ipv4.vs.expire_nodest_conn").trim())
                .as("another namespace keeps the kernel's default").isEqualTo("0");
        for (String node : List.of("1", "2")) {
            assertThat(ApplianceIpvsVmIT.service(lab.exec(node, "ipvsadm", "-Ln"), "TCP  " + VIP + ":80 "))
                    .as("node %s runs the virtual server", node).startsWith("TCP  " + VIP + ":80 rr\n")
                    .containsPattern("-> " + REAL_SERVER.replace(".", "\\.") + ":8080 +Masq +1 ");
        }

        try (LineClient client = new LineClient()) {
            assertThat(client.ask("one")).isEqualTo("r1-one");
            assertThat(client.ask("two")).isEqualTo("r1-two");

            // SIGHUP on both nodes with scheduler rr -> sh plus schedulerFallback: the service is edited in place
            // (options after the scheduler), the connection goes on and the master stays master
            for (String node : List.of("1", "2")) {
                Path file = dir.resolve("node" + node).resolve("lbkit.yaml");
                Files.writeString(file, Files.readString(file).replace("    scheduler: rr\n",
                        "    scheduler: sh\n    ipvs: {schedulerFallback: true}\n"));
                sh("kill", "-HUP", Long.toString((node.equals("1") ? node1 : node2).pid()));
            }
            for (String node : List.of("1", "2")) {
                await(Duration.ofSeconds(60), () -> read(log(node)).contains("lbkit appliance: reloaded"),
                        "node " + node + " reloaded");
                assertThat(ApplianceIpvsVmIT.service(lab.exec(node, "ipvsadm", "-Ln"), "TCP  " + VIP + ":80 "))
                        .as("node %s after the reload", node).startsWith("TCP  " + VIP + ":80 sh (sh-fallback)\n");
            }
            assertThat(holds("1", VIP)).isTrue();
            assertThat(client.ask("three")).isEqualTo("r1-three");
            String entry = "10.79.0.10:" + client.localPort() + " +" + VIP + ":80 +" + REAL_SERVER + ":8080";
            assertThat(lab.exec("1", "ipvsadm", "-Lnc")).containsPattern("ESTABLISHED .*" + entry);
            await(Duration.ofSeconds(20), () -> lab.exec("2", "ipvsadm", "-Lnc").matches(
                    "(?s).*ESTABLISHED .*" + entry + ".*"), "the master's sync daemon gives the backup the connection");

            node1.destroyForcibly(); // SIGKILL: no priority-0 advert, the backup must notice the silence
            assertThat(node1.waitFor(20, TimeUnit.SECONDS)).isTrue();
            long killed = System.nanoTime();
            // what the systemd unit's ExecStopPost does after any end of the process
            Path release = dir.resolve("node1").resolve("lbkit-state").resolve(Appliance.RELEASE_SCRIPT);
            lab.exec("1", "/bin/sh", release.toString());
            assertThat(holds("1", VIP)).isFalse();

            await(Duration.ofSeconds(30), () -> holds("2", VIP) && holds("2", GATEWAY),
                    "node 2 takes the floating IPs");
            await(Duration.ofSeconds(20), () -> daemons("2").contains("master sync daemon"),
                    "node 2's sync daemon becomes master");
            System.out.println("ApplianceHaVmIT: node 2 held the floating IPs and ran the master sync daemon "
                    + (System.nanoTime() - killed) / 1_000_000 + " ms after node 1 was killed (TCG)");
            assertThat(daemons("2")).contains("master sync daemon (mcast=eth0, syncid=79")
                    .doesNotContain("backup sync daemon");

            // the connection made through node 1 goes on through node 2, which knows it from the sync
            assertThat(client.ask("four")).isEqualTo("r1-four");
            assertThat(lab.exec("2", "ipvsadm", "-Lnc")).containsPattern("ESTABLISHED .*" + entry);
        }

        // the release script (ExecStopPost) also stopped the dead process's master sync daemon in node 1's kernel;
        // systemd restarts node 1: it starts as backup, then preempts (priority 150) and runs the daemon as master
        // again, node 2 as backup
        assertThat(daemons("1")).doesNotContain("master sync daemon");
        long restarted = System.nanoTime();
        Process again = launch("1");
        awaitStarted("1", again, restarted);
        await(Duration.ofSeconds(30), () -> holds("1", VIP) && holds("1", GATEWAY) && !holds("2", VIP)
                && daemons("2").contains("backup sync daemon") && daemons("1").contains("master sync daemon"),
                "the restarted node 1 preempts: master daemon on node 1, backup daemon on node 2");
        assertThat(daemons("1")).doesNotContain("backup sync daemon");
        assertThat(daemons("2")).doesNotContain("master sync daemon");
        try (LineClient client = new LineClient()) {
            assertThat(client.ask("five")).isEqualTo("r1-five");
            assertThat(lab.exec("1", "ipvsadm", "-Lnc")).containsPattern(
                    "ESTABLISHED .*10.79.0.10:" + client.localPort() + " +" + VIP + ":80 ");
        }
    }

    /** Starts the appliance jar in a node with the pair's file at the given priority. */
    private Process appliance(String node, int priority) throws IOException {
        Path file = Files.createDirectories(dir.resolve("node" + node)).resolve("lbkit.yaml");
        Files.writeString(file, "admin:\n  listen: off\n  jmx: false\n"
                + "dataplanes:\n  ipvs:\n    sysctls: {expire_nodest_conn: 1}\n"
                + "ha:\n  instances:\n    vi_ext:\n      interface: eth0\n      vrid: 79\n      priority: " + priority
                + "\n      advertInterval: 1s\n      garpRefreshDelay: 0s\n"
                + "      virtualAddresses: [" + VIP + "/24, " + GATEWAY + "/24]\n"
                + "  ipvsSync: {instance: vi_ext, interface: eth0, syncId: 79}\n"
                + "virtualServers:\n  web:\n    vip: " + VIP + ":80/tcp\n    forwardingMethod: nat\n"
                + "    scheduler: rr\n    realServers:\n      r1: {address: " + REAL_SERVER + ", port: 8080}\n");
        return launch(node);
    }

    /** Starts the appliance jar in a node with the file it has. */
    private Process launch(String node) {
        Path file = dir.resolve("node" + node).resolve("lbkit.yaml");
        return lab.start(node, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", ApplianceJarIT.JAR.toString(),
                "--config", file.toString()), log(node).toFile());
    }

    private Path log(String node) {
        return dir.resolve("node" + node).resolve("out.log");
    }

    private void awaitStarted(String node, Process p, long t0) {
        await(Duration.ofSeconds(120), () -> read(log(node)).contains("SIGHUP reloads it") || !p.isAlive(),
                "node " + node + " started");
        assertThat(p.isAlive()).as(read(log(node))).isTrue();
        System.out.println("ApplianceHaVmIT: node " + node + " started after " + (System.nanoTime() - t0) / 1_000_000
                + " ms (TCG)");
    }

    /**
     * Polls every 100 ms until the condition holds (a 10 ms poll would fork {@code ip}/{@code ipvsadm} a hundred
     * times a second, which costs the appliances' JVMs most of the emulated CPU).
     */
    private static void await(Duration max, BooleanSupplier condition, String what) {
        NetnsLab.awaitTrue(max, Duration.ofMillis(100), condition, what);
    }

    /** The real server: answers each line with the line prefixed by its name, on one connection per client. */
    private void realServer() {
        lab.start("r", List.of("socat", "TCP-LISTEN:8080,bind=" + REAL_SERVER + ",fork,reuseaddr",
                "SYSTEM:sed -u s/^/r1-/"), null);
        await(Duration.ofSeconds(20), () -> lab.exec("r", "ss", "-ltn").contains(REAL_SERVER + ":8080"),
                "the real server listens");
    }

    private String daemons(String node) {
        return lab.exec(node, "ipvsadm", "-L", "--daemon");
    }

    private boolean holds(String node, String address) {
        return sh("ip", "-n", lab.ns(node), "-4", "-o", "addr", "show", "dev", "eth0").contains(" " + address + "/");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One TCP connection from the client namespace to the VIP (socat), spoken line by line. */
    private final class LineClient implements AutoCloseable {
        private final Process process;
        private final OutputStream in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        LineClient() throws IOException {
            process = lab.track(new ProcessBuilder("ip", "netns", "exec", lab.ns("c"), "socat", "-",
                    "TCP:" + VIP + ":80,connect-timeout=10").redirectError(ProcessBuilder.Redirect.DISCARD).start());
            in = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("read failed: " + e);
                }
            }, "lbk-vmit-client");
            reader.setDaemon(true);
            reader.start();
        }

        /** Sends a line and returns the answer (fails after 30 s: TCP's retransmissions need a few). */
        String ask(String line) throws IOException, InterruptedException {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String answer = lines.poll(30, TimeUnit.SECONDS);
            assertThat(answer).as("answer to '%s' (client alive: %s)", line, process.isAlive()).isNotNull();
            return answer;
        }

        /** The client's port, from the connection table of its namespace. */
        int localPort() {
            for (String l : lab.exec("c", "ss", "-tnH", "state", "established").split("\n")) {
                String[] f = l.trim().split("\\s+");
                if (f.length >= 4 && f[f.length - 1].equals(VIP + ":80")) {
                    String local = f[f.length - 2];
                    return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
                }
            }
            throw new AssertionError("no established connection to " + VIP + ":80 in the client");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
