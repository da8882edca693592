package dev.lbkit.testkit;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.Dataplane;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HaState;
import dev.lbkit.api.HaStateListener;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStats;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory {@link Dataplane} for applications' own tests: it records every diff it is asked to apply,
 * keeps the configuration those diffs add up to, reports the connection counts a test sets, and can be told
 * to reject a change. It also records the HA state changes it is told of (as a {@link HaStateListener}, which
 * {@code LoadBalancer.reportHaState} forwards to). No kernel, socket or thread is involved.
 *
 * <p>It checks the {@link Dataplane} contract as it goes: a diff that removes or changes a virtual server it
 * does not have, or adds one it already has, fails the apply with {@link IllegalStateException} (a bug in
 * whoever sent it).
 *
 * <p>Thread-safe: every method is synchronised.
 */
public final class RecordingDataplane implements Dataplane, HaStateListener {
    private final String name;
    private final Set<ForwardingMethod> methods;
    private final List<ConfigurationDiff> diffs = new ArrayList<>();
    private final Map<String, Map<String, Long>> active = new HashMap<>();
    private final List<String> closedConnections = new ArrayList<>();
    private final List<String> haChanges = new ArrayList<>();
    private Configuration current = Configuration.empty();
    private String rejectVirtualServer;
    private String rejectReason;
    private boolean closed;

    /** A dataplane named {@code recording} that supports every forwarding method. */
    public RecordingDataplane() {
        this("recording", EnumSet.allOf(ForwardingMethod.class));
    }

    /** A dataplane with this name supporting these forwarding methods. */
    public RecordingDataplane(String name, Set<ForwardingMethod> methods) {
        this.name = name;
        this.methods = Set.copyOf(methods);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<ForwardingMethod> forwardingMethods() {
        return methods;
    }

    @Override
    public synchronized void apply(ConfigurationDiff diff) {
        if (closed) {
            throw new IllegalStateException("dataplane '" + name + "' is closed");
        }
        if (rejectVirtualServer != null && touches(diff, rejectVirtualServer)) {
            throw new DataplaneException(rejectVirtualServer, rejectReason);
        }
        Configuration next = diff.applyTo(current);
        diffs.add(diff);
        current = next;
    }

    private static boolean touches(ConfigurationDiff diff, String label) {
        return diff.added().stream().anyMatch(v -> v.label().equals(label))
                || diff.removed().stream().anyMatch(v -> v.label().equals(label))
                || diff.changed().stream().anyMatch(c -> c.label().equals(label));
    }

    /** Every diff applied so far, oldest first (rejected ones are not recorded). */
    public synchronized List<ConfigurationDiff> diffs() {
        return List.copyOf(diffs);
    }

    /** The newest diff applied. */
    public synchronized ConfigurationDiff lastDiff() {
        if (diffs.isEmpty()) {
            throw new IllegalStateException("dataplane '" + name + "' has applied no diff");
        }
        return diffs.get(diffs.size() - 1);
    }

    /** Forgets the recorded diffs (not the configuration). */
    public synchronized void clearDiffs() {
        diffs.clear();
    }

    /** The configuration the applied diffs add up to: what this dataplane runs. */
    public synchronized Configuration configuration() {
        return current;
    }

    /** Rejects every later diff touching this virtual server with {@link DataplaneException}. */
    public synchronized void rejectChangesTo(String virtualServer, String reason) {
        this.rejectVirtualServer = virtualServer;
        this.rejectReason = reason;
    }

    /** Accepts every diff again. */
    public synchronized void acceptAllChanges() {
        this.rejectVirtualServer = null;
        this.rejectReason = null;
    }

    /** Sets the active connections {@link #stats()} reports for a real server. */
    public synchronized void setActiveConnections(String virtualServer, String realServer, long connections) {
        active.computeIfAbsent(virtualServer, k -> new HashMap<>()).put(realServer, connections);
    }

    /** {@code vs/rs} for every {@link #closeConnections} call, oldest first. */
    public synchronized List<String> closedConnections() {
        return List.copyOf(closedConnections);
    }

    @Override
    public synchronized Map<String, VirtualServerStats> stats() {
        Map<String, VirtualServerStats> out = new LinkedHashMap<>();
        for (VirtualServer vs : current.virtualServers()) {
            Map<String, Long> perRs = active.getOrDefault(vs.label(), Map.of());
            Map<String, TrafficStats> rs = new LinkedHashMap<>();
            long total = 0;
            for (Map.Entry<String, Long> e : perRs.entrySet()) {
                rs.put(e.getKey(), new TrafficStats(e.getValue(), 0, e.getValue(), 0, 0, 0, 0));
                total += e.getValue();
            }
            out.put(vs.label(), new VirtualServerStats(new TrafficStats(total, 0, total, 0, 0, 0, 0), rs));
        }
        return out;
    }

    /** Records the call and sets the real server's active connections to 0. */
    @Override
    public synchronized boolean closeConnections(String virtualServer, String realServer) {
        closedConnections.add(virtualServer + "/" + realServer);
        setActiveConnections(virtualServer, realServer, 0);
        return true;
    }

    /** Records the change as {@code "instance FROM->TO"}. */
    @Override
    public synchronized void onHaStateChange(String instance, HaState from, HaState to, String reason) {
        haChanges.add(instance + " " + from + "->" + to);
    }

    /** The HA state changes told so far, as {@code "instance FROM->TO"}, oldest first. */
    public synchronized List<String> haChanges() {
        return List.copyOf(haChanges);
    }

    /** True once {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
