package dev.lbkit.health;

import java.net.InetAddress;

/**
 * A probe's target and optional source as the kernel wants them ({@code struct sockaddr_in}/{@code _in6} bytes),
 * made once per probe so that an attempt copies bytes instead of building addresses.
 *
 * @param family AF_INET or AF_INET6, of the target
 * @param target the target's socket address (port 0 for ICMP)
 * @param source the source address to bind to (port 0), or null
 */
record Endpoint(int family, byte[] target, byte[] source) {
    static Endpoint of(ProbeKey key) {
        InetAddress src = key.check().settings().sourceAddress().orElse(null);
        return new Endpoint(Native.family(key.address()), Native.sockaddr(key.address(), key.port()),
                src == null ? null : Native.sockaddr(src, 0));
    }
}
