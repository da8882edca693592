package dev.lbkit.api;

import java.time.Duration;

/**
 * How a client is kept on one real server. Three kinds: {@link #none()}, {@link #sourceIp source IP} (every
 * dataplane) and {@link #cookie cookie} (the HTTP proxy only).
 */
public sealed interface PersistencePolicy permits PersistencePolicy.None, SourceIpPersistence, CookiePersistence {

    /** No persistence: every connection is scheduled afresh. */
    static None none() {
        return None.INSTANCE;
    }

    /** Source-IP persistence per client address (/32 and /128) for {@code timeout}. */
    static SourceIpPersistence sourceIp(Duration timeout) {
        return new SourceIpPersistence(timeout, 32, 128);
    }

    /**
     * Source-IP persistence per client network: clients within one IPv4 /{@code ipv4PrefixLength} or IPv6
     * /{@code ipv6PrefixLength} share a real server for {@code timeout} after their last connection.
     */
    static SourceIpPersistence sourceIp(Duration timeout, int ipv4PrefixLength, int ipv6PrefixLength) {
        return new SourceIpPersistence(timeout, ipv4PrefixLength, ipv6PrefixLength);
    }

    /** Cookie persistence with default attributes; see {@link CookiePersistence#builder}. */
    static CookiePersistence cookie(CookiePersistence.Mode mode, String name) {
        return CookiePersistence.builder(mode, name).build();
    }

    /** No persistence. */
    final class None implements PersistencePolicy {
        static final None INSTANCE = new None();

        private None() {}

        @Override
        public String toString() {
            return "none";
        }
    }
}
