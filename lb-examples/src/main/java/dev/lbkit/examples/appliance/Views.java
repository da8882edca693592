package dev.lbkit.examples.appliance;

import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.LoadBalancerStatus;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RealServerStatus;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON shapes of status, statistics, health history and diffs (trees for {@link JsonWriter}). */
final class Views {
    private Views() {}

    static Map<String, Object> status(LoadBalancerStatus s, ApplianceConfig config, long version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", s.at().toString());
        m.put("version", version);
        List<Object> vss = new ArrayList<>();
        for (VirtualServerStatus v : s.virtualServers()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("label", v.label());
            vm.put("vip", v.vip() == null ? null : v.vip().toString());
            vm.put("pool", v.vip() == null);
            vm.put("dataplane", v.dataplane());
            vm.put("scheduler", v.scheduler().ipvsName());
            vm.put("fallbackActive", v.fallbackActive());
            vm.put("stats", stats(v.stats()));
            List<Object> rss = new ArrayList<>();
            for (RealServerStatus r : v.realServers()) {
                rss.add(realServer(r));
            }
            vm.put("realServers", rss);
            vm.put("hints", hints(v, config.configuration().virtualServer(v.label()).orElse(null)));
            vss.add(vm);
        }
        m.put("virtualServers", vss);
        return m;
    }

    static Map<String, Object> realServer(RealServerStatus r) {
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("label", r.label());
        rm.put("endpoint", r.endpoint());
        rm.put("requested", Fields.name(r.requested()));
        rm.put("health", Fields.name(r.health()));
        rm.put("actual", Fields.name(r.actual()));
        rm.put("weight", r.weight());
        rm.put("effectiveWeight", r.effectiveWeight());
        rm.put("stats", stats(r.stats()));
        rm.put("lastCheck", r.lastCheck().map(Views::check).orElse(null));
        return rm;
    }

    /**
     * The seed appliance's diagnosis: connections that stay inactive (SYN_RECV in IPVS) while none is active
     * mean the real server does not answer for the VIP (DR, TUN) or answers around the director (NAT).
     */
    static List<Object> hints(VirtualServerStatus v, VirtualServer vs) {
        List<Object> out = new ArrayList<>();
        if (vs == null) {
            return out;
        }
        for (RealServerStatus r : v.realServers()) {
            RealServer rs = vs.realServer(r.label()).orElse(null);
            if (rs == null) {
                continue;
            }
            ForwardingMethod fm = vs.forwardingMethodOf(rs);
            TrafficStats t = r.stats();
            if (fm.isKernel() && t.inactiveConnections() > 0 && t.activeConnections() == 0) {
                out.add("real server '" + r.label() + "': " + t.inactiveConnections() + " connections stay "
                        + "inactive (SYN_RECV) and none is established: " + (fm == ForwardingMethod.NAT
                                ? "its default gateway must be this load balancer"
                                : "it must accept traffic for the VIP without answering ARP for it")
                        + " (see: java -jar lbkit-appliance.jar realserver --mode " + (fm == ForwardingMethod.NAT
                                ? "nat" : fm == ForwardingMethod.TUNNEL ? "tun" : "dr") + " --vip ...)");
            }
        }
        return out;
    }

    static Map<String, Object> check(HealthReport h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", h.at().toString());
        m.put("state", Fields.name(h.state()));
        m.put("reason", h.reason());
        m.put("latencyMillis", h.latency().toMillis());
        return m;
    }

    static Map<String, Object> stats(TrafficStats t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("activeConnections", t.activeConnections());
        m.put("inactiveConnections", t.inactiveConnections());
        m.put("connections", t.connections());
        m.put("packetsIn", t.packetsIn());
        m.put("packetsOut", t.packetsOut());
        m.put("bytesIn", t.bytesIn());
        m.put("bytesOut", t.bytesOut());
        return m;
    }

    static Map<String, Object> diff(ConfigurationDiff d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", d.added().stream().map(VirtualServer::label).toList());
        m.put("removed", d.removed().stream().map(VirtualServer::label).toList());
        List<Object> changed = new ArrayList<>();
        for (ConfigurationDiff.VirtualServerChange c : d.changed()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("label", c.label());
            cm.put("fields", c.fields().stream().map(Fields::name).toList());
            cm.put("addedRealServers", c.addedRealServers().stream().map(RealServer::label).toList());
            cm.put("removedRealServers", c.removedRealServers().stream().map(RealServer::label).toList());
            List<Object> rc = new ArrayList<>();
            for (ConfigurationDiff.RealServerChange r : c.changedRealServers()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("label", r.after().label());
                rm.put("fields", r.fields().stream().map(Fields::name).toList());
                rc.add(rm);
            }
            cm.put("changedRealServers", rc);
            changed.add(cm);
        }
        m.put("changed", changed);
        m.put("text", d.toString());
        return m;
    }
}
