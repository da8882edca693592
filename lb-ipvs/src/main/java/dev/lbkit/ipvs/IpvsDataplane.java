package dev.lbkit.ipvs;

import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.Dataplane;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStats;
import dev.lbkit.netlink.MessageWriter;
import dev.lbkit.netlink.NetlinkException;
import dev.lbkit.netlink.NetlinkSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The kernel fast path: {@link ForwardingMethod#DIRECT_ROUTING}, {@link ForwardingMethod#NAT} and
 * {@link ForwardingMethod#TUNNEL} virtual servers run in the Linux kernel's IPVS, driven over generic netlink
 * (no {@code ipvsadm}, no libnl).
 *
 * <h2>Reconciling</h2>
 * {@link #apply} folds the diff into the configuration this dataplane runs, reads the kernel's table (one dump
 * of the services, and one of the destinations of each virtual server the diff adds, changes or removes; for a
 * diff of a few virtual servers, one request for each of their services instead of the dump of all), computes
 * the minimal set of changes for those and sends only them, batched into few datagrams. One changed weight
 * therefore costs two requests and one message however large the table is. {@link #reconcile()} compares
 * every virtual server (one destination dump each) and repairs drift. Re-applying an unchanged configuration
 * sends no change. Entries lbkit did not create are left alone: a kernel service whose VIP no
 * virtual server of this dataplane has (now or since it was created) is never touched, unless
 * {@link Builder#ownsTable(boolean)} makes lbkit the owner of the whole table. Within a virtual server lbkit
 * runs, the destinations are exactly its real servers (plus the fallback server when no real server has a
 * weight above 0, as ldirectord does).
 *
 * <p>Effective configurations arrive as {@link Dataplane} describes: weight 0 (drain, offline) becomes IPVS
 * weight 0, which quiesces the real server (no new connections; live ones finish). A removed real server is
 * deleted from the kernel; IPVS then keeps its live connections until they expire (see the kernel's
 * {@code expire_nodest_conn} sysctl).
 *
 * <h2>Errors</h2>
 * Invalid combinations are rejected before the kernel sees anything, naming the virtual server and field. A
 * kernel refusal names the virtual server, what was being done and the kernel's reason, e.g.
 * {@code virtual server 'web' (10.0.0.1:80/tcp): adding the service (scheduler wlc): File exists (EEXIST)}; the
 * changes of that apply that took effect are then undone (by reconciling the touched services back to what was
 * read before). A kernel without IPVS, or a process without CAP_NET_ADMIN, gives one
 * {@link DataplaneException} saying so (after trying {@code modprobe ip_vs}).
 *
 * <h2>Lifecycle and threads</h2>
 * The public constructor (used by {@link java.util.ServiceLoader}) touches nothing: the netlink socket opens on
 * the first {@link #apply}, {@link #stats} with something applied, or {@link #ipvs()}. No thread is started.
 * {@link #apply}, {@link #stats} and the other methods are serialised on one lock. {@link #close()} closes the
 * socket and leaves the kernel's table as it is (IPVS keeps forwarding; a new dataplane takes it over).
 */
public final class IpvsDataplane implements Dataplane {
    /** Up to this many services compared, apply asks for each alone instead of dumping every service. */
    private static final int SMALL_SCOPE = 8;

    private final String name;
    private final boolean ownsTable;
    private final IpvsOptions defaultOptions;
    private final Map<String, IpvsOptions> options = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Map<String, VirtualServer> running = new LinkedHashMap<>();
    private final Map<String, DesiredService> desired = new LinkedHashMap<>();
    /** Services this dataplane has run: its own to delete when they are no longer desired. */
    private final Set<IpvsServiceKey> managed = new HashSet<>();
    private Ipvs ipvs;
    private long changesSent;
    private boolean closed;

    /** A dataplane with the defaults of {@link Builder}; found by {@link java.util.ServiceLoader}. */
    public IpvsDataplane() {
        this(builder());
    }

    private IpvsDataplane(Builder b) {
        this.name = b.name;
        this.ownsTable = b.ownsTable;
        this.defaultOptions = b.defaultOptions;
        this.options.putAll(b.options);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<ForwardingMethod> forwardingMethods() {
        return EnumSet.of(ForwardingMethod.DIRECT_ROUTING, ForwardingMethod.NAT, ForwardingMethod.TUNNEL);
    }

    /** The IPVS options of a virtual server: those set for its label, else the defaults. */
    public IpvsOptions options(String virtualServer) {
        return options.getOrDefault(virtualServer, defaultOptions);
    }

    /**
     * Sets the IPVS options of a virtual server by label (null: back to the defaults). When it runs, the
     * kernel is reconciled at once.
     *
     * @throws DataplaneException as {@link #apply}
     */
    public void setOptions(String virtualServer, IpvsOptions newOptions) {
        Objects.requireNonNull(virtualServer, "virtualServer");
        synchronized (lock) {
            IpvsOptions old = options(virtualServer);
            if (newOptions == null) {
                options.remove(virtualServer);
            } else {
                options.put(virtualServer, newOptions);
            }
            if (running.containsKey(virtualServer)) {
                try {
                    reconcile(new LinkedHashMap<>(running), Set.of(), Set.of(virtualServer));
                } catch (RuntimeException e) {
                    options.put(virtualServer, old);
                    throw e;
                }
            }
        }
    }

    /** Messages that changed the kernel's table so far (dumps not counted). */
    public long changesSent() {
        synchronized (lock) {
            return changesSent;
        }
    }

    /**
     * The IPVS client this dataplane uses (opened on first use), for timeouts, counters and reading the table.
     *
     * @throws DataplaneException when IPVS is not available
     */
    public Ipvs ipvs() {
        synchronized (lock) {
            return open();
        }
    }

    @Override
    public void apply(ConfigurationDiff diff) {
        Objects.requireNonNull(diff, "diff");
        synchronized (lock) {
            Map<String, VirtualServer> next = new LinkedHashMap<>(running);
            Set<IpvsServiceKey> leaving = new HashSet<>();
            Set<String> touched = new HashSet<>();
            for (VirtualServer v : diff.removed()) {
                next.remove(v.label());
                leaving.add(IpvsServiceKey.of(v.vip()));
            }
            for (ConfigurationDiff.VirtualServerChange c : diff.changed()) {
                next.put(c.label(), c.after());
                leaving.add(IpvsServiceKey.of(c.before().vip()));
                touched.add(c.label());
            }
            for (VirtualServer v : diff.added()) {
                next.put(v.label(), v);
                touched.add(v.label());
            }
            reconcile(next, leaving, touched);
        }
    }

    /**
     * Reads the kernel's table again and repairs any drift from the configuration this dataplane runs (e.g. a
     * service someone deleted with {@code ipvsadm}).
     *
     * @throws DataplaneException as {@link #apply}
     */
    public void reconcile() {
        synchronized (lock) {
            reconcile(new LinkedHashMap<>(running), Set.of(), null);
        }
    }

    /**
     * Makes the kernel match {@code next}. With {@code scope} null every service is compared (a full read: one
     * dump of the services and one of the destinations of each); otherwise only the virtual servers labelled
     * in {@code scope} and the services in {@code leaving} (one dump of the services, one of the destinations
     * of each of those), so that a one-weight change reads two dumps and sends one message whatever the size of
     * the table.
     */
    private void reconcile(Map<String, VirtualServer> next, Set<IpvsServiceKey> leaving, Set<String> scope) {
        if (closed) {
            throw new IllegalStateException("dataplane '" + name + "' is closed");
        }
        Map<String, DesiredService> nextDesired = translate(next.values(), scope);
        Ipvs client = open();
        Set<IpvsServiceKey> wanted = new HashSet<>();
        nextDesired.values().forEach(d -> wanted.add(d.key()));
        Set<IpvsServiceKey> deletable = new HashSet<>(managed);
        deletable.addAll(leaving);
        Set<IpvsServiceKey> compared;
        List<DesiredService> target;
        if (scope == null) {
            compared = null;
            target = new ArrayList<>(nextDesired.values());
        } else {
            compared = new HashSet<>(leaving);
            deletable.forEach(k -> {
                if (!wanted.contains(k)) {
                    compared.add(k);
                }
            });
            target = new ArrayList<>();
            for (String label : scope) {
                DesiredService d = nextDesired.get(label);
                if (d != null) {
                    target.add(d);
                    compared.add(d.key());
                }
            }
        }
        // A service of ours that this apply deletes needs no destination dump: should the apply fail, it is
        // restored as last applied (reading 1,000 dumps to delete 1,000 services would double the cost).
        Map<IpvsServiceKey, DesiredService> leavingOurs = new HashMap<>();
        for (DesiredService d : desired.values()) {
            if (!wanted.contains(d.key())) {
                leavingOurs.put(d.key(), d);
            }
        }
        Map<IpvsServiceKey, IpvsEntry> before;
        try {
            if (compared != null && !ownsTable && compared.size() <= SMALL_SCOPE) {
                // a small diff on a table of any size: ask for those services alone, not for a dump of all
                before = readOnly(client, compared, k -> !leavingOurs.containsKey(k));
            } else {
                // destinations of what is compared, and of what may be deleted (to restore it on a failure)
                before = read(client, k -> !leavingOurs.containsKey(k) && (compared == null
                        ? wanted.contains(k) || ownsTable || deletable.contains(k)
                        : compared.contains(k) || (ownsTable && !wanted.contains(k))));
            }
        } catch (NetlinkException e) {
            throw new DataplaneException(null, "IPVS: reading the table: " + e.getMessage(), e);
        }
        for (Map.Entry<IpvsServiceKey, IpvsEntry> e : before.entrySet()) {
            DesiredService was = leavingOurs.get(e.getKey());
            if (was != null) {
                e.setValue(new IpvsEntry(e.getValue().service(), List.copyOf(was.destinations().values())));
            }
        }
        if (ownsTable) {
            deletable.addAll(before.keySet());
        }
        Map<IpvsServiceKey, IpvsEntry> kernel = before;
        if (compared != null) {
            kernel = new LinkedHashMap<>();
            for (Map.Entry<IpvsServiceKey, IpvsEntry> e : before.entrySet()) {
                if (compared.contains(e.getKey()) || !wanted.contains(e.getKey())) {
                    kernel.put(e.getKey(), e.getValue());
                }
            }
        }
        List<Change> plan = Plan.compute(target, kernel, deletable);
        if (!plan.isEmpty()) {
            send(client, plan, before);
        }
        running.clear();
        running.putAll(next);
        desired.clear();
        desired.putAll(nextDesired);
        managed.removeAll(deletable);
        managed.addAll(wanted);
    }

    /**
     * The kernel form of every virtual server; those outside {@code scope} (null: none) that are the very
     * instance already running keep their earlier translation, so a small diff costs little on a large table.
     */
    private Map<String, DesiredService> translate(Collection<VirtualServer> vss, Set<String> scope) {
        Map<String, DesiredService> out = new LinkedHashMap<>();
        Map<IpvsServiceKey, String> keys = new HashMap<>();
        for (VirtualServer v : vss) {
            DesiredService d = scope == null || scope.contains(v.label()) || running.get(v.label()) != v ? null
                    : desired.get(v.label());
            try {
                if (d == null) {
                    d = DesiredService.of(v, options(v.label()));
                }
            } catch (IllegalArgumentException e) {
                throw new DataplaneException(v.label(), v.describe() + ": " + e.getMessage(), e);
            }
            String other = keys.putIfAbsent(d.key(), v.label());
            if (other != null) {
                throw new DataplaneException(v.label(), v.describe() + ": vip: IPVS service " + d.key()
                        + " is also virtual server '" + other + "'");
            }
            out.put(v.label(), d);
        }
        return out;
    }

    /** Each of {@code keys} that the kernel has (one request each), with its destinations (one dump each). */
    private static Map<IpvsServiceKey, IpvsEntry> readOnly(Ipvs client, Set<IpvsServiceKey> keys,
            Predicate<IpvsServiceKey> withDestinations) {
        Map<IpvsServiceKey, IpvsEntry> out = new LinkedHashMap<>();
        for (IpvsServiceKey k : keys) {
            client.service(k).ifPresent(s -> out.put(k, new IpvsEntry(s,
                    withDestinations.test(k) ? client.destinations(k) : List.of())));
        }
        return out;
    }

    /** Services (one dump) and the destinations of those in {@code withDestinations}. */
    private static Map<IpvsServiceKey, IpvsEntry> read(Ipvs client, Set<IpvsServiceKey> withDestinations) {
        return read(client, withDestinations::contains);
    }

    /** Services (one dump) and the destinations (one dump each) of those {@code withDestinations} accepts. */
    private static Map<IpvsServiceKey, IpvsEntry> read(Ipvs client, Predicate<IpvsServiceKey> withDestinations) {
        Map<IpvsServiceKey, IpvsEntry> out = new LinkedHashMap<>();
        for (IpvsService s : client.services()) {
            List<IpvsDestination> d = withDestinations.test(s.key()) ? client.destinations(s.key()) : List.of();
            out.put(s.key(), new IpvsEntry(s, d));
        }
        return out;
    }

    private void send(Ipvs client, List<Change> plan, Map<IpvsServiceKey, IpvsEntry> before) {
        List<NetlinkSocket.Failure> failures;
        try {
            failures = client.sendBatch(write(client, plan));
        } catch (NetlinkException e) {
            changesSent += plan.size();
            rollBack(client, plan, before);
            throw new DataplaneException(null, "IPVS: sending " + plan.size() + " changes: " + e.getMessage()
                    + "; rolled back", e);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException(null, "IPVS: " + e.getMessage(), e);
        }
        changesSent += plan.size();
        if (failures.isEmpty()) {
            return;
        }
        NetlinkSocket.Failure first = failures.get(0);
        Change c = plan.get(first.index());
        String reason = NetlinkException.of("x", first.errno(), first.kernelMessage()).reason();
        String rollback;
        try {
            rollBack(client, plan, before);
            rollback = "the other changes of this apply were undone";
        } catch (RuntimeException e) {
            rollback = "undoing the other changes failed too: " + e.getMessage();
        }
        throw new DataplaneException(c.owner() == null ? null : c.owner().label(), c.subject() + ": " + c.describe()
                + ": " + reason + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "") + "; "
                + rollback);
    }

    /** Reconciles every service the plan touched back to what was read before it. */
    private void rollBack(Ipvs client, List<Change> plan, Map<IpvsServiceKey, IpvsEntry> before) {
        Set<IpvsServiceKey> touched = new HashSet<>();
        plan.forEach(c -> touched.add(c.key()));
        List<DesiredService> target = new ArrayList<>();
        Set<IpvsServiceKey> deletable = new HashSet<>();
        for (IpvsServiceKey k : touched) {
            IpvsEntry was = before.get(k);
            if (was == null) {
                deletable.add(k);
            } else {
                target.add(DesiredService.of(was, null, null));
            }
        }
        Map<IpvsServiceKey, IpvsEntry> now = read(client, touched);
        now.keySet().retainAll(touched);
        List<Change> undo = Plan.compute(target, now, deletable);
        if (!undo.isEmpty()) {
            changesSent += undo.size();
            List<NetlinkSocket.Failure> f = client.sendBatch(write(client, undo));
            if (!f.isEmpty()) {
                Change c = undo.get(f.get(0).index());
                throw NetlinkException.of(c.subject() + ": " + c.describe(), f.get(0).errno(), f.get(0).kernelMessage());
            }
        }
    }

    private static MessageWriter write(Ipvs client, List<Change> plan) {
        MessageWriter w = new MessageWriter(Math.max(256, plan.size() * 96));
        for (Change c : plan) {
            c.write(w, client.familyId());
        }
        return w;
    }

    private Ipvs open() {
        if (closed) {
            throw new IllegalStateException("dataplane '" + name + "' is closed");
        }
        if (ipvs == null) {
            try {
                ipvs = Ipvs.open();
            } catch (NetlinkException e) {
                throw new DataplaneException(null, e.getMessage(), e);
            }
        }
        return ipvs;
    }

    /**
     * Counters of the virtual servers this dataplane runs, read from the kernel (the kernel's estimator updates
     * byte and packet counters about every 2 s). Empty, without touching the kernel, when nothing runs.
     *
     * @throws DataplaneException when the table cannot be read
     */
    @Override
    public Map<String, VirtualServerStats> stats() {
        synchronized (lock) {
            if (desired.isEmpty() || closed) {
                return Map.of();
            }
            Map<IpvsServiceKey, DesiredService> byKey = new HashMap<>();
            desired.values().forEach(d -> byKey.put(d.key(), d));
            Map<IpvsServiceKey, IpvsEntry> table;
            try {
                table = read(open(), byKey.keySet());
            } catch (NetlinkException e) {
                throw new DataplaneException(null, "IPVS: reading counters: " + e.getMessage(), e);
            }
            Map<String, VirtualServerStats> out = new LinkedHashMap<>();
            for (IpvsEntry e : table.values()) {
                DesiredService d = byKey.get(e.service().key());
                if (d == null) {
                    continue;
                }
                Map<String, TrafficStats> rs = new HashMap<>();
                long active = 0;
                long inactive = 0;
                for (IpvsDestination x : e.destinations()) {
                    String label = d.destLabels().get(x.key());
                    active += x.activeConnections();
                    inactive += x.inactiveConnections();
                    if (label != null) {
                        rs.put(label, traffic(x.activeConnections(), x.inactiveConnections(), x.stats()));
                    }
                }
                out.put(d.label(), new VirtualServerStats(traffic(active, inactive, e.service().stats()), rs));
            }
            return out;
        }
    }

    private static TrafficStats traffic(long active, long inactive, IpvsStats s) {
        return new TrafficStats(active, inactive, s.connections(), s.packetsIn(), s.packetsOut(), s.bytesIn(),
                s.bytesOut());
    }

    /** Closes the netlink socket; the kernel's table stays as it is. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (ipvs != null) {
                ipvs.close();
                ipvs = null;
            }
        }
    }

    @Override
    public String toString() {
        return "IpvsDataplane{" + name + (ownsTable ? ", owns the table" : "") + '}';
    }

    /** Builds an {@link IpvsDataplane}. Not thread-safe. */
    public static final class Builder {
        private String name = "ipvs";
        private boolean ownsTable;
        private IpvsOptions defaultOptions = IpvsOptions.defaults();
        private final Map<String, IpvsOptions> options = new HashMap<>();

        private Builder() {}

        /** The dataplane's name in messages and status (default {@code ipvs}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * When true, lbkit owns the kernel's whole IPVS table and deletes every service that none of its virtual
         * servers has (default false: services lbkit did not create are left alone).
         */
        public Builder ownsTable(boolean ownsTable) {
            this.ownsTable = ownsTable;
            return this;
        }

        /** The options of virtual servers that have none of their own. */
        public Builder defaultOptions(IpvsOptions o) {
            this.defaultOptions = Objects.requireNonNull(o, "defaultOptions");
            return this;
        }

        /** The options of one virtual server, by label. */
        public Builder options(String virtualServer, IpvsOptions o) {
            options.put(Objects.requireNonNull(virtualServer, "virtualServer"), Objects.requireNonNull(o, "options"));
            return this;
        }

        public IpvsDataplane build() {
            return new IpvsDataplane(this);
        }
    }
}
