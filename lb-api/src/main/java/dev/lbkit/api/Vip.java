package dev.lbkit.api;

import java.net.InetAddress;
import java.util.Locale;

/**
 * What clients connect to: an address, port and protocol, or a firewall mark (a set of packets marked by
 * netfilter, served by IPVS as one virtual service).
 *
 * <p>Accepted textual forms ({@link #parse}): {@code 10.0.0.1:80/tcp}, {@code [2001:db8::1]:443/tcp},
 * {@code 10.0.0.1:53/udp}, {@code fwmark:12} (IPv4) and {@code fwmark:12/ipv6}. Only IP literals are accepted;
 * no name is ever looked up.
 */
public sealed interface Vip permits Vip.Socket, Vip.FirewallMark {

    /** The address family of the traffic this VIP receives. */
    IpFamily family();

    /** An address, port and protocol. Port 0 means every port (IPVS persistent services only). */
    static Socket of(InetAddress address, int port, Protocol protocol) {
        return new Socket(address, port, protocol);
    }

    /** An IPv4 firewall-mark service. */
    static FirewallMark firewallMark(int mark) {
        return new FirewallMark(mark, IpFamily.IPV4);
    }

    /** A firewall-mark service of the given family. */
    static FirewallMark firewallMark(int mark, IpFamily family) {
        return new FirewallMark(mark, family);
    }

    /**
     * Parses one of the forms listed on this interface.
     *
     * @throws IllegalArgumentException naming the text when it is not one of them
     */
    static Vip parse(String text) {
        Validation.notNull(text, "vip");
        String t = text.trim();
        try {
            if (t.regionMatches(true, 0, "fwmark:", 0, 7)) {
                String rest = t.substring(7);
                IpFamily family = IpFamily.IPV4;
                int slash = rest.indexOf('/');
                if (slash >= 0) {
                    String f = rest.substring(slash + 1).toLowerCase(Locale.ROOT);
                    Validation.check(f.equals("ipv4") || f.equals("ipv6"), "family must be ipv4 or ipv6");
                    family = f.equals("ipv4") ? IpFamily.IPV4 : IpFamily.IPV6;
                    rest = rest.substring(0, slash);
                }
                Validation.check(isDigits(rest), "mark must be decimal digits");
                return new FirewallMark(Integer.parseUnsignedInt(rest), family);
            }
            int slash = t.lastIndexOf('/');
            Validation.check(slash > 0, "protocol missing");
            Protocol protocol = Protocol.parse(t.substring(slash + 1));
            String hostPort = t.substring(0, slash);
            int colon = hostPort.lastIndexOf(':');
            Validation.check(colon > 0, "port missing");
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
                Validation.check(host.indexOf(':') >= 0, "only an IPv6 address goes in brackets");
            } else {
                Validation.check(host.indexOf(':') < 0, "an IPv6 address must be in brackets");
            }
            String portText = hostPort.substring(colon + 1);
            Validation.check(isDigits(portText) && portText.length() <= 5, "port must be decimal digits");
            int port = Integer.parseInt(portText);
            return new Socket(Addresses.parseLiteral(host), port, protocol);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vip must look like 10.0.0.1:80/tcp, [2001:db8::1]:443/tcp or "
                    + "fwmark:12 but was '" + text + "' (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A VIP that is an address, a port and a protocol. */
    record Socket(InetAddress address, int port, Protocol protocol) implements Vip {
        public Socket {
            Validation.notNull(address, "vip address");
            Validation.notNull(protocol, "vip protocol");
            Validation.range(port, 0, 65535, "vip port");
        }

        @Override
        public IpFamily family() {
            return IpFamily.of(address);
        }

        @Override
        public String toString() {
            return Addresses.format(address, port) + "/" + protocol.shortName();
        }
    }

    /** A VIP that is a netfilter firewall mark (1..2^32-1, unsigned). */
    record FirewallMark(int mark, IpFamily family) implements Vip {
        public FirewallMark {
            Validation.check(mark != 0, "firewall mark must be 1..4294967295 but was 0");
            Validation.notNull(family, "firewall mark family");
        }

        @Override
        public String toString() {
            return "fwmark:" + Integer.toUnsignedString(mark) + (family == IpFamily.IPV6 ? "/ipv6" : "");
        }
    }
}
