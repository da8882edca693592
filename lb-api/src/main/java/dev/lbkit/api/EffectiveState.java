package dev.lbkit.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load balancer's view of health, and the rules that fold requested status and health into the effective
 * configuration that dataplanes receive (documented on {@link Dataplane}). Not thread-safe: guarded by the
 * {@link LoadBalancer}'s lock.
 */
final class EffectiveState {
    /** Health of one real server, with its recent history. */
    static final class Health {
        HealthState state;
        final Deque<HealthReport> history = new ArrayDeque<>();

        Health(HealthState state) {
            this.state = state;
        }
    }

    private final int historySize;
    private final Map<String, Map<String, Health>> health = new HashMap<>();

    EffectiveState(int historySize) {
        this.historySize = historySize;
    }

    /** The state a real server of this virtual server starts in before any result. */
    static HealthState initialState(VirtualServer vs) {
        if (vs.healthCheck() instanceof HealthCheck.None) {
            return HealthState.UNKNOWN;
        }
        return vs.healthCheck().settings().initiallyUp() ? HealthState.UNKNOWN : HealthState.DOWN;
    }

    Health health(VirtualServer vs, RealServer rs) {
        return health.computeIfAbsent(vs.label(), k -> new HashMap<>())
                .computeIfAbsent(rs.label(), k -> new Health(initialState(vs)));
    }

    /** Records a result; returns false when the real server is unknown. */
    void report(VirtualServer vs, RealServer rs, HealthReport report) {
        Health h = health(vs, rs);
        h.state = report.state();
        h.history.addLast(report);
        while (h.history.size() > historySize) {
            h.history.removeFirst();
        }
    }

    List<HealthReport> history(VirtualServer vs, RealServer rs) {
        return new ArrayList<>(health(vs, rs).history);
    }

    /**
     * Forgets health that no longer applies after a configuration change: real servers removed, moved to
     * another address or port, or whose virtual server's check changed.
     */
    void retain(Configuration before, Configuration after) {
        for (VirtualServer b : before.virtualServers()) {
            VirtualServer a = after.virtualServer(b.label()).orElse(null);
            if (a == null || !a.healthCheck().equals(b.healthCheck())) {
                health.remove(b.label());
                continue;
            }
            Map<String, Health> perRs = health.get(b.label());
            if (perRs == null) {
                continue;
            }
            for (RealServer r : b.realServers()) {
                RealServer n = a.realServer(r.label()).orElse(null);
                if (n == null || !n.address().equals(r.address()) || n.port() != r.port()) {
                    perRs.remove(r.label());
                }
            }
        }
    }

    ActualStatus actual(VirtualServer vs, RealServer rs) {
        switch (rs.requestedStatus()) {
            case OFFLINE:
                return ActualStatus.OFFLINE;
            case DRAIN:
                return ActualStatus.DRAINING;
            default:
                return health(vs, rs).state == HealthState.DOWN ? ActualStatus.DOWN : ActualStatus.UP;
        }
    }

    /** The real server as a dataplane should see it, or null when it must be removed. */
    RealServer effective(VirtualServer vs, RealServer rs) {
        boolean down = health(vs, rs).state == HealthState.DOWN;
        if (down && rs.requestedStatus() != RequestedStatus.OFFLINE
                && vs.healthCheck().settings().onFailure() == FailureAction.REMOVE) {
            return null;
        }
        if (down || rs.requestedStatus() == RequestedStatus.OFFLINE) {
            return rs.toBuilder().weight(0).requestedStatus(RequestedStatus.OFFLINE).build();
        }
        if (rs.requestedStatus() == RequestedStatus.DRAIN && rs.weight() != 0) {
            return rs.withWeight(0);
        }
        return rs;
    }

    VirtualServer effective(VirtualServer vs) {
        List<RealServer> out = new ArrayList<>(vs.realServers().size());
        boolean same = true;
        for (RealServer r : vs.realServers()) {
            RealServer e = effective(vs, r);
            same &= e == r;
            if (e != null) {
                out.add(e);
            }
        }
        return same ? vs : vs.toBuilder().realServers(out).build();
    }
}
