package dev.lbkit.ipvs;

import dev.lbkit.api.IpFamily;
import dev.lbkit.api.Protocol;
import dev.lbkit.api.Vip;
import java.net.InetAddress;
import java.util.Objects;

/**
 * What identifies an IPVS virtual service in the kernel: family, protocol, address and port, or family and
 * firewall mark. Immutable.
 *
 * @param family       IPv4 or IPv6
 * @param protocol     TCP, UDP or SCTP; null for a firewall-mark service
 * @param address      the VIP address; null for a firewall-mark service
 * @param port         0..65535 (0 = every port, persistent services only); 0 for a firewall-mark service
 * @param firewallMark the mark (unsigned), or 0 for an address service
 */
public record IpvsServiceKey(IpFamily family, Protocol protocol, InetAddress address, int port, int firewallMark) {

    public IpvsServiceKey {
        Objects.requireNonNull(family, "family");
        if (firewallMark != 0) {
            if (protocol != null || address != null || port != 0) {
                throw new IllegalArgumentException("a firewall-mark service has no protocol, address or port");
            }
        } else {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
            if (IpFamily.of(address) != family) {
                throw new IllegalArgumentException("address " + address.getHostAddress() + " is not " + family);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535 but was " + port);
            }
        }
    }

    /** The key of a VIP. */
    public static IpvsServiceKey of(Vip vip) {
        if (vip instanceof Vip.Socket s) {
            return new IpvsServiceKey(s.family(), s.protocol(), s.address(), s.port(), 0);
        }
        Vip.FirewallMark f = (Vip.FirewallMark) vip;
        return new IpvsServiceKey(f.family(), null, null, 0, f.mark());
    }

    /** An address service. */
    public static IpvsServiceKey of(InetAddress address, int port, Protocol protocol) {
        return new IpvsServiceKey(IpFamily.of(address), protocol, address, port, 0);
    }

    /** A firewall-mark service. */
    public static IpvsServiceKey firewallMark(int mark, IpFamily family) {
        return new IpvsServiceKey(family, null, null, 0, mark);
    }

    public boolean isFirewallMark() {
        return firewallMark != 0;
    }

    /** As lbkit writes a VIP: {@code 10.0.0.1:80/tcp}, {@code [2001:db8::1]:443/tcp}, {@code fwmark:12}. */
    @Override
    public String toString() {
        if (isFirewallMark()) {
            return "fwmark:" + Integer.toUnsignedString(firewallMark) + (family == IpFamily.IPV6 ? "/ipv6" : "");
        }
        String host = address.getHostAddress();
        return (family == IpFamily.IPV6 ? "[" + host + "]" : host) + ":" + port + "/" + protocol.shortName();
    }
}
