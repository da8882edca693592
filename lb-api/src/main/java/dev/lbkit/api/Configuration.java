package dev.lbkit.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole desired state: a set of virtual servers with unique labels and unique VIPs. Every
 * {@link HttpRoute} of an HTTP virtual server names a {@linkplain VirtualServer#isPool() pool} of the same
 * configuration ({@link Builder#build()} checks; {@link #with} does not, so that a configuration can be assembled
 * one virtual server at a time).
 *
 * <p>Guarantees: immutable and thread-safe; null-hostile (builders reject nulls with a message); iteration
 * follows insertion order, so diffs and printed output are stable; equality ignores that order (two
 * configurations are equal when they hold equal virtual servers under the same labels).
 */
public final class Configuration {
    private static final Configuration EMPTY = new Configuration(new LinkedHashMap<>());

    private final Map<String, VirtualServer> virtualServers;

    private Configuration(Map<String, VirtualServer> virtualServers) {
        this.virtualServers = Collections.unmodifiableMap(virtualServers);
    }

    /** The configuration with no virtual server. */
    public static Configuration empty() {
        return EMPTY;
    }

    /**
     * A configuration of these virtual servers.
     *
     * @throws IllegalArgumentException when two share a label or a VIP
     */
    public static Configuration of(VirtualServer... virtualServers) {
        return builder().addAll(List.of(virtualServers)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().addAll(virtualServers.values());
    }

    /** The virtual servers in insertion order. */
    public List<VirtualServer> virtualServers() {
        return List.copyOf(virtualServers.values());
    }

    /** The virtual server with this label, if any. */
    public Optional<VirtualServer> virtualServer(String label) {
        return Optional.ofNullable(virtualServers.get(label));
    }

    /** A copy with {@code virtualServer} added, or replacing the one with the same label in place. */
    public Configuration with(VirtualServer virtualServer) {
        Builder b = new Builder();
        boolean replaced = false;
        for (VirtualServer v : virtualServers.values()) {
            if (v.label().equals(virtualServer.label())) {
                b.add(virtualServer);
                replaced = true;
            } else {
                b.add(v);
            }
        }
        if (!replaced) {
            b.add(virtualServer);
        }
        return b.build(false);
    }

    /** A copy without the virtual server of this label (the same value when there is none). */
    public Configuration without(String label) {
        if (!virtualServers.containsKey(label)) {
            return this;
        }
        Builder b = new Builder();
        virtualServers.values().stream().filter(v -> !v.label().equals(label)).forEach(b::add);
        return b.build();
    }

    public boolean isEmpty() {
        return virtualServers.isEmpty();
    }

    public int size() {
        return virtualServers.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Configuration && virtualServers.equals(((Configuration) o).virtualServers);
    }

    @Override
    public int hashCode() {
        return virtualServers.hashCode();
    }

    @Override
    public String toString() {
        return "Configuration" + virtualServers.values();
    }

    /** Builds a {@link Configuration}; {@link #build()} checks labels and VIPs are unique. Not thread-safe. */
    public static final class Builder {
        private final List<VirtualServer> virtualServers = new ArrayList<>();

        private Builder() {}

        public Builder add(VirtualServer virtualServer) {
            virtualServers.add(Validation.notNull(virtualServer, "virtual server"));
            return this;
        }

        public Builder addAll(Collection<VirtualServer> virtualServers) {
            virtualServers.forEach(this::add);
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException naming both virtual servers when two share a label or a VIP, or the
         *                                  route and pool when a route targets a missing pool or a virtual server
         *                                  that is not a pool
         */
        public Configuration build() {
            return build(true);
        }

        private Configuration build(boolean checkRoutes) {
            Map<String, VirtualServer> byLabel = new LinkedHashMap<>();
            Map<Vip, VirtualServer> byVip = new HashMap<>();
            for (VirtualServer v : virtualServers) {
                VirtualServer sameLabel = byLabel.putIfAbsent(v.label(), v);
                Validation.check(sameLabel == null, "configuration: virtual server label '%s' is used twice (%s and %s)",
                        v.label(), sameLabel == null ? "" : sameLabel.vip(), v.vip());
                if (v.isPool()) {
                    continue;
                }
                VirtualServer sameVip = byVip.putIfAbsent(v.vip(), v);
                Validation.check(sameVip == null, "configuration: virtual servers '%s' and '%s' both use VIP %s",
                        sameVip == null ? "" : sameVip.label(), v.label(), v.vip());
            }
            if (checkRoutes) {
                for (VirtualServer v : virtualServers) {
                    for (HttpRoute r : v.routes()) {
                        VirtualServer target = byLabel.get(r.pool());
                        Validation.check(target != null, "configuration: %s: route '%s' targets pool '%s', which is "
                                + "not in the configuration", v.describe(), r, r.pool());
                        Validation.check(target.isPool(), "configuration: %s: route '%s' targets '%s', which is not "
                                + "a pool (build it with VirtualServer.builder(label).pool())", v.describe(), r,
                                r.pool());
                    }
                }
            }
            return byLabel.isEmpty() ? EMPTY : new Configuration(byLabel);
        }
    }
}
