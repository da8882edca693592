package dev.lbkit.api;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual server: a VIP, how new connections are scheduled and kept, how real servers are checked, and the
 * real servers themselves. Immutable; built with {@link #builder(String)}, which validates the whole
 * combination and throws {@link IllegalArgumentException} naming the virtual server, the field and the value.
 *
 * <p>Defaults: forwarding method {@link ForwardingMethod#DIRECT_ROUTING} (the appliance's default), scheduler
 * {@link Scheduler#WLC}, no persistence, no health check, no fallback server, connect timeout 5 s, idle
 * timeout 300 s. The two timeouts are per-VIP settings of the proxy dataplanes; IPVS has only global timeouts.
 *
 * <p>Real servers keep insertion order (for stable output) but equality ignores their order: two virtual
 * servers are equal when every field and the set of real servers (by label) are equal.
 *
 * <p><b>HTTP pools and routes.</b> A virtual server built with {@link Builder#pool()} is an HTTP <em>pool</em>:
 * forwarding method {@link ForwardingMethod#HTTP}, no VIP ({@link #vip()} is null, {@link #optionalVip()} empty),
 * real servers with explicit ports, and its own scheduler, persistence, health check and fallback server. An HTTP
 * virtual server with a VIP holds ordered {@link HttpRoute}s that send matching requests to pools by label; its
 * own real servers are its default pool. Every per-real-server operation (status, weight, health, drain) works on
 * a pool's real servers by (pool label, real server label), as for any virtual server.
 */
public final class VirtualServer {
    private final String label;
    private final Vip vip;
    private final ForwardingMethod forwardingMethod;
    private final Scheduler scheduler;
    private final PersistencePolicy persistence;
    private final HealthCheck healthCheck;
    private final Map<String, RealServer> realServers; // unmodifiable, insertion-ordered
    private final RealServer fallback; // nullable
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final boolean pool;
    private final List<HttpRoute> routes;

    private VirtualServer(Builder b, Vip vip, Map<String, RealServer> realServers) {
        this.label = b.label;
        this.vip = vip;
        this.forwardingMethod = b.forwardingMethod;
        this.scheduler = b.scheduler;
        this.persistence = b.persistence;
        this.healthCheck = b.healthCheck;
        this.realServers = Collections.unmodifiableMap(realServers);
        this.fallback = b.fallback;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.pool = b.pool;
        this.routes = List.copyOf(b.routes);
    }

    /** A builder for a virtual server with this label. */
    public static Builder builder(String label) {
        return new Builder(label);
    }

    /** A builder holding this virtual server's values. */
    public Builder toBuilder() {
        Builder b = new Builder(label);
        b.vip = vip;
        b.forwardingMethod = forwardingMethod;
        b.scheduler = scheduler;
        b.persistence = persistence;
        b.healthCheck = healthCheck;
        b.realServers.addAll(realServers.values());
        b.fallback = fallback;
        b.connectTimeout = connectTimeout;
        b.idleTimeout = idleTimeout;
        b.pool = pool;
        b.routes.addAll(routes);
        return b;
    }

    /** The label: unique within a {@link Configuration}; used in metric names and messages. */
    public String label() {
        return label;
    }

    /** The VIP; null for an HTTP {@linkplain #isPool() pool}, which has none. */
    public Vip vip() {
        return vip;
    }

    /** The VIP, empty for an HTTP {@linkplain #isPool() pool}. */
    public Optional<Vip> optionalVip() {
        return Optional.ofNullable(vip);
    }

    /** True for an HTTP pool: real servers that {@link #routes() routes} of HTTP virtual servers send to. */
    public boolean isPool() {
        return pool;
    }

    /** The URL-switching rules of an HTTP virtual server, in the order they are tried; empty otherwise. */
    public List<HttpRoute> routes() {
        return routes;
    }

    /** The forwarding method of real servers that do not set their own. */
    public ForwardingMethod forwardingMethod() {
        return forwardingMethod;
    }

    /** The forwarding method traffic to {@code realServer} uses: its own, else this virtual server's. */
    public ForwardingMethod forwardingMethodOf(RealServer realServer) {
        return realServer.forwardingMethod().orElse(forwardingMethod);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public PersistencePolicy persistence() {
        return persistence;
    }

    public HealthCheck healthCheck() {
        return healthCheck;
    }

    /** The real servers in insertion order; unmodifiable. */
    public List<RealServer> realServers() {
        return List.copyOf(realServers.values());
    }

    /** The real server with this label, if any. */
    public Optional<RealServer> realServer(String label) {
        return Optional.ofNullable(realServers.get(label));
    }

    /** The server used when no real server can take a connection ("sorry server"), if any. */
    public Optional<RealServer> fallback() {
        return Optional.ofNullable(fallback);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A copy with {@code realServer} added, or replacing the one with the same label. */
    public VirtualServer withRealServer(RealServer realServer) {
        Builder b = toBuilder();
        b.realServers.removeIf(r -> r.label().equals(realServer.label()));
        b.realServers.add(realServer);
        return b.build();
    }

    /** A copy without the real server of this label (the same value when there is none). */
    public VirtualServer withoutRealServer(String realServerLabel) {
        if (!realServers.containsKey(realServerLabel)) {
            return this;
        }
        Builder b = toBuilder();
        b.realServers.removeIf(r -> r.label().equals(realServerLabel));
        return b.build();
    }

    /** {@code virtual server 'web' (10.0.0.1:80/tcp)}, the prefix of every message about it. */
    public String describe() {
        return pool ? "pool '" + label + "'" : "virtual server '" + label + "' (" + vip + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VirtualServer)) {
            return false;
        }
        VirtualServer v = (VirtualServer) o;
        return label.equals(v.label) && Objects.equals(vip, v.vip) && forwardingMethod == v.forwardingMethod
                && scheduler == v.scheduler && persistence.equals(v.persistence)
                && healthCheck.equals(v.healthCheck) && realServers.equals(v.realServers)
                && Objects.equals(fallback, v.fallback) && connectTimeout.equals(v.connectTimeout)
                && idleTimeout.equals(v.idleTimeout) && pool == v.pool && routes.equals(v.routes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, vip, forwardingMethod, scheduler, persistence, healthCheck, realServers, fallback,
                connectTimeout, idleTimeout, pool, routes);
    }

    @Override
    public String toString() {
        return "VirtualServer{" + label + ' ' + (pool ? "pool" : vip) + ' ' + forwardingMethod + ' ' + scheduler.ipvsName()
                + " persistence=" + persistence + " check=" + healthCheck + " realServers=" + realServers.values()
                + (fallback == null ? "" : " fallback=" + fallback) + (routes.isEmpty() ? "" : " routes=" + routes)
                + '}';
    }

    /** Builds a {@link VirtualServer}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String label;
        private Vip vip;
        private InetAddress address;
        private Integer port;
        private Protocol protocol;
        private Integer firewallMark;
        private ForwardingMethod forwardingMethod = ForwardingMethod.DIRECT_ROUTING;
        private Scheduler scheduler = Scheduler.WLC;
        private PersistencePolicy persistence = PersistencePolicy.none();
        private HealthCheck healthCheck = HealthCheck.none();
        private final List<RealServer> realServers = new ArrayList<>();
        private RealServer fallback;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(300);
        private boolean pool;
        private final List<HttpRoute> routes = new ArrayList<>();

        private Builder(String label) {
            this.label = label;
        }

        /** The whole VIP; replaces any address, port, protocol or firewall mark set before. */
        public Builder vip(Vip vip) {
            this.vip = vip;
            this.address = null;
            this.port = null;
            this.protocol = null;
            this.firewallMark = null;
            return this;
        }

        /** The VIP in one of the textual forms {@link Vip#parse} accepts. */
        public Builder vip(String vip) {
            try {
                return vip(Vip.parse(vip));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix() + e.getMessage(), e);
            }
        }

        /** The VIP address (with {@link #port} and {@link #protocol}, default TCP). */
        public Builder address(InetAddress address) {
            splitVip();
            this.address = address;
            return this;
        }

        /** The VIP address as an IP literal. */
        public Builder address(String ipLiteral) {
            try {
                return address(Addresses.parseLiteral(ipLiteral));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix() + "vip address: " + e.getMessage(), e);
            }
        }

        /** The VIP port. */
        public Builder port(int port) {
            splitVip();
            this.port = port;
            return this;
        }

        /** The VIP protocol (default TCP). */
        public Builder protocol(Protocol protocol) {
            splitVip();
            this.protocol = protocol;
            return this;
        }

        /**
         * Turns a whole VIP set before (by {@link #vip(Vip)} or {@link VirtualServer#toBuilder()}) into its parts,
         * so that setting one part keeps the others: {@code vs.toBuilder().port(8080)} moves only the port.
         */
        private void splitVip() {
            if (vip instanceof Vip.Socket s) {
                address = s.address();
                port = s.port();
                protocol = s.protocol();
            } else if (vip instanceof Vip.FirewallMark f) {
                firewallMark = f.mark(); // then an address, port or protocol is rejected by build()
            }
            vip = null;
        }

        /** Makes this a firewall-mark service (which has no address or port). */
        public Builder firewallMark(int mark) {
            this.vip = null;
            this.firewallMark = mark;
            return this;
        }

        public Builder forwardingMethod(ForwardingMethod method) {
            this.forwardingMethod = method;
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder persistence(PersistencePolicy persistence) {
            this.persistence = persistence;
            return this;
        }

        public Builder healthCheck(HealthCheck healthCheck) {
            this.healthCheck = healthCheck;
            return this;
        }

        /** Adds a real server; labels must be unique (checked by {@link #build()}). */
        public Builder realServer(RealServer realServer) {
            this.realServers.add(realServer);
            return this;
        }

        /** Replaces the real servers with these. */
        public Builder realServers(Collection<RealServer> realServers) {
            this.realServers.clear();
            this.realServers.addAll(realServers);
            return this;
        }

        /** The fallback ("sorry") server, or null for none. */
        public Builder fallback(RealServer fallback) {
            this.fallback = fallback;
            return this;
        }

        /**
         * Makes this an HTTP pool: no VIP, forwarding method {@link ForwardingMethod#HTTP}, reached through the
         * {@link HttpRoute}s of HTTP virtual servers. Its real servers must set their port.
         */
        public Builder pool() {
            this.pool = true;
            this.forwardingMethod = ForwardingMethod.HTTP;
            return this;
        }

        /** Appends a URL-switching rule (HTTP virtual servers with a VIP only); rules are tried in order. */
        public Builder route(HttpRoute route) {
            this.routes.add(route);
            return this;
        }

        /** Replaces the URL-switching rules with these. */
        public Builder routes(Collection<HttpRoute> routes) {
            this.routes.clear();
            this.routes.addAll(routes);
            return this;
        }

        /** How long the proxy waits for a real server to accept a connection. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** How long a proxied connection may be idle in both directions before it is closed. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        private String prefix() {
            return "virtual server " + (label == null ? "(no label)" : "'" + label + "'") + ": ";
        }

        /**
         * Validates the whole virtual server and builds it.
         *
         * @throws IllegalArgumentException naming the virtual server (and real server), the field and the value
         */
        public VirtualServer build() {
            Vip v;
            try {
                Validation.label(label, "virtual server");
                v = resolveVip();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix() + e.getMessage(), e);
            }
            String where = pool ? "pool '" + label + "': " : "virtual server '" + label + "' (" + v + "): ";
            Map<String, RealServer> byLabel = new LinkedHashMap<>();
            try {
                Validation.notNull(forwardingMethod, "forwardingMethod");
                Validation.notNull(scheduler, "scheduler");
                Validation.notNull(persistence, "persistence");
                Validation.notNull(healthCheck, "healthCheck");
                Validation.positive(connectTimeout, "connectTimeout");
                Validation.positive(idleTimeout, "idleTimeout");
                VirtualServerRules.checkVirtualServer(v, forwardingMethod, scheduler, persistence);
                VirtualServerRules.checkRoutes(label, pool, forwardingMethod, routes);
                Map<String, String> endpoints = new LinkedHashMap<>();
                for (RealServer r : realServers) {
                    Validation.notNull(r, "real server");
                    Validation.check(!byLabel.containsKey(r.label()), "real server label '%s' is used twice",
                            r.label());
                    VirtualServerRules.checkRealServer(v, forwardingMethod, r, "real server");
                    String endpoint = VirtualServerRules.effectiveEndpoint(v, r);
                    String other = endpoints.putIfAbsent(endpoint, r.label());
                    Validation.check(other == null, "real servers '%s' and '%s' both forward to %s", other,
                            r.label(), endpoint);
                    byLabel.put(r.label(), r);
                }
                if (fallback != null) {
                    Validation.check(!byLabel.containsKey(fallback.label()),
                            "fallback server label '%s' is also a real server's (stats are kept per label)",
                            fallback.label());
                    VirtualServerRules.checkRealServer(v, forwardingMethod, fallback, "fallback server");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            return new VirtualServer(this, v, byLabel);
        }

        private Vip resolveVip() {
            if (pool) {
                Validation.check(vip == null && address == null && port == null && firewallMark == null,
                        "a pool has no VIP (HTTP virtual servers route to it) but vip was %s",
                        vip != null ? vip : firewallMark != null ? "fwmark:" + firewallMark
                                : (address == null ? "" : Addresses.text(address)) + (port == null ? "" : ":" + port));
                return null;
            }
            if (vip != null) {
                return vip;
            }
            if (firewallMark != null) {
                Validation.check(port == null,
                        "a firewall-mark service has no port but port was %s (the mark selects the traffic)", port);
                Validation.check(address == null,
                        "a firewall-mark service has no address but address was %s",
                        address == null ? null : Addresses.text(address));
                Validation.check(protocol == null,
                        "a firewall-mark service has no protocol but protocol was %s", protocol);
                return Vip.firewallMark(firewallMark);
            }
            Validation.check(address != null, "vip is required: set vip(...), address(...) and port(...), "
                    + "or firewallMark(...)");
            Validation.check(port != null, "vip port is required");
            return Vip.of(address, port, protocol == null ? Protocol.TCP : protocol);
        }
    }
}
