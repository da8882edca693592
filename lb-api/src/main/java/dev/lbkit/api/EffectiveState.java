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
        /** The check's advice (an agent's weight% and drain), from the latest report. */
        int weightPercent = HealthReport.FULL_WEIGHT;
        boolean drain;
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

    /** Whether recording this report would change the effective configuration or actual status. */
    boolean changes(VirtualServer vs, RealServer rs, HealthReport report) {
        Health h = health(vs, rs);
        return (h.state == HealthState.DOWN) != (report.state() == HealthState.DOWN)
                || h.weightPercent != report.weightPercent() || h.drain != report.drain();
    }

    /** Records a result. */
    void report(VirtualServer vs, RealServer rs, HealthReport report) {
        Health h = health(vs, rs);
        h.state = report.state();
        h.weightPercent = report.weightPercent();
        h.drain = report.drain();
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
                Health h = health(vs, rs);
                if (h.state == HealthState.DOWN) {
                    return ActualStatus.DOWN;
                }
                return h.drain || h.weightPercent == 0 ? ActualStatus.DRAINING : ActualStatus.UP;
        }
    }

    /**
     * The real server as a dataplane should see it, or null when it must be removed. Order of precedence: the
     * operator's OFFLINE, health DOWN (quiesced or removed), the operator's DRAIN, the check's drain advice
     * (like an operator's DRAIN: weight 0, requested status DRAIN), the check's weight percentage.
     */
    RealServer effective(VirtualServer vs, RealServer rs) {
        Health h = health(vs, rs);
        boolean down = h.state == HealthState.DOWN;
        if (down && rs.requestedStatus() != RequestedStatus.OFFLINE
                && vs.healthCheck().settings().onFailure() == FailureAction.REMOVE) {
            return null;
        }
        if (down || rs.requestedStatus() == RequestedStatus.OFFLINE) {
            return rs.toBuilder().weight(0).requestedStatus(RequestedStatus.OFFLINE).build();
        }
        if (rs.requestedStatus() == RequestedStatus.DRAIN) {
            return rs.weight() != 0 ? rs.withWeight(0) : rs;
        }
        if (h.drain || h.weightPercent == 0) {
            return rs.toBuilder().weight(0).requestedStatus(RequestedStatus.DRAIN).build();
        }
        int w = scaled(rs.weight(), h.weightPercent);
        return w == rs.weight() ? rs : rs.withWeight(w);
    }

    /** The weight under a percentage: rounded, at least 1 when both are positive, at most the IPVS maximum. */
    static int scaled(int weight, int percent) {
        if (percent == HealthReport.FULL_WEIGHT || weight == 0) {
            return weight;
        }
        long w = ((long) weight * percent + HealthReport.FULL_WEIGHT / 2) / HealthReport.FULL_WEIGHT;
        return (int) Math.max(percent == 0 ? 0 : 1, Math.min(w, RealServer.MAX_WEIGHT));
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
