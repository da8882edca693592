package dev.lbkit.api;

import java.time.Duration;

/**
 * Source-IP persistence: connections from one client network go to the same real server until
 * {@code timeout} has passed since the last one (IPVS {@code -p timeout -M netmask}).
 *
 * @param timeout          whole seconds, 1 s to 2^31-1 s
 * @param ipv4PrefixLength 1..32: clients in one such IPv4 network share a server
 * @param ipv6PrefixLength 1..128: the same for IPv6
 */
public record SourceIpPersistence(Duration timeout, int ipv4PrefixLength, int ipv6PrefixLength)
        implements PersistencePolicy {

    public SourceIpPersistence {
        Validation.positive(timeout, "persistence timeout");
        Validation.check(timeout.getNano() == 0 && timeout.getSeconds() <= Integer.MAX_VALUE,
                "persistence timeout must be whole seconds from 1 s to %d s but was %s", Integer.MAX_VALUE, timeout);
        Validation.range(ipv4PrefixLength, 1, 32, "persistence ipv4PrefixLength");
        Validation.range(ipv6PrefixLength, 1, 128, "persistence ipv6PrefixLength");
    }

    /** The prefix length for an address of this family. */
    public int prefixLength(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4PrefixLength : ipv6PrefixLength;
    }

    @Override
    public String toString() {
        return "sourceIp(" + timeout.getSeconds() + "s, /" + ipv4PrefixLength + ", /" + ipv6PrefixLength + ")";
    }
}
