package dev.lbkit.examples.appliance;

import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HaStatus;
import dev.lbkit.api.HealthReport;
import dev.lbkit.api.LoadBalancerStatus;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.RealServerStatus;
import dev.lbkit.api.TrafficStats;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.api.VirtualServerStatus;
import dev.lbkit.ha.VrrpInstanceStatus;
import dev.lbkit.ha.VrrpStatus;
import dev.lbkit.ipvs.IpvsSyncFollower;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        List<Object> ha = new ArrayList<>();
        for (HaStatus h : s.ha()) {
            ha.add(haState(h));
        }
        m.put("ha", ha);
        return m;
    }

    private static Map<String, Object> haState(HaStatus h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", h.instance());
        m.put("state", h.state().name());
        m.put("since", h.since().toString());
        m.put("reason", h.reason());
        return m;
    }

    /**
     * {@code GET /ha}: whether HA runs, each VRRP instance's state, priority, master, floating IPs and counters,
     * when and why it last changed, the packets dropped, and the connection-sync daemon's role.
     */
    static Map<String, Object> ha(ApplianceConfig.Ha config, LoadBalancerStatus status, Optional<VrrpStatus> vrrp,
            Optional<IpvsSyncFollower> sync) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", vrrp.isPresent());
        List<Object> instances = new ArrayList<>();
        if (vrrp.isPresent()) {
            for (VrrpInstanceStatus i : vrrp.get().instances()) {
                Map<String, Object> im = new LinkedHashMap<>();
                im.put("name", i.name());
                im.put("state", i.state().name());
                status.ha(i.name()).ifPresent(h -> {
                    im.put("since", h.since().toString());
                    im.put("reason", h.reason());
                });
                im.put("priority", i.priority());
                im.put("master", i.master() == null ? null : i.master().getHostAddress());
                im.put("holdsAddresses", i.holdsAddresses());
                List<Object> ips = new ArrayList<>();
                i.floatingIps().forEach(a -> ips.add(a.getHostAddress()));
                im.put("floatingIps", ips);
                im.put("advertsSent", i.advertsSent());
                im.put("advertsReceived", i.advertsReceived());
                im.put("becameMaster", i.becameMaster());
                im.put("splitBrains", i.splitBrains());
                im.put("priorityZeroReceived", i.priorityZeroReceived());
                Map<String, Object> drops = new LinkedHashMap<>();
                i.drops().forEach((k, v) -> drops.put(k.name(), v));
                im.put("drops", drops);
                instances.add(im);
            }
            Map<String, Object> drops = new LinkedHashMap<>();
            vrrp.get().drops().forEach((k, v) -> drops.put(k.name(), v));
            m.put("instances", instances);
            m.put("drops", drops);
            m.put("linkResyncs", vrrp.get().linkResyncs());
        } else {
            m.put("instances", instances);
        }
        m.put("syncGroups", new LinkedHashMap<String, Object>(config.syncGroups()));
        if (sync.isPresent() && config.ipvsSync().isPresent()) {
            ApplianceConfig.Ha.IpvsSync s = config.ipvsSync().get();
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("instance", s.instance());
            sm.put("interface", s.interfaceName());
            sm.put("syncId", s.syncId());
            sm.put("role", sync.get().role().map(Enum::name).orElse("NONE"));
            sm.put("failures", sync.get().failures());
            sm.put("lastError", sync.get().lastError().orElse(null));
            m.put("ipvsSync", sm);
        }
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
