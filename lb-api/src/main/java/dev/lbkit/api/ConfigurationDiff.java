package dev.lbkit.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The difference between two configurations: virtual servers added, removed and changed, and for each changed
 * one, which of its fields changed and which real servers were added, removed or changed. A pure value:
 * {@link #between} has no side effect and {@code between(a, b).applyTo(a).equals(b)} holds for any {@code a},
 * {@code b}.
 *
 * <p>Identity is the label: a virtual server whose VIP changes is a change with field
 * {@link VirtualServerField#VIP} (a dataplane that cannot move a VIP in place removes and re-adds it); a real
 * server whose label changes is a removal and an addition.
 */
public final class ConfigurationDiff {
    private static final ConfigurationDiff EMPTY = new ConfigurationDiff(List.of(), List.of(), List.of());

    private final List<VirtualServer> added;
    private final List<VirtualServer> removed;
    private final List<VirtualServerChange> changed;

    private ConfigurationDiff(List<VirtualServer> added, List<VirtualServer> removed,
            List<VirtualServerChange> changed) {
        this.added = List.copyOf(added);
        this.removed = List.copyOf(removed);
        this.changed = List.copyOf(changed);
    }

    /** The diff that changes nothing. */
    public static ConfigurationDiff empty() {
        return EMPTY;
    }

    /** What turns {@code before} into {@code after}. Lists follow the configurations' insertion order. */
    public static ConfigurationDiff between(Configuration before, Configuration after) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        List<VirtualServer> added = new ArrayList<>();
        List<VirtualServer> removed = new ArrayList<>();
        List<VirtualServerChange> changed = new ArrayList<>();
        for (VirtualServer b : before.virtualServers()) {
            VirtualServer a = after.virtualServer(b.label()).orElse(null);
            if (a == null) {
                removed.add(b);
            } else if (!a.equals(b)) {
                changed.add(VirtualServerChange.between(b, a));
            }
        }
        for (VirtualServer a : after.virtualServers()) {
            if (before.virtualServer(a.label()).isEmpty()) {
                added.add(a);
            }
        }
        if (added.isEmpty() && removed.isEmpty() && changed.isEmpty()) {
            return EMPTY;
        }
        return new ConfigurationDiff(added, removed, changed);
    }

    /** Virtual servers only in the new configuration. */
    public List<VirtualServer> added() {
        return added;
    }

    /** Virtual servers only in the old configuration. */
    public List<VirtualServer> removed() {
        return removed;
    }

    /** Virtual servers in both, with different values. */
    public List<VirtualServerChange> changed() {
        return changed;
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** The diff that undoes this one. */
    public ConfigurationDiff inverse() {
        List<VirtualServerChange> inv = new ArrayList<>();
        for (VirtualServerChange c : changed) {
            inv.add(VirtualServerChange.between(c.after(), c.before()));
        }
        return new ConfigurationDiff(removed, added, inv);
    }

    /**
     * Applies this diff to {@code base}: removed virtual servers go, changed ones are replaced in place, added
     * ones are appended.
     *
     * @throws IllegalStateException when {@code base} lacks a virtual server this diff removes or changes, or
     *                               already has one it adds
     */
    public Configuration applyTo(Configuration base) {
        Map<String, VirtualServer> result = new LinkedHashMap<>();
        for (VirtualServer v : base.virtualServers()) {
            result.put(v.label(), v);
        }
        for (VirtualServer r : removed) {
            if (result.remove(r.label()) == null) {
                throw new IllegalStateException("diff removes virtual server '" + r.label() + "', which is absent");
            }
        }
        for (VirtualServerChange c : changed) {
            if (!result.containsKey(c.label())) {
                throw new IllegalStateException("diff changes virtual server '" + c.label() + "', which is absent");
            }
            result.put(c.label(), c.applyTo(result.get(c.label())));
        }
        for (VirtualServer a : added) {
            if (result.putIfAbsent(a.label(), a) != null) {
                throw new IllegalStateException("diff adds virtual server '" + a.label() + "', which is present");
            }
        }
        return Configuration.builder().addAll(result.values()).build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConfigurationDiff)) {
            return false;
        }
        ConfigurationDiff d = (ConfigurationDiff) o;
        return added.equals(d.added) && removed.equals(d.removed) && changed.equals(d.changed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(added, removed, changed);
    }

    /** One line per change, e.g. {@code + web}, {@code - old}, {@code ~ api: SCHEDULER; ~rs app1: WEIGHT}. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "(no change)";
        }
        StringBuilder s = new StringBuilder();
        added.forEach(v -> s.append("+ ").append(v.describe()).append('\n'));
        removed.forEach(v -> s.append("- ").append(v.describe()).append('\n'));
        changed.forEach(c -> s.append("~ ").append(c).append('\n'));
        return s.substring(0, s.length() - 1);
    }

    /** The fields of a virtual server that a change can touch. */
    public enum VirtualServerField {
        VIP, FORWARDING_METHOD, SCHEDULER, PERSISTENCE, HEALTH_CHECK, REAL_SERVERS, FALLBACK, CONNECT_TIMEOUT,
        IDLE_TIMEOUT,
        /** The {@link HttpRoute}s of an HTTP virtual server. */
        ROUTES
    }

    /** The fields of a real server that a change can touch. */
    public enum RealServerField {
        ADDRESS, PORT, WEIGHT, MIN_CONNECTIONS, MAX_CONNECTIONS, FORWARDING_METHOD, REQUESTED_STATUS
    }

    /**
     * A changed virtual server.
     *
     * @param before             the old value
     * @param after              the new value (same label)
     * @param fields             which fields differ; {@code REAL_SERVERS} when any real server was added,
     *                           removed or changed
     * @param addedRealServers   real servers only in {@code after}
     * @param removedRealServers real servers only in {@code before}
     * @param changedRealServers real servers in both with different values
     */
    public record VirtualServerChange(VirtualServer before, VirtualServer after, Set<VirtualServerField> fields,
            List<RealServer> addedRealServers, List<RealServer> removedRealServers,
            List<RealServerChange> changedRealServers) {

        public VirtualServerChange {
            fields = Collections.unmodifiableSet(fields.isEmpty() ? EnumSet.noneOf(VirtualServerField.class)
                    : EnumSet.copyOf(fields));
            addedRealServers = List.copyOf(addedRealServers);
            removedRealServers = List.copyOf(removedRealServers);
            changedRealServers = List.copyOf(changedRealServers);
        }

        static VirtualServerChange between(VirtualServer b, VirtualServer a) {
            Set<VirtualServerField> f = EnumSet.noneOf(VirtualServerField.class);
            if (!Objects.equals(b.vip(), a.vip()) || b.isPool() != a.isPool()) {
                f.add(VirtualServerField.VIP);
            }
            if (b.forwardingMethod() != a.forwardingMethod()) {
                f.add(VirtualServerField.FORWARDING_METHOD);
            }
            if (b.scheduler() != a.scheduler()) {
                f.add(VirtualServerField.SCHEDULER);
            }
            if (!b.persistence().equals(a.persistence())) {
                f.add(VirtualServerField.PERSISTENCE);
            }
            if (!b.healthCheck().equals(a.healthCheck())) {
                f.add(VirtualServerField.HEALTH_CHECK);
            }
            if (!b.fallback().equals(a.fallback())) {
                f.add(VirtualServerField.FALLBACK);
            }
            if (!b.connectTimeout().equals(a.connectTimeout())) {
                f.add(VirtualServerField.CONNECT_TIMEOUT);
            }
            if (!b.idleTimeout().equals(a.idleTimeout())) {
                f.add(VirtualServerField.IDLE_TIMEOUT);
            }
            if (!b.routes().equals(a.routes())) {
                f.add(VirtualServerField.ROUTES);
            }
            List<RealServer> added = new ArrayList<>();
            List<RealServer> removed = new ArrayList<>();
            List<RealServerChange> changed = new ArrayList<>();
            for (RealServer r : b.realServers()) {
                RealServer n = a.realServer(r.label()).orElse(null);
                if (n == null) {
                    removed.add(r);
                } else if (!n.equals(r)) {
                    changed.add(RealServerChange.between(r, n));
                }
            }
            for (RealServer r : a.realServers()) {
                if (b.realServer(r.label()).isEmpty()) {
                    added.add(r);
                }
            }
            if (!added.isEmpty() || !removed.isEmpty() || !changed.isEmpty()) {
                f.add(VirtualServerField.REAL_SERVERS);
            }
            return new VirtualServerChange(b, a, f, added, removed, changed);
        }

        /** The label, the same before and after. */
        public String label() {
            return after.label();
        }

        /** True when only real servers changed (a dataplane can then leave the service itself alone). */
        public boolean onlyRealServersChanged() {
            return fields.equals(EnumSet.of(VirtualServerField.REAL_SERVERS));
        }

        /**
         * Rebuilds the new value from {@code base} and the parts of this change (not from {@link #after()}
         * alone): the service fields come from {@code after}, real servers from {@code base} with this change's
         * removals, replacements and additions.
         */
        VirtualServer applyTo(VirtualServer base) {
            Map<String, RealServer> rs = new LinkedHashMap<>();
            base.realServers().forEach(r -> rs.put(r.label(), r));
            removedRealServers.forEach(r -> rs.remove(r.label()));
            changedRealServers.forEach(c -> rs.put(c.after().label(), c.after()));
            addedRealServers.forEach(r -> rs.put(r.label(), r));
            return after.toBuilder().realServers(rs.values()).build();
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(after.describe()).append(": ").append(fields);
            addedRealServers.forEach(r -> s.append("; +rs ").append(r.label()));
            removedRealServers.forEach(r -> s.append("; -rs ").append(r.label()));
            changedRealServers.forEach(c -> s.append("; ~rs ").append(c.after().label()).append(' ').append(c.fields()));
            return s.toString();
        }
    }

    /**
     * A changed real server.
     *
     * @param before the old value
     * @param after  the new value (same label)
     * @param fields which fields differ
     */
    public record RealServerChange(RealServer before, RealServer after, Set<RealServerField> fields) {
        public RealServerChange {
            fields = Collections.unmodifiableSet(fields.isEmpty() ? EnumSet.noneOf(RealServerField.class)
                    : EnumSet.copyOf(fields));
        }

        static RealServerChange between(RealServer b, RealServer a) {
            Set<RealServerField> f = EnumSet.noneOf(RealServerField.class);
            if (!b.address().equals(a.address())) {
                f.add(RealServerField.ADDRESS);
            }
            if (b.port() != a.port()) {
                f.add(RealServerField.PORT);
            }
            if (b.weight() != a.weight()) {
                f.add(RealServerField.WEIGHT);
            }
            if (b.minConnections() != a.minConnections()) {
                f.add(RealServerField.MIN_CONNECTIONS);
            }
            if (b.maxConnections() != a.maxConnections()) {
                f.add(RealServerField.MAX_CONNECTIONS);
            }
            if (!b.forwardingMethod().equals(a.forwardingMethod())) {
                f.add(RealServerField.FORWARDING_METHOD);
            }
            if (b.requestedStatus() != a.requestedStatus()) {
                f.add(RealServerField.REQUESTED_STATUS);
            }
            return new RealServerChange(b, a, f);
        }
    }
}
