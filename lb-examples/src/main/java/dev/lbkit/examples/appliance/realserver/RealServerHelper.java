package dev.lbkit.examples.appliance.realserver;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the commands a real server needs for a forwarding method, for Linux and Windows, as the appliance
 * guides describe them: for direct routing the VIP on the loopback with ARP for it suppressed (or the iptables
 * REDIRECT alternative) and on Windows the loopback adapter with weak-host send/receive; for NAT the load
 * balancer as default gateway; for tunnelling an IP-in-IP interface holding the VIP. lbkit never runs these
 * itself: the output is for the operator (or a provisioning tool) to apply on each real server.
 *
 * <pre>
 * java -jar lbkit-appliance.jar realserver --mode dr|nat|tun --vip 10.0.0.21[:80[/tcp]] [--vip ...]
 *          [--gateway 192.168.1.1] [--os linux|windows|both] [--interface eth0]
 *          [--windows-lan net] [--windows-loopback loopback]
 * </pre>
 */
public final class RealServerHelper {
    /** A VIP as given: an address and, optionally, a port and protocol. */
    record Vip(InetAddress address, int port, String protocol) {
        boolean v6() {
            return address instanceof Inet6Address;
        }

        String ip() {
            String t = address.getHostAddress();
            int scope = t.indexOf('%');
            return scope < 0 ? t : t.substring(0, scope);
        }
    }

    /** Parsed options. */
    record Options(String mode, List<Vip> vips, String gateway, boolean linux, boolean windows, String iface,
            String windowsLan, String windowsLoopback) {}

    private RealServerHelper() {}

