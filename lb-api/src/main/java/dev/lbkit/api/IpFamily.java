package dev.lbkit.api;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IPv4 or IPv6. */
public enum IpFamily {
    IPV4,
    IPV6;

    /** The family of an address. */
    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
    }

    /** The longest prefix length of the family: 32 or 128. */
    public int bits() {
        return this == IPV4 ? 32 : 128;
    }
}
