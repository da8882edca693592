package dev.lbkit.ipvs;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The IPVS benchmark of {@code bench/ipvs/run.sh}, run inside the test VM (it flushes the kernel's IPVS table, so
 * it refuses to run unless {@code IPVS_VM=1}). In one run:
 * <ol>
 *   <li>1,000 virtual servers x 10 real servers from empty, one weight change, removal of everything: lbkit
 *       ({@link IpvsDataplane#apply}) versus {@code ipvsadm-restore} of the same table, {@code ipvsadm -e} for
 *       the single change and {@code ipvsadm -R} of {@code -D} lines for the removal ({@code ipvsadm-restore}
 *       itself starts with a flush; the flush, {@code ipvsadm -C}, is timed too), median of {@code --repeat}
 *       rounds, alternating;</li>
 *   <li>a scale run with lbkit: 10,000 x 5 cold, the same configuration again by a fresh dataplane (a restarted
 *       application: one service dump, one destination dump per service, zero changes), one real server
 *       changed (one message), and the round trip of that one message alone.</li>
 * </ol>
 * Prints {@code FIGURE}/{@code RATIO} lines; the last one is {@code RATIO ipvs.full_apply.speedup_vs_ipvsadm_restore}.
 * A warm-up apply (200 x 10) runs first, as in a control plane that has been running for a while.
 */
public final class IpvsBench {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private IpvsBench() {}

    public static void main(String[] args) throws Exception {
        if (!"1".equals(System.getenv("IPVS_VM"))) {
            System.err.println("IpvsBench flushes the kernel's IPVS table: it runs only inside the test VM (IPVS_VM=1)."
                    + " Use bench/ipvs/run.sh.");
            System.exit(2);
        }
        int services = 1000;
        int reals = 10;
        int scaleServices = 10_000;
        int scaleReals = 5;
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--services" -> services = Integer.parseInt(args[++i]);
                case "--reals" -> reals = Integer.parseInt(args[++i]);
                case "--scale-services" -> scaleServices = Integer.parseInt(args[++i]);
                case "--scale-reals" -> scaleReals = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --services N "
                        + "--reals N --scale-services N --scale-reals N --repeat N");
            }
        }
        try (Ipvs ipvs = Ipvs.open()) {
            ipvs.flush();
            System.out.printf("# IPVS %s, %s; %d x %d, %d rounds; scale %d x %d%n", ipvs.versionString(),
                    System.getProperty("java.vm.version"), services, reals, repeat, scaleServices, scaleReals);
            warmUp();
            compare(ipvs, services, reals, repeat);
            if (scaleServices > 0) {
                scale(ipvs, scaleServices, scaleReals);
            }
            ratio("ipvs.full_apply.speedup_vs_ipvsadm_restore", lastRatio);
        }
    }

    static String vip(int i) {
        return "10.100." + (i / 250) + "." + (i % 250 + 1);
    }

    static String rip(int i, int j) {
        return "10." + (150 + j) + "." + (i / 250) + "." + (i % 250 + 1);
    }

    static Configuration configuration(int services, int reals) {
        List<VirtualServer> vs = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            VirtualServer.Builder b = VirtualServer.builder("vs" + i).vip(vip(i) + ":80/tcp")
                    .forwardingMethod(ForwardingMethod.DIRECT_ROUTING).scheduler(Scheduler.WLC);
            for (int j = 0; j < reals; j++) {
                b.realServer(RealServer.builder("rs" + j).address(rip(i, j)).weight(1).build());
            }
            vs.add(b.build());
        }
        return Configuration.builder().addAll(vs).build();
    }

    /** The same table in ipvsadm-restore's words. */
    static String restoreAdd(int services, int reals) {
        StringBuilder s = new StringBuilder(services * (reals + 1) * 48);
        for (int i = 0; i < services; i++) {
            s.append("-A -t ").append(vip(i)).append(":80 -s wlc\n");
            for (int j = 0; j < reals; j++) {
                s.append("-a -t ").append(vip(i)).append(":80 -r ").append(rip(i, j)).append(":80 -g -w 1\n");
            }
        }
        return s.toString();
    }

    static String restoreDelete(int services) {
        StringBuilder s = new StringBuilder(services * 32);
        for (int i = 0; i < services; i++) {
            s.append("-D -t ").append(vip(i)).append(":80\n");
        }
        return s.toString();
    }

    /** The configuration with real server rs0 of vs{i} at weight {@code w}. */
    static Configuration withWeight(Configuration c, int i, int w) {
        VirtualServer v = c.virtualServer("vs" + i).orElseThrow();
        return c.with(v.withRealServer(v.realServer("rs0").orElseThrow().withWeight(w)));
    }

    static ConfigurationDiff fromEmpty(Configuration c) {
        return ConfigurationDiff.between(Configuration.empty(), c);
    }

    static void warmUp() {
        Configuration c = configuration(200, 10);
        try (IpvsDataplane d = IpvsDataplane.builder().build()) {
            d.apply(fromEmpty(c));
            Configuration c2 = withWeight(c, 7, 3);
            d.apply(ConfigurationDiff.between(c, c2));
            d.apply(ConfigurationDiff.between(c2, Configuration.empty()));
        }
    }

    static void compare(Ipvs ipvs, int services, int reals, int repeat) throws Exception {
        Configuration c = configuration(services, reals);
        Configuration c2 = withWeight(c, services / 2, 5);
        Path add = Files.createTempFile("lbk-ipvs-bench-add", ".txt");
        Path del = Files.createTempFile("lbk-ipvs-bench-del", ".txt");
        Files.writeString(add, restoreAdd(services, reals), StandardCharsets.US_ASCII);
        Files.writeString(del, restoreDelete(services), StandardCharsets.US_ASCII);
        String[] edit = {"ipvsadm", "-e", "-t", vip(services / 2) + ":80", "-r", rip(services / 2, 0) + ":80", "-g",
            "-w", "5"};
        long[] lbApply = new long[repeat];
        long[] lbCpu = new long[repeat];
        long[] lbOne = new long[repeat];
        long[] lbRemove = new long[repeat];
        long[] rsApply = new long[repeat];
        long[] rsOne = new long[repeat];
        long[] rsRemove = new long[repeat];
        long[] rsFlush = new long[repeat];
        int entries = services * (reals + 1);
        for (int r = 0; r < repeat; r++) {
            // ipvsadm-restore: fill, one edit, delete every service
            ipvs.flush();
            rsApply[r] = run(add, "ipvsadm-restore");
            check(ipvs, services, reals);
            try (IpvsDataplane same = IpvsDataplane.builder().build()) {
                same.apply(fromEmpty(c)); // the same table: lbkit finds nothing to change
                expect("changes after ipvsadm-restore", same.changesSent(), 0);
            }
            rsOne[r] = run(null, edit);
            // ipvsadm-restore begins with a flush, so deleting line by line needs ipvsadm -R (what it wraps)
            rsRemove[r] = run(del, "ipvsadm", "-R");
            expect("services after ipvsadm -R of -D lines", ipvs.services().size(), 0);
            try (IpvsDataplane refill = IpvsDataplane.builder().build()) {
                refill.apply(fromEmpty(c));
            }
            rsFlush[r] = run(null, "ipvsadm", "-C");

            // lbkit
            try (IpvsDataplane d = IpvsDataplane.builder().build()) {
                d.ipvs(); // the socket is open in a running application
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                d.apply(fromEmpty(c));
                lbApply[r] = System.nanoTime() - t0;
                lbCpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
                expect("lbkit changes for the full apply", d.changesSent(), entries);
                check(ipvs, services, reals);
                long sent = d.changesSent();
                t0 = System.nanoTime();
                d.apply(ConfigurationDiff.between(c, c2));
                lbOne[r] = System.nanoTime() - t0;
                expect("lbkit changes for one weight", d.changesSent() - sent, 1);
                t0 = System.nanoTime();
                d.apply(ConfigurationDiff.between(c2, Configuration.empty()));
                lbRemove[r] = System.nanoTime() - t0;
                expect("services after lbkit removed everything", ipvs.services().size(), 0);
            }
        }
        Files.delete(add);
        Files.delete(del);
        // lbkit's own share of the full apply, without the kernel: diff, translation, plan, message encoding
        long[] build = new long[repeat];
        for (int r = 0; r < repeat; r++) {
            long t0 = System.nanoTime();
            ConfigurationDiff diff = fromEmpty(c);
            List<DesiredService> ds = new ArrayList<>();
            diff.added().forEach(v -> ds.add(DesiredService.of(v, IpvsOptions.defaults())));
            List<Change> plan = Plan.compute(ds, java.util.Map.of(), java.util.Set.of());
            dev.lbkit.netlink.MessageWriter w = new dev.lbkit.netlink.MessageWriter(plan.size() * 96);
            plan.forEach(x -> x.write(w, 0x23));
            build[r] = System.nanoTime() - t0;
            expect("encoded messages", w.messageCount(), entries);
        }
        figure("ipvs.full_apply.lbkit_without_kernel_ms", median(build));
        double la = median(lbApply);
        double ra = median(rsApply);
        figure("ipvs.full_apply.entries", entries);
        figure("ipvs.full_apply.lbkit_ms", la);
        figure("ipvs.full_apply.lbkit_thread_cpu_ms", median(lbCpu));
        figure("ipvs.full_apply.ipvsadm_restore_ms", ra);
        figure("ipvs.one_change.lbkit_ms", median(lbOne));
        figure("ipvs.one_change.ipvsadm_e_ms", median(rsOne));
        ratio("ipvs.one_change.speedup_vs_ipvsadm_e", median(rsOne) / median(lbOne));
        figure("ipvs.remove_all.lbkit_ms", median(lbRemove));
        figure("ipvs.remove_all.ipvsadm_R_ms", median(rsRemove));
        figure("ipvs.remove_all.ipvsadm_C_flush_ms", median(rsFlush));
        ratio("ipvs.remove_all.speedup_vs_ipvsadm_R", median(rsRemove) / median(lbRemove));
        lastRatio = ra / la;
    }

    static double lastRatio;

    static void scale(Ipvs ipvs, int services, int reals) {
        Configuration c = configuration(services, reals);
        ipvs.flush();
        try (IpvsDataplane d = IpvsDataplane.builder().build()) {
            d.ipvs();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            d.apply(fromEmpty(c));
            figure("ipvs.scale.cold_apply_ms", ms(System.nanoTime() - t0));
            // the kernel handles netlink requests in the sender's system call, so this includes its work
            figure("ipvs.scale.cold_apply_thread_cpu_ms", ms(THREADS.getCurrentThreadCpuTime() - c0));
            figure("ipvs.scale.cold_apply_changes", d.changesSent());
        }
        check(ipvs, services, reals);
        try (IpvsDataplane d = IpvsDataplane.builder().build()) {
            long m0 = d.ipvs().messagesSent();
            long t0 = System.nanoTime();
            d.apply(fromEmpty(c)); // a restarted application takes the table over
            figure("ipvs.scale.reapply_ms", ms(System.nanoTime() - t0));
            figure("ipvs.scale.reapply_changes", d.changesSent());
            figure("ipvs.scale.reapply_dump_requests", d.ipvs().messagesSent() - m0);
            expect("changes of an unchanged re-apply", d.changesSent(), 0);

            Configuration c2 = withWeight(c, services - 1, 9);
            long m1 = d.ipvs().messagesSent();
            t0 = System.nanoTime();
            ConfigurationDiff diff = ConfigurationDiff.between(c, c2);
            long t1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            d.apply(diff);
            long t2 = System.nanoTime();
            figure("ipvs.scale.one_change_apply_thread_cpu_us", (THREADS.getCurrentThreadCpuTime() - c1) / 1000.0);
            figure("ipvs.scale.one_change_ms", ms(t2 - t0));
            figure("ipvs.scale.one_change_diff_ms", ms(t1 - t0));
            figure("ipvs.scale.one_change_apply_ms", ms(t2 - t1));
            figure("ipvs.scale.one_change_changes", d.changesSent());
            figure("ipvs.scale.one_change_messages", d.ipvs().messagesSent() - m1);
            expect("changes of one weight", d.changesSent(), 1);

            // the one message alone: send and the kernel's acknowledgement
            IpvsServiceKey key = IpvsServiceKey.of(ip(vip(services - 1)), 80, dev.lbkit.api.Protocol.TCP);
            long[] rt = new long[21];
            for (int k = 0; k < rt.length; k++) {
                IpvsDestination x = IpvsDestination.of(ip(rip(services - 1, 0)), 80, ForwardingMethod.DIRECT_ROUTING,
                        10 + k, 0, 0);
                long t3 = System.nanoTime();
                d.ipvs().editDestination(key, x);
                rt[k] = System.nanoTime() - t3;
            }
            figure("ipvs.scale.one_message_round_trip_us", median(rt) * 1000);
            d.ipvs().flush();
        }
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static void check(Ipvs ipvs, int services, int reals) {
        List<IpvsService> s = ipvs.services();
        expect("services in the kernel", s.size(), services);
        expect("real servers of one service", ipvs.destinations(s.get(s.size() / 2).key()).size(), reals);
    }

    static void expect(String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": expected " + expected + " but was " + actual);
        }
    }

    /** Runs a command (stdin from {@code input} if not null) and returns its wall time in nanoseconds. */
    static long run(Path input, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lbk-ipvs-bench-out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        if (input != null) {
            pb.redirectInput(input.toFile());
        } else {
            pb.redirectInput(new File("/dev/null"));
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(Arrays.toString(command) + " did not finish in 600 s");
        }
        long t = System.nanoTime() - t0;
        String said = Files.readString(out);
        Files.delete(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(Arrays.toString(command) + " exited " + p.exitValue() + ": " + said);
        }
        return t;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The median in milliseconds. */
    static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return ms(s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
    }

    static void figure(String name, double value) {
        System.out.println("FIGURE " + name + " " + format(value));
    }

    static void ratio(String name, double value) {
        System.out.println("RATIO " + name + " " + format(value));
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

}
