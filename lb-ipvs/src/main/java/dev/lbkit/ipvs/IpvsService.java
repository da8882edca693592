package dev.lbkit.ipvs;

import dev.lbkit.api.IpFamily;
import java.util.Objects;

/**
 * An IPVS virtual service as the kernel holds it: its key, its settings and, when read back, its counters.
 *
 * @param key                the service's identity
 * @param scheduler          the scheduler's kernel name, e.g. {@code wlc}
 * @param flags              IP_VS_SVC_F_* bits (persistent 0x1, one-packet 0x4, scheduler flags 0x8/0x10/0x20);
 *                           read back, the kernel adds hashed (0x2)
 * @param timeoutSeconds     the persistence timeout; 0 when not persistent
 * @param netmask            the persistence granularity: for IPv4 the netmask as a 32-bit value
 *                           ({@code 0xffffff00} for /24), for IPv6 the prefix length 1..128
 * @param persistenceEngine  the persistence engine (only {@code sip} exists), or null
 * @param stats              the counters (zero for a service not read from the kernel)
 */
public record IpvsService(IpvsServiceKey key, String scheduler, int flags, int timeoutSeconds, int netmask,
        String persistenceEngine, IpvsStats stats) {

    public IpvsService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(scheduler, "scheduler");
        if (scheduler.isEmpty() || scheduler.length() >= IpvsAttributes.SCHEDNAME_MAXLEN) {
            throw new IllegalArgumentException("scheduler name must be 1..15 characters but was '" + scheduler + "'");
        }
        if (persistenceEngine != null && persistenceEngine.isEmpty()) {
            persistenceEngine = null;
        }
        if (key.family() == IpFamily.IPV6 && (netmask < 1 || netmask > 128)) {
            throw new IllegalArgumentException("IPv6 persistence netmask is a prefix length 1..128 but was " + netmask);
        }
        stats = stats == null ? IpvsStats.ZERO : stats;
    }

    /** A service with these settings and zero counters. */
    public static IpvsService of(IpvsServiceKey key, String scheduler, int flags, int timeoutSeconds, int netmask,
            String persistenceEngine) {
        return new IpvsService(key, scheduler, flags, timeoutSeconds, netmask, persistenceEngine, IpvsStats.ZERO);
    }

    public boolean isPersistent() {
        return (flags & IpvsAttributes.SVC_F_PERSISTENT) != 0;
    }

    /** The persistence netmask as a prefix length (IPv4 masks are converted). */
    public int prefixLength() {
        return key.family() == IpFamily.IPV6 ? netmask : Integer.bitCount(netmask);
    }

    /** True when the settings lbkit manages (scheduler, owned flags, timeout, netmask, engine) are equal. */
    public boolean sameSettings(IpvsService o) {
        return scheduler.equals(o.scheduler)
                && (flags & IpvsAttributes.SVC_F_OWNED) == (o.flags & IpvsAttributes.SVC_F_OWNED)
                && timeoutSeconds == o.timeoutSeconds && netmask == o.netmask
                && Objects.equals(persistenceEngine, o.persistenceEngine);
    }
}
