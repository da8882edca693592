package dev.lbkit.ha;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-alone VRRP node: one instance from the command line (or the {@code VRRP_*} environment variables of
 * the shared failover harness), running until SIGTERM/SIGINT, which is a clean stop (priority-0 advert, floating
 * IPs removed).
 *
 * <pre>
 * java dev.lbkit.ha.VrrpNodeMain --iface eth0 --vrid 51 --priority 100 --vip 10.0.0.100/24 --advert 1
 *      [--peer 10.0.0.2]... [--src 10.0.0.1] [--nopreempt] [--preempt-delay S] [--checksum pseudo|nopseudo]
 *      [--accept-either-checksum] [--garp-count N] [--garp-refresh S] [--name NAME] [--label eth0:vip]
 *      [--track IFACE[:WEIGHT]]... [--netns /run/netns/x]
 * </pre>
 *
 * Every option falls back to the harness's variable: VRRP_IFACE, VRRP_VRID, VRRP_PRIORITY, VRRP_VIP (several
 * separated by spaces or commas), VRRP_ADVERT_S, VRRP_PEER, VRRP_SRC, VRRP_PREEMPT (0 for nopreempt).
 */
public final class VrrpNodeMain {
    private VrrpNodeMain() {}

    public static void main(String[] args) throws InterruptedException {
        VrrpRouter router;
        try {
            Parsed p = parse(args, System.getenv());
            router = VrrpRouter.builder().instance(p.config).networkNamespace(p.netns).start();
        } catch (IllegalArgumentException | HaException e) {
            System.err.println("vrrp node: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            done.countDown();
        }, "lbkit-ha-shutdown"));
        done.await();
    }

    record Parsed(VrrpInstanceConfig config, String netns) {}

    /** Parses the command line with the environment as fallback; package-private for tests. */
    static Parsed parse(String[] args, Map<String, String> env) {
        Map<String, List<String>> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            boolean flag = key.equals("nopreempt") || key.equals("accept-either-checksum");
            if (flag) {
                o.computeIfAbsent(key, k -> new ArrayList<>()).add("true");
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            o.computeIfAbsent(key, k -> new ArrayList<>()).add(args[++i]);
        }
        String iface = one(o, "iface", env.get("VRRP_IFACE"));
        String name = one(o, "name", "vi_" + one(o, "vrid", env.get("VRRP_VRID")));
        VrrpInstanceConfig.Builder b = VrrpInstanceConfig.builder(name).interfaceName(iface)
                .vrid(integer("vrid", one(o, "vrid", env.get("VRRP_VRID"))))
                .priority(integer("priority", one(o, "priority", env.getOrDefault("VRRP_PRIORITY", "100"))))
                .advertInterval(seconds("advert", one(o, "advert", env.getOrDefault("VRRP_ADVERT_S", "1"))));
        List<String> vips = o.containsKey("vip") ? o.get("vip") : split(env.get("VRRP_VIP"));
        if (vips.isEmpty()) {
            throw new IllegalArgumentException("--vip (or VRRP_VIP) is required");
        }
        vips.forEach(b::virtualAddress);
        List<String> peers = o.containsKey("peer") ? o.get("peer") : split(env.get("VRRP_PEER"));
        peers.forEach(b::unicastPeer);
        String src = one(o, "src", null);
        if (src == null && !peers.isEmpty()) {
            src = env.get("VRRP_SRC");
        }
        if (src != null && !src.isBlank()) {
            b.unicastSource(src);
        }
        boolean nopreempt = o.containsKey("nopreempt") || "0".equals(env.get("VRRP_PREEMPT"));
        b.preempt(!nopreempt);
        String delay = one(o, "preempt-delay", null);
        if (delay != null) {
            b.preemptDelay(seconds("preempt-delay", delay));
        }
        String checksum = one(o, "checksum", "pseudo");
        b.checksumMode(switch (checksum) {
            case "pseudo" -> ChecksumMode.PSEUDO_HEADER;
            case "nopseudo" -> ChecksumMode.NO_PSEUDO_HEADER;
            default -> throw new IllegalArgumentException("--checksum must be pseudo or nopseudo but was '"
                    + checksum + "'");
        });
        b.acceptEitherChecksum(o.containsKey("accept-either-checksum"));
        String garpCount = one(o, "garp-count", null);
        if (garpCount != null) {
            b.garpCount(integer("garp-count", garpCount));
        }
        String refresh = one(o, "garp-refresh", null);
        if (refresh != null) {
            b.garpRefreshDelay(seconds("garp-refresh", refresh));
        }
        b.label(one(o, "label", null));
        for (String t : o.getOrDefault("track", List.of())) {
            int colon = t.indexOf(':');
            b.trackInterface(colon < 0 ? t : t.substring(0, colon),
                    colon < 0 ? 0 : integer("track", t.substring(colon + 1)));
        }
        return new Parsed(b.build(), one(o, "netns", null));
    }

    private static String one(Map<String, List<String>> o, String key, String fallback) {
        List<String> v = o.get(key);
        if (v == null) {
            return fallback;
        }
        if (v.size() > 1) {
            throw new IllegalArgumentException("option --" + key + " given " + v.size() + " times");
        }
        return v.get(0);
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (s != null) {
            for (String p : s.split("[\\s,]+")) {
                if (!p.isBlank()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static int integer(String field, String v) {
        if (v == null) {
            throw new IllegalArgumentException("--" + field + " is required");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + field + " must be a whole number but was '" + v + "'");
        }
    }

    private static Duration seconds(String field, String v) {
        if (v == null) {
            throw new IllegalArgumentException("--" + field + " is required");
        }
        try {
            return Duration.ofNanos(Math.round(Double.parseDouble(v.trim()) * 1e9 / 1e7) * 10_000_000L);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + field + " must be seconds (e.g. 0.1) but was '" + v + "'");
        }
    }
}
