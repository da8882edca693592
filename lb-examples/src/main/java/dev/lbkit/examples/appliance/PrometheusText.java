package dev.lbkit.examples.appliance;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import dev.lbkit.api.LoadBalancerStatus;
import dev.lbkit.api.RealServerStatus;
import dev.lbkit.api.VirtualServerStatus;
import java.util.Map;

/**
 * The Prometheus text exposition format (version 0.0.4) of the Dropwizard registry (names with every
 * character outside {@code [a-zA-Z0-9_]} as '_') and of the status snapshot with labels: per VIP and RIP
 * current connections, weights and whether each real server is up, for every dataplane including IPVS.
 */
final class PrometheusText {
    private PrometheusText() {}

    static String write(MetricRegistry registry, LoadBalancerStatus status) {
        return write(registry, status, java.util.Optional.empty());
    }

    /** As above, with the HA pair's VRRP instances when the appliance runs them. */
    static String write(MetricRegistry registry, LoadBalancerStatus status,
            java.util.Optional<dev.lbkit.ha.VrrpStatus> ha) {
        StringBuilder s = new StringBuilder(8192);
        if (ha.isPresent()) {
            header(s, "lbkit_ha_state", "gauge", "1 for the state each VRRP instance is in, 0 for the others");
            for (dev.lbkit.ha.VrrpInstanceStatus i : ha.get().instances()) {
                for (dev.lbkit.api.HaState st : dev.lbkit.api.HaState.values()) {
                    sample(s, "lbkit_ha_state", "instance=\"" + esc(i.name()) + "\",state=\"" + st.name() + "\"",
                            i.state() == st ? 1 : 0);
                }
            }
            header(s, "lbkit_ha_priority", "gauge", "the priority a VRRP instance advertises now");
            for (dev.lbkit.ha.VrrpInstanceStatus i : ha.get().instances()) {
                sample(s, "lbkit_ha_priority", "instance=\"" + esc(i.name()) + "\"", i.priority());
            }
            header(s, "lbkit_ha_became_master_total", "counter", "how often a VRRP instance became master");
            for (dev.lbkit.ha.VrrpInstanceStatus i : ha.get().instances()) {
                sample(s, "lbkit_ha_became_master_total", "instance=\"" + esc(i.name()) + "\"", i.becameMaster());
            }
            header(s, "lbkit_ha_split_brains_total", "counter", "adverts from another master heard while master");
            for (dev.lbkit.ha.VrrpInstanceStatus i : ha.get().instances()) {
                sample(s, "lbkit_ha_split_brains_total", "instance=\"" + esc(i.name()) + "\"", i.splitBrains());
            }
            header(s, "lbkit_ha_dropped_packets_total", "counter", "VRRP packets dropped (malformed, wrong peer)");
            long dropped = ha.get().drops().values().stream().mapToLong(Long::longValue).sum();
            sample(s, "lbkit_ha_dropped_packets_total", "", dropped);
        }
        header(s, "lbkit_vip_active_connections", "gauge", "connections open now per virtual server");
        for (VirtualServerStatus v : status.virtualServers()) {
            sample(s, "lbkit_vip_active_connections", vip(v), v.stats().activeConnections());
        }
        header(s, "lbkit_vip_inactive_connections", "gauge", "connections tracked but not established (IPVS)");
        for (VirtualServerStatus v : status.virtualServers()) {
            sample(s, "lbkit_vip_inactive_connections", vip(v), v.stats().inactiveConnections());
        }
        header(s, "lbkit_vip_connections_total", "counter", "connections scheduled per virtual server");
        for (VirtualServerStatus v : status.virtualServers()) {
            sample(s, "lbkit_vip_connections_total", vip(v), v.stats().connections());
        }
        header(s, "lbkit_rip_active_connections", "gauge", "connections open now per real server");
        for (VirtualServerStatus v : status.virtualServers()) {
            for (RealServerStatus r : v.realServers()) {
                sample(s, "lbkit_rip_active_connections", rip(v, r), r.stats().activeConnections());
            }
        }
        header(s, "lbkit_rip_inactive_connections", "gauge", "tracked, not established connections per real server");
        for (VirtualServerStatus v : status.virtualServers()) {
            for (RealServerStatus r : v.realServers()) {
                sample(s, "lbkit_rip_inactive_connections", rip(v, r), r.stats().inactiveConnections());
            }
        }
        header(s, "lbkit_rip_effective_weight", "gauge", "weight the dataplane uses (-1: removed by health)");
        for (VirtualServerStatus v : status.virtualServers()) {
            for (RealServerStatus r : v.realServers()) {
                sample(s, "lbkit_rip_effective_weight", rip(v, r), r.effectiveWeight());
            }
        }
        header(s, "lbkit_rip_up", "gauge", "1 when health checks find the real server up");
        for (VirtualServerStatus v : status.virtualServers()) {
            for (RealServerStatus r : v.realServers()) {
                sample(s, "lbkit_rip_up", rip(v, r), r.health() == dev.lbkit.api.HealthState.DOWN ? 0 : 1);
            }
        }
        for (Map.Entry<String, Gauge> e : registry.getGauges().entrySet()) {
            Object v = e.getValue().getValue();
            if (v instanceof Number n) {
                String name = name(e.getKey());
                header(s, name, "gauge", e.getKey());
                sample(s, name, "", n.doubleValue());
            } else if (v instanceof Boolean b) {
                String name = name(e.getKey());
                header(s, name, "gauge", e.getKey());
                sample(s, name, "", b ? 1 : 0);
            }
        }
        for (Map.Entry<String, Counter> e : registry.getCounters().entrySet()) {
            String name = name(e.getKey()) + "_total";
            header(s, name, "counter", e.getKey());
            sample(s, name, "", e.getValue().getCount());
        }
        for (Map.Entry<String, Meter> e : registry.getMeters().entrySet()) {
            String name = name(e.getKey()) + "_total";
            header(s, name, "counter", e.getKey());
            sample(s, name, "", e.getValue().getCount());
        }
        for (Map.Entry<String, Histogram> e : registry.getHistograms().entrySet()) {
            summary(s, name(e.getKey()), e.getKey(), e.getValue().getSnapshot(), e.getValue().getCount(), 1);
        }
        for (Map.Entry<String, Timer> e : registry.getTimers().entrySet()) {
            summary(s, name(e.getKey()) + "_seconds", e.getKey(), e.getValue().getSnapshot(),
                    e.getValue().getCount(), 1e-9);
        }
        return s.toString();
    }

