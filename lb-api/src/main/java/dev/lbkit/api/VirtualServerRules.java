package dev.lbkit.api;

import java.util.List;

/** The cross-field rules of a virtual server, apart from the builder's plumbing. */
final class VirtualServerRules {
    private VirtualServerRules() {}

    static void checkVirtualServer(Vip vip, ForwardingMethod method, Scheduler scheduler,
            PersistencePolicy persistence) {
        if (vip == null) { // an HTTP pool: the builder let nothing else through without a VIP
            Validation.check(method == ForwardingMethod.HTTP, "a pool needs forwarding method HTTP but was %s",
                    method);
            Validation.check(!scheduler.keysOnDestination(),
                    "scheduler %s keys on the destination address, which is always the VIP behind forwarding "
                            + "method HTTP; use it with IPVS methods only", scheduler.ipvsName());
            return;
        }
        if (method.isProxy()) {
            Validation.check(vip instanceof Vip.Socket,
                    "forwarding method %s needs an address and port to listen on, not a firewall mark", method);
            Vip.Socket s = (Vip.Socket) vip;
            Validation.check(s.protocol() == Protocol.TCP,
                    "forwarding method %s carries TCP only but protocol was %s", method, s.protocol().shortName());
            Validation.check(s.port() != 0, "forwarding method %s needs a VIP port 1..65535 but port was 0", method);
            Validation.check(!scheduler.keysOnDestination(),
                    "scheduler %s keys on the destination address, which is always the VIP behind forwarding "
                            + "method %s; use it with IPVS methods only",
                    scheduler.ipvsName(), method);
        }
        if (persistence instanceof CookiePersistence) {
            Validation.check(method == ForwardingMethod.HTTP,
                    "cookie persistence needs forwarding method HTTP but was %s", method);
        }
        if (vip instanceof Vip.Socket && ((Vip.Socket) vip).port() == 0) {
            Validation.check(persistence instanceof SourceIpPersistence,
                    "VIP port 0 (every port) needs source-IP persistence, as IPVS requires, but persistence was %s",
                    persistence);
        }
    }

    static void checkRealServer(Vip vip, ForwardingMethod vsMethod, RealServer r, String what) {
        String rs = what + " '" + r.label() + "': ";
        ForwardingMethod m = r.forwardingMethod().orElse(vsMethod);
        Validation.check(m.isKernel() == vsMethod.isKernel() && (m.isKernel() || m == vsMethod),
                "%sforwarding method %s cannot mix with the virtual server's %s (only DIRECT_ROUTING, NAT and "
                        + "TUNNEL mix)", rs, m, vsMethod);
        if (vip == null) { // a pool's real servers: HTTP, any family, no VIP port to inherit
            Validation.check(r.port() != 0, "%sa pool has no VIP port to inherit, so the port must be set", rs);
            return;
        }
        IpFamily vipFamily = vip.family();
        IpFamily rsFamily = IpFamily.of(r.address());
        Validation.check(vipFamily == rsFamily || m.mixesFamilies(),
                "%s%s cannot forward from an %s VIP to the %s address %s (only TUNNEL, PROXY and HTTP mix families)",
                rs, m, familyName(vipFamily), familyName(rsFamily), Addresses.text(r.address()));
        if (!m.translatesPort() && r.port() != 0) {
            if (vip instanceof Vip.Socket) {
                int vipPort = ((Vip.Socket) vip).port();
                Validation.check(r.port() == vipPort, "%s%s cannot translate port %d to %d", rs, m, vipPort,
                        r.port());
            } else {
                Validation.check(false, "%s%s of a firewall-mark service cannot set a port but port was %d", rs, m,
                        r.port());
            }
        }
        if (vip instanceof Vip.Socket && ((Vip.Socket) vip).port() == 0) {
            Validation.check(r.port() == 0, "%sa VIP on every port (port 0) forwards each port as is, so the "
                    + "real server's port must be 0 but was %d", rs, r.port());
        }
    }

    /** URL-switching rules: HTTP virtual servers with a VIP only, never to the virtual server itself. */
    static void checkRoutes(String label, boolean pool, ForwardingMethod method, List<HttpRoute> routes) {
        if (routes.isEmpty()) {
            return;
        }
        Validation.check(method == ForwardingMethod.HTTP, "routes need forwarding method HTTP but was %s", method);
        Validation.check(!pool, "a pool cannot hold routes (only HTTP virtual servers with a VIP route)");
        for (int i = 0; i < routes.size(); i++) {
            HttpRoute r = routes.get(i);
            Validation.check(r != null, "route %d must not be null", i);
            Validation.check(!r.pool().equals(label),
                    "route %d (%s) targets the virtual server itself; its own real servers are the default pool",
                    i, r);
        }
    }

    /** Address and effective port, the identity IPVS gives a destination within a service. */
    static String effectiveEndpoint(Vip vip, RealServer r) {
        int vipPort = vip instanceof Vip.Socket ? ((Vip.Socket) vip).port() : 0;
        return Addresses.format(r.address(), r.effectivePort(vipPort));
    }

    private static String familyName(IpFamily f) {
        return f == IpFamily.IPV4 ? "IPv4" : "IPv6";
    }
}