    /** Parses the options; every error names the option and the value. */
    public static Options parse(String[] args) {
        String mode = null;
        List<Vip> vips = new ArrayList<>();
        String gateway = null;
        String os = "both";
        String iface = "eth0";
        String lan = "net";
        String loopback = "loopback";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException(usage());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + ": a value is missing\n" + usage());
            }
            String v = args[++i];
            switch (a) {
                case "--mode":
                    mode = v.toLowerCase(Locale.ROOT);
                    if (!List.of("dr", "nat", "tun").contains(mode)) {
                        throw new IllegalArgumentException("--mode must be dr, nat or tun but was '" + v + "'");
                    }
                    break;
                case "--vip":
                    vips.add(vip(v));
                    break;
                case "--gateway":
                    literal("--gateway", v);
                    gateway = v;
                    break;
                case "--os":
                    os = v.toLowerCase(Locale.ROOT);
                    if (!List.of("linux", "windows", "both").contains(os)) {
                        throw new IllegalArgumentException("--os must be linux, windows or both but was '" + v + "'");
                    }
                    break;
                case "--interface":
                    if (!v.matches("[A-Za-z0-9._-]{1,15}")) {
                        throw new IllegalArgumentException("--interface must be a Linux interface name but was '"
                                + v + "'");
                    }
                    iface = v;
                    break;
                case "--windows-lan":
                    lan = adapter("--windows-lan", v);
                    break;
                case "--windows-loopback":
                    loopback = adapter("--windows-loopback", v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("--mode is required (dr, nat or tun)\n" + usage());
        }
        if (vips.isEmpty() && !mode.equals("nat")) {
            throw new IllegalArgumentException("--vip is required with --mode " + mode + "\n" + usage());
        }
        if (mode.equals("nat") && gateway == null) {
            throw new IllegalArgumentException("--gateway is required with --mode nat: the load balancer's address "
                    + "on the real servers' network, which becomes their default gateway");
        }
        return new Options(mode, vips, gateway, !os.equals("windows"), !os.equals("linux"), iface, lan, loopback);
    }

    static String usage() {
        return "usage: java -jar lbkit-appliance.jar realserver --mode dr|nat|tun --vip ADDRESS[:PORT[/tcp|udp]] "
                + "[--vip ...] [--gateway ADDRESS] [--os linux|windows|both] [--interface eth0] "
                + "[--windows-lan net] [--windows-loopback loopback]";
    }

    private static String adapter(String option, String v) {
        if (v.isEmpty() || v.length() > 64 || v.contains("\"")) {
            throw new IllegalArgumentException(option + " must be an adapter name without quotes but was '" + v + "'");
        }
        return v;
    }

    private static InetAddress literal(String option, String v) {
        boolean looksLiteral = v.matches("[0-9.]+") || (v.contains(":") && v.matches("[0-9A-Fa-f:.]+"));
        try {
            if (looksLiteral) {
                return InetAddress.getByName(v);
            }
        } catch (java.net.UnknownHostException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be an IP address but was '" + v + "'");
    }

    static Vip vip(String text) {
        String t = text.trim();
        String proto = "tcp";
        int slash = t.lastIndexOf('/');
        if (slash > 0) {
            proto = t.substring(slash + 1).toLowerCase(Locale.ROOT);
            if (!proto.equals("tcp") && !proto.equals("udp")) {
                throw new IllegalArgumentException("--vip protocol must be tcp or udp but was '" + text + "'");
            }
            t = t.substring(0, slash);
        }
        String host = t;
        int port = 0;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("--vip must look like 10.0.0.21, 10.0.0.21:80/tcp or [2001:db8::21]:80"
                        + " but was '" + text + "'");
            }
            host = t.substring(1, close);
            if (t.length() > close + 1) {
                port = port(text, t.substring(close + 2));
            }
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = port(text, t.substring(t.indexOf(':') + 1));
        }
        InetAddress a;
        try {
            a = literal("--vip", host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--vip must be an IP address (with an optional :PORT/PROTOCOL) but "
                    + "was '" + text + "'", e);
        }
        return new Vip(a, port, proto);
    }

    private static int port(String text, String p) {
        try {
            int v = Integer.parseInt(p);
            if (v >= 1 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--vip port must be 1..65535 but was '" + text + "'");
    }

    /** The commands for these options. */
    public static String render(Options o) {
        StringBuilder s = new StringBuilder();
        String what = switch (o.mode()) {
            case "dr" -> "direct routing (DR)";
            case "nat" -> "NAT";
            default -> "IP-in-IP tunnelling (TUN)";
        };
        s.append("# lbkit real-server set-up for ").append(what);
        if (!o.vips().isEmpty()) {
            s.append(", VIP ");
            List<String> v = new ArrayList<>();
            o.vips().forEach(x -> v.add(x.ip()));
            s.append(String.join(", ", v));
        }
        s.append("\n# Run on every real server; lbkit never changes real servers itself.\n");
        if (o.linux()) {
            s.append("\n").append(linux(o));
        }
        if (o.windows()) {
            s.append("\n").append(windows(o));
        }
        return s.toString();
    }

    private static String linux(Options o) {
        StringBuilder s = new StringBuilder("## Linux (as root; put the lines in a start-up script to keep them after "
                + "a reboot)\n");
        switch (o.mode()) {
            case "dr": {
                boolean any4 = o.vips().stream().anyMatch(v -> !v.v6());
                if (any4) {
                    s.append("# 1. Never answer ARP for the VIP (the load balancer owns it) and never announce it:\n");
                    s.append("sysctl -w net.ipv4.conf.all.arp_ignore=1\n");
                    s.append("sysctl -w net.ipv4.conf.all.arp_announce=2\n");
                    s.append("sysctl -w net.ipv4.conf.").append(o.iface()).append(".arp_ignore=1\n");
                    s.append("sysctl -w net.ipv4.conf.").append(o.iface()).append(".arp_announce=2\n");
                }
                s.append("# 2. Accept traffic for the VIP: hold it on the loopback interface (health checks keep\n"
                        + "#    using the real server's own address):\n");
                for (Vip v : o.vips()) {
                    s.append(v.v6() ? "ip -6 addr add " + v.ip() + "/128 dev lo\n"
                            : "ip addr add " + v.ip() + "/32 dev lo\n");
                }
                s.append("# Alternative to 1 and 2: redirect packets for the VIP to this host (no ARP problem then):\n");
                for (Vip v : o.vips()) {
                    s.append("# ").append(v.v6() ? "ip6tables" : "iptables").append(" -t nat -A PREROUTING -p ")
                            .append(v.protocol()).append(" -d ").append(v.ip())
                            .append(v.port() > 0 ? " --dport " + v.port() : "").append(" -j REDIRECT\n");
                }
                s.append("# Check: 'ip addr show lo' lists the VIP; the load balancer's status shows no connections\n"
                        + "# stuck inactive (SYN_RECV) for this server.\n");
                break;
            }
            case "nat":
                s.append("# The load balancer must be this server's default gateway, so that replies pass back\n"
                        + "# through it (the most common NAT mistake is a different gateway):\n");
                s.append("ip route replace default via ").append(o.gateway()).append('\n');
                s.append("# Nothing else: the VIP stays on the load balancer; the service listens on its own port.\n");
                s.append("# Check: 'ip route show default' prints 'default via ").append(o.gateway()).append("'.\n");
                break;
            default: {
                boolean any4 = o.vips().stream().anyMatch(v -> !v.v6());
                boolean any6 = o.vips().stream().anyMatch(Vip::v6);
                if (any4) {
                    s.append("# 1. An IP-in-IP interface that decapsulates what the load balancer sends:\n");
                    s.append("modprobe ipip\n");
                    s.append("ip link set tunl0 up\n");
                }
                if (any6) {
                    s.append("modprobe ip6_tunnel\n");
                    s.append("ip link set ip6tnl0 up\n");
                }
                s.append("# 2. The VIP on the tunnel interface:\n");
                for (Vip v : o.vips()) {
                    s.append(v.v6() ? "ip -6 addr add " + v.ip() + "/128 dev ip6tnl0\n"
                            : "ip addr add " + v.ip() + "/32 dev tunl0\n");
                }
                if (any4) {
                    s.append("# 3. Never answer ARP for the VIP, and accept packets that arrive on the tunnel but\n"
                            + "#    are answered on another interface (reverse-path filter off):\n");
                    s.append("sysctl -w net.ipv4.conf.tunl0.arp_ignore=1\n");
                    s.append("sysctl -w net.ipv4.conf.tunl0.arp_announce=2\n");
                    s.append("sysctl -w net.ipv4.conf.all.arp_ignore=1\n");
                    s.append("sysctl -w net.ipv4.conf.all.arp_announce=2\n");
                    s.append("sysctl -w net.ipv4.conf.tunl0.rp_filter=0\n");
                    s.append("sysctl -w net.ipv4.conf.all.rp_filter=0\n");
                }
                s.append("# Check: 'ip addr show tunl0' lists the VIP.\n");
                break;
            }
        }
        return s.toString();
    }

    private static String windows(Options o) {
        StringBuilder s = new StringBuilder("## Windows Server 2008 or later (an elevated command prompt)\n");
        String lan = '"' + o.windowsLan() + '"';
        String lo = '"' + o.windowsLoopback() + '"';
        switch (o.mode()) {
            case "dr":
                s.append("REM 1. Install the Microsoft loopback adapter (Device Manager > Action > Add legacy hardware >\n"
                        + "REM    Network adapters > Microsoft > Microsoft KM-TEST Loopback Adapter), then rename the\n"
                        + "REM    adapters to ").append(lan).append(" and ").append(lo).append(" (see them with: "
                        + "netsh interface ipv4 show interface), e.g.:\n");
                s.append("REM netsh interface set interface name=\"Ethernet 2\" newname=").append(lo).append('\n');
                s.append("REM 2. The VIP on the loopback adapter (no default gateway on it):\n");
                for (Vip v : o.vips()) {
                    if (v.v6()) {
                        s.append("netsh interface ipv6 add address ").append(lo).append(' ').append(v.ip()).append('\n');
                    } else {
                        s.append("netsh interface ipv4 add address ").append(lo).append(' ').append(v.ip())
                                .append(" 255.255.255.255\n");
                    }
                }
                s.append("REM 3. Weak host model: accept the VIP's traffic on the LAN adapter and answer from the "
                        + "loopback:\n");
                s.append("netsh interface ipv4 set interface ").append(lan).append(" weakhostreceive=enabled\n");
                s.append("netsh interface ipv4 set interface ").append(lo).append(" weakhostreceive=enabled\n");
                s.append("netsh interface ipv4 set interface ").append(lo).append(" weakhostsend=enabled\n");
                if (o.vips().stream().anyMatch(Vip::v6)) {
                    s.append("netsh interface ipv6 set interface ").append(lan).append(" weakhostreceive=enabled\n");
                    s.append("netsh interface ipv6 set interface ").append(lo).append(" weakhostreceive=enabled\n");
                    s.append("netsh interface ipv6 set interface ").append(lo).append(" weakhostsend=enabled\n");
                }
                s.append("REM 4. The firewall blocks the loopback adapter by default: allow the service:\n");
                for (Vip v : o.vips()) {
                    s.append("netsh advfirewall firewall add rule name=\"lbkit VIP ").append(v.ip()).append("\" dir=in "
                            + "action=allow protocol=").append(v.protocol().toUpperCase(Locale.ROOT))
                            .append(" localip=").append(v.ip())
                            .append(v.port() > 0 ? " localport=" + v.port() : "").append('\n');
                }
                s.append("REM Windows Server 2000/2003 instead: set the loopback adapter's interface metric to 254\n"
                        + "REM (TCP/IP > Advanced) so it does not answer ARP, and allow the port in the firewall.\n");
                break;
            case "nat":
                s.append("REM The load balancer must be the default gateway:\n");
                s.append("route delete 0.0.0.0 mask 0.0.0.0\n");
                s.append("route -p add 0.0.0.0 mask 0.0.0.0 ").append(o.gateway()).append('\n');
                s.append("REM Check: 'route print 0.0.0.0' shows ").append(o.gateway()).append(" as the gateway.\n");
                break;
            default:
                s.append("REM Windows cannot decapsulate IPVS IP-in-IP tunnels: use --mode dr (same network) or\n"
                        + "REM --mode nat for Windows real servers.\n");
                break;
        }
        return s.toString();
    }
}