    private static void summary(StringBuilder s, String name, String help, Snapshot snap, long count, double scale) {
        header(s, name, "summary", help);
        sample(s, name, "quantile=\"0.5\"", snap.getMedian() * scale);
        sample(s, name, "quantile=\"0.99\"", snap.get99thPercentile() * scale);
        sample(s, name + "_count", "", count);
    }

    private static String vip(VirtualServerStatus v) {
        return "vip=\"" + esc(v.label()) + "\",address=\"" + esc(v.vip() == null ? "pool" : v.vip().toString()) + "\",dataplane=\""
                + esc(v.dataplane()) + "\"";
    }

    private static String rip(VirtualServerStatus v, RealServerStatus r) {
        return "vip=\"" + esc(v.label()) + "\",rip=\"" + esc(r.label()) + "\",endpoint=\"" + esc(r.endpoint()) + "\"";
    }

    static String name(String dropwizard) {
        String n = dropwizard.replaceAll("[^a-zA-Z0-9_]", "_");
        return Character.isDigit(n.charAt(0)) ? "_" + n : n;
    }

    private static String esc(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void header(StringBuilder s, String name, String type, String help) {
        s.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder s, String name, String labels, double value) {
        s.append(name);
        if (!labels.isEmpty()) {
            s.append('{').append(labels).append('}');
        }
        s.append(' ');
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            s.append((long) value);
        } else {
            s.append(value);
        }
        s.append('\n');
    }
}
