package dev.lbkit.ipvs;

import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.IpFamily;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.Vip;
import dev.lbkit.api.VirtualServer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one virtual server should look like in the kernel: the service and its destinations, with the labels
 * that messages and statistics use. Built from an effective {@link VirtualServer} and its {@link IpvsOptions}
 * by {@link #of}, which rejects what IPVS cannot do before the kernel sees it.
 *
 * @param label        the virtual server's label (or null for an entry that is not lbkit's)
 * @param description  {@code virtual server 'web' (10.0.0.1:80/tcp)}, the prefix of messages
 * @param service      the service's settings
 * @param destinations the destinations by address and port, in the model's order
 * @param destLabels   the real-server label of each destination
 */
record DesiredService(String label, String description, IpvsService service,
        Map<IpvsDestination.Key, IpvsDestination> destinations, Map<IpvsDestination.Key, String> destLabels) {

    DesiredService {
        destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
        destLabels = Collections.unmodifiableMap(new LinkedHashMap<>(destLabels));
    }

    IpvsServiceKey key() {
        return service.key();
    }

    /** The kernel entry as it stands, as a target (used to roll back). */
    static DesiredService of(IpvsEntry e, String label, String description) {
        Map<IpvsDestination.Key, IpvsDestination> d = new LinkedHashMap<>();
        e.destinations().forEach(x -> d.put(x.key(), x));
        return new DesiredService(label, description, e.service(), d, Map.of());
    }

    /**
     * Translates an effective virtual server.
     *
     * @throws IllegalArgumentException naming the field when IPVS cannot carry the virtual server
     */
    static DesiredService of(VirtualServer vs, IpvsOptions o) {
        IpvsServiceKey key = IpvsServiceKey.of(vs.vip());
        IpFamily family = key.family();
        int flags = 0;
        int timeout = 0;
        int netmask = family == IpFamily.IPV4 ? 0xffffffff : 128;
        PersistencePolicy p = vs.persistence();
        if (p instanceof SourceIpPersistence sip) {
            flags |= IpvsAttributes.SVC_F_PERSISTENT;
            timeout = (int) sip.timeout().getSeconds();
            int prefix = sip.prefixLength(family);
            netmask = family == IpFamily.IPV4 ? (int) (0xffffffffL << (32 - prefix)) : prefix;
        } else if (p != PersistencePolicy.none()) {
            throw new IllegalArgumentException("persistence: IPVS has source-IP persistence only, not " + p
                    + " (cookie persistence needs the HTTP proxy)");
        }
        if (vs.vip() instanceof Vip.Socket s && s.port() == 0 && (flags & IpvsAttributes.SVC_F_PERSISTENT) == 0) {
            throw new IllegalArgumentException("vip: port 0 (every port) needs source-IP persistence");
        }
        if (o.onePacket()) {
            flags |= IpvsAttributes.SVC_F_ONEPACKET;
        }
        boolean hashing = vs.scheduler() == Scheduler.SH || vs.scheduler() == Scheduler.MH;
        if ((o.schedulerFallback() || o.schedulerPort()) && !hashing) {
            throw new IllegalArgumentException("ipvs options: schedulerFallback and schedulerPort need scheduler sh "
                    + "or mh but the scheduler is " + vs.scheduler().ipvsName());
        }
        flags |= o.schedulerFallback() ? IpvsAttributes.SVC_F_SCHED1 : 0;
        flags |= o.schedulerPort() ? IpvsAttributes.SVC_F_SCHED2 : 0;
        if (o.persistenceEngine() != null && (flags & IpvsAttributes.SVC_F_PERSISTENT) == 0) {
            throw new IllegalArgumentException("ipvs options: persistenceEngine '" + o.persistenceEngine()
                    + "' needs source-IP persistence");
        }
        IpvsService service = IpvsService.of(key, vs.scheduler().ipvsName(), flags, timeout, netmask,
                o.persistenceEngine());

        Map<IpvsDestination.Key, IpvsDestination> dests = new LinkedHashMap<>();
        Map<IpvsDestination.Key, String> labels = new LinkedHashMap<>();
        boolean anyWeight = false;
        for (RealServer rs : vs.realServers()) {
            IpvsDestination d = destination(vs, rs, key, o);
            if (dests.putIfAbsent(d.key(), d) != null) {
                throw new IllegalArgumentException("real server '" + rs.label() + "': " + d.key()
                        + " is also real server '" + labels.get(d.key()) + "'; IPVS keys real servers by address "
                        + "and port");
            }
            labels.put(d.key(), rs.label());
            anyWeight |= rs.weight() > 0;
        }
        if (!anyWeight && vs.fallback().isPresent()) {
            // As ldirectord: with no real server taking connections, the fallback becomes a destination.
            RealServer fb = vs.fallback().get();
            IpvsDestination d = destination(vs, fb, key, o);
            if (d.weight() == 0) {
                d = new IpvsDestination(d.address(), d.port(), d.forwarding(), 1, d.upperThreshold(),
                        d.lowerThreshold(), d.tunnelType(), d.tunnelPort(), d.tunnelFlags(), 0, 0, 0, null);
            }
            dests.put(d.key(), d);
            labels.put(d.key(), fb.label());
        }
        return new DesiredService(vs.label(), vs.describe(), service, dests, labels);
    }

    private static IpvsDestination destination(VirtualServer vs, RealServer rs, IpvsServiceKey key, IpvsOptions o) {
        ForwardingMethod m = vs.forwardingMethodOf(rs);
        String prefix = "real server '" + rs.label() + "': ";
        if (!m.isKernel()) {
            throw new IllegalArgumentException(prefix + "forwarding method " + m + " is not an IPVS method "
                    + "(DIRECT_ROUTING, NAT, TUNNEL)");
        }
        if (IpFamily.of(rs.address()) != key.family() && m != ForwardingMethod.TUNNEL) {
            throw new IllegalArgumentException(prefix + "address " + rs.address().getHostAddress() + " is not "
                    + key.family() + " like the VIP; IPVS mixes families only for TUNNEL");
        }
        int port = key.isFirewallMark() ? rs.port() : rs.effectivePort(key.port());
        // IPVS's lower threshold must not exceed its upper one, also when the upper is 0 (unlimited): ERANGE.
        int upper = rs.maxConnections();
        int lower = upper == 0 ? 0 : rs.minConnections();
        IpvsDestination d = IpvsDestination.of(rs.address(), port, m, rs.weight(), upper, lower);
        if (m == ForwardingMethod.TUNNEL) {
            IpvsOptions.Tunnel t = o.tunnel(rs.label());
            d = d.withTunnel(t.type(), t.port(), t.flags());
        }
        return d;
    }
}
