package dev.lbkit.proxy;

import dev.lbkit.proxy.proxyprotocol.TrustedSources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the TCP proxy that lbkit's model ({@link dev.lbkit.api.VirtualServer}) has no field for, for one
 * virtual server (set with {@link ProxyDataplane.Builder#options(String, ProxyOptions)} or
 * {@link ProxyDataplane#setOptions(String, ProxyOptions)}) or for all of them
 * ({@link ProxyDataplane.Builder#defaultOptions}). Immutable and thread-safe; built with {@link #builder()},
 * changed with {@link #toBuilder()}. A change at runtime applies to connections accepted afterwards.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #clientIdleTimeout()}</td><td>the VIP's {@code idleTimeout} (300 s)</td>
 *       <td>close when nothing was read from or written to the client for this long</td></tr>
 *   <tr><td>{@link #serverIdleTimeout()}</td><td>the VIP's {@code idleTimeout} (300 s)</td>
 *       <td>the same for the real-server side</td></tr>
 *   <tr><td>{@link #connectionLifetime()}</td><td>0 (unlimited)</td>
 *       <td>close any connection this long after it was accepted</td></tr>
 *   <tr><td>{@link #queueSize()}</td><td>1024 connections</td>
 *       <td>connections that wait while every real server is at its {@code maxConnections}; 0 refuses at once</td></tr>
 *   <tr><td>{@link #queueTimeout()}</td><td>5 s</td><td>how long a connection waits in that queue before it is
 *       refused (closed)</td></tr>
 *   <tr><td>{@link #redispatchAttempts()}</td><td>3</td><td>other real servers tried after a failed connect
 *       before the fallback server or a refusal</td></tr>
 *   <tr><td>{@link #sendProxyProtocol()}</td><td>{@link ProxyProtocol#NONE}</td>
 *       <td>PROXY protocol header sent to every real server of the VIP</td></tr>
 *   <tr><td>{@link #sendProxyProtocolTo(String)}</td><td>none</td><td>per real-server label, overrides the
 *       above</td></tr>
 *   <tr><td>{@link #acceptProxyProtocolFrom()}</td><td>empty (off)</td><td>CIDRs of clients (load balancers
 *       in front) that must start with a PROXY protocol v1 or v2 header; when set, clients from other networks
 *       are refused</td></tr>
 *   <tr><td>{@link #proxyProtocolTimeout()}</td><td>3 s</td><td>how long a trusted client has to send its
 *       header</td></tr>
 *   <tr><td>{@link #tcpNoDelay()}</td><td>true</td><td>TCP_NODELAY on both sockets</td></tr>
 *   <tr><td>{@link #keepAlive()}</td><td>true</td><td>SO_KEEPALIVE on both sockets</td></tr>
 *   <tr><td>{@link #closeConnectionsOnRemove()}</td><td>false</td><td>close the live connections of a real
 *       server when it is removed from the configuration (else they finish)</td></tr>
 *   <tr><td>{@link #backlog()}</td><td>1024</td><td>listen backlog of the VIP's socket (read when it is bound)</td></tr>
 *   <tr><td>{@link #floatingAddress()}</td><td>false</td><td>the VIP is a floating IP of an HA pair: while it is not
 *   on this host the listener waits for it instead of failing the apply</td></tr>
 *   <tr><td>{@link #http()}</td><td>{@link HttpOptions#defaults()}</td><td>the HTTP proxy's settings (limits,
 *       timeouts, headers, error pages, access log, cookie server ids)</td></tr>
 * </table>
 */
public final class ProxyOptions {
    /** A PROXY protocol version to send, or none. */
    public enum ProxyProtocol {
        /** No header. */
        NONE,
        /** The text header {@code PROXY TCP4 ...\r\n}. */
        V1,
        /** The binary header. */
        V2
    }

    private static final ProxyOptions DEFAULTS = builder().build();

    private final Duration clientIdleTimeout; // null: the VIP's idle timeout
    private final Duration serverIdleTimeout; // null: the VIP's idle timeout
    private final Duration connectionLifetime;
    private final int queueSize;
    private final Duration queueTimeout;
    private final int redispatchAttempts;
    private final ProxyProtocol sendProxyProtocol;
    private final Map<String, ProxyProtocol> sendProxyProtocolTo;
    private final List<String> acceptProxyProtocolFrom;
    private final TrustedSources trusted;
    private final Duration proxyProtocolTimeout;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final boolean closeConnectionsOnRemove;
    private final int backlog;
    private final boolean floatingAddress;
    private final HttpOptions http;

    private ProxyOptions(Builder b) {
        this.clientIdleTimeout = b.clientIdleTimeout;
        this.serverIdleTimeout = b.serverIdleTimeout;
        this.connectionLifetime = b.connectionLifetime;
        this.queueSize = b.queueSize;
        this.queueTimeout = b.queueTimeout;
        this.redispatchAttempts = b.redispatchAttempts;
        this.sendProxyProtocol = b.sendProxyProtocol;
        this.sendProxyProtocolTo = Map.copyOf(b.sendProxyProtocolTo);
        this.acceptProxyProtocolFrom = List.copyOf(b.acceptProxyProtocolFrom);
        this.trusted = TrustedSources.of(acceptProxyProtocolFrom);
        this.proxyProtocolTimeout = b.proxyProtocolTimeout;
        this.tcpNoDelay = b.tcpNoDelay;
        this.keepAlive = b.keepAlive;
        this.closeConnectionsOnRemove = b.closeConnectionsOnRemove;
        this.backlog = b.backlog;
        this.floatingAddress = b.floatingAddress;
        this.http = b.http;
    }

    /** The defaults listed on this class. */
    public static ProxyOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.clientIdleTimeout = clientIdleTimeout;
        b.serverIdleTimeout = serverIdleTimeout;
        b.connectionLifetime = connectionLifetime;
        b.queueSize = queueSize;
        b.queueTimeout = queueTimeout;
        b.redispatchAttempts = redispatchAttempts;
        b.sendProxyProtocol = sendProxyProtocol;
        b.sendProxyProtocolTo.putAll(sendProxyProtocolTo);
        b.acceptProxyProtocolFrom.addAll(acceptProxyProtocolFrom);
        b.proxyProtocolTimeout = proxyProtocolTimeout;
        b.tcpNoDelay = tcpNoDelay;
        b.keepAlive = keepAlive;
        b.closeConnectionsOnRemove = closeConnectionsOnRemove;
        b.backlog = backlog;
        b.floatingAddress = floatingAddress;
        b.http = http;
        return b;
    }

    /** The client-side idle timeout, or empty to use the virtual server's {@code idleTimeout}. */
    public Optional<Duration> clientIdleTimeout() {
        return Optional.ofNullable(clientIdleTimeout);
    }

    /** The server-side idle timeout, or empty to use the virtual server's {@code idleTimeout}. */
    public Optional<Duration> serverIdleTimeout() {
        return Optional.ofNullable(serverIdleTimeout);
    }

    /** The longest a proxied connection may live; {@link Duration#ZERO} is unlimited. */
    public Duration connectionLifetime() {
        return connectionLifetime;
    }

    /** The most connections waiting for a real server below its {@code maxConnections}; 0 refuses at once. */
    public int queueSize() {
        return queueSize;
    }

    /** How long a connection may wait in the queue. */
    public Duration queueTimeout() {
        return queueTimeout;
    }

    /** How many other real servers are tried after a connect fails. */
    public int redispatchAttempts() {
        return redispatchAttempts;
    }

    /** The PROXY protocol header sent to real servers without an entry in {@link #sendProxyProtocolTo}. */
    public ProxyProtocol sendProxyProtocol() {
        return sendProxyProtocol;
    }

    /** The PROXY protocol header sent to the real server (or fallback server) with this label. */
    public ProxyProtocol sendProxyProtocolTo(String realServerLabel) {
        return sendProxyProtocolTo.getOrDefault(realServerLabel, sendProxyProtocol);
    }

    /** The per-real-server overrides of {@link #sendProxyProtocol()}, by label. */
    public Map<String, ProxyProtocol> sendProxyProtocolOverrides() {
        return sendProxyProtocolTo;
    }

    /**
     * Networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address) whose clients must start with a
     * PROXY protocol header; empty when headers are not accepted.
     */
    public List<String> acceptProxyProtocolFrom() {
        return acceptProxyProtocolFrom;
    }

    /** {@link #acceptProxyProtocolFrom()} as the codec's matcher. */
    TrustedSources trustedSources() {
        return trusted;
    }

    /** How long a client has to send its PROXY protocol header. */
    public Duration proxyProtocolTimeout() {
        return proxyProtocolTimeout;
    }

    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** True when removing a real server closes its live connections. */
    public boolean closeConnectionsOnRemove() {
        return closeConnectionsOnRemove;
    }

    /** The listen backlog. */
    public int backlog() {
        return backlog;
    }

    /**
     * Whether the VIP's address is a floating IP that an HA pair moves between hosts. When it is, and binding the
     * VIP fails because the address is not on any interface of this host (the member is backup), the apply
     * succeeds and the listener waits: it binds as soon as the address arrives, which it notices on the I/O
     * loop's sweep and at once when the {@link dev.lbkit.api.LoadBalancer} is told that this host became
     * master. A socket bound once stays bound when the address leaves again and serves when it comes back.
     * With {@code net.ipv4.ip_nonlocal_bind=1} (or {@code net.ipv6.ip_nonlocal_bind}) the bind succeeds at once
     * and no wait is needed. Without this option a VIP that is not local fails the apply, as a mistyped address
     * should.
     */
    public boolean floatingAddress() {
        return floatingAddress;
    }

    /** The settings of the HTTP proxy ({@code ForwardingMethod.HTTP}); ignored by the TCP proxy. */
    public HttpOptions http() {
        return http;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProxyOptions)) {
            return false;
        }
        ProxyOptions p = (ProxyOptions) o;
        return Objects.equals(clientIdleTimeout, p.clientIdleTimeout)
                && Objects.equals(serverIdleTimeout, p.serverIdleTimeout)
                && connectionLifetime.equals(p.connectionLifetime) && queueSize == p.queueSize
                && queueTimeout.equals(p.queueTimeout) && redispatchAttempts == p.redispatchAttempts
                && sendProxyProtocol == p.sendProxyProtocol && sendProxyProtocolTo.equals(p.sendProxyProtocolTo)
                && acceptProxyProtocolFrom.equals(p.acceptProxyProtocolFrom)
                && proxyProtocolTimeout.equals(p.proxyProtocolTimeout) && tcpNoDelay == p.tcpNoDelay
                && keepAlive == p.keepAlive && closeConnectionsOnRemove == p.closeConnectionsOnRemove
                && backlog == p.backlog && floatingAddress == p.floatingAddress && http.equals(p.http);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientIdleTimeout, serverIdleTimeout, connectionLifetime, queueSize, queueTimeout,
                redispatchAttempts, sendProxyProtocol, sendProxyProtocolTo, acceptProxyProtocolFrom,
                proxyProtocolTimeout, tcpNoDelay, keepAlive, closeConnectionsOnRemove, backlog, floatingAddress, http);
    }

    @Override
    public String toString() {
        return "ProxyOptions{clientIdleTimeout=" + clientIdleTimeout + ", serverIdleTimeout=" + serverIdleTimeout
                + ", connectionLifetime=" + connectionLifetime + ", queueSize=" + queueSize + ", queueTimeout="
                + queueTimeout + ", redispatchAttempts=" + redispatchAttempts + ", sendProxyProtocol="
                + sendProxyProtocol + ", sendProxyProtocolTo=" + sendProxyProtocolTo + ", acceptProxyProtocolFrom="
                + acceptProxyProtocolFrom + ", proxyProtocolTimeout=" + proxyProtocolTimeout + ", tcpNoDelay="
                + tcpNoDelay + ", keepAlive=" + keepAlive + ", closeConnectionsOnRemove=" + closeConnectionsOnRemove
                + ", backlog=" + backlog + ", floatingAddress=" + floatingAddress + ", http=" + http + '}';
    }

    /** Builds {@link ProxyOptions}; setters validate and throw {@link IllegalArgumentException} naming the value. */
    public static final class Builder {
        private Duration clientIdleTimeout;
        private Duration serverIdleTimeout;
        private Duration connectionLifetime = Duration.ZERO;
        private int queueSize = 1024;
        private Duration queueTimeout = Duration.ofSeconds(5);
        private int redispatchAttempts = 3;
        private ProxyProtocol sendProxyProtocol = ProxyProtocol.NONE;
        private final Map<String, ProxyProtocol> sendProxyProtocolTo = new LinkedHashMap<>();
        private final List<String> acceptProxyProtocolFrom = new ArrayList<>();
        private Duration proxyProtocolTimeout = Duration.ofSeconds(3);
        private boolean tcpNoDelay = true;
        private boolean keepAlive = true;
        private boolean closeConnectionsOnRemove;
        private int backlog = 1024;
        private boolean floatingAddress;
        private HttpOptions http = HttpOptions.defaults();

        private Builder() {}

        /** Client-side idle timeout (positive), or null for the virtual server's {@code idleTimeout}. */
        public Builder clientIdleTimeout(Duration timeout) {
            this.clientIdleTimeout = timeout == null ? null : positive(timeout, "clientIdleTimeout");
            return this;
        }

        /** Server-side idle timeout (positive), or null for the virtual server's {@code idleTimeout}. */
        public Builder serverIdleTimeout(Duration timeout) {
            this.serverIdleTimeout = timeout == null ? null : positive(timeout, "serverIdleTimeout");
            return this;
        }

        /** The longest life of a connection; {@link Duration#ZERO} (the default) is unlimited. */
        public Builder connectionLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "connectionLifetime");
            check(!lifetime.isNegative(), "connectionLifetime must be 0 (unlimited) or more but was %s", lifetime);
            this.connectionLifetime = lifetime;
            return this;
        }

        /** Queue length, 0..1,000,000 (default 1024). */
        public Builder queueSize(int size) {
            check(size >= 0 && size <= 1_000_000, "queueSize must be 0..1000000 but was %s", size);
            this.queueSize = size;
            return this;
        }

        /** Queue timeout, positive (default 5 s). */
        public Builder queueTimeout(Duration timeout) {
            this.queueTimeout = positive(timeout, "queueTimeout");
            return this;
        }

        /** Redispatch attempts, 0..100 (default 3). */
        public Builder redispatchAttempts(int attempts) {
            check(attempts >= 0 && attempts <= 100, "redispatchAttempts must be 0..100 but was %s", attempts);
            this.redispatchAttempts = attempts;
            return this;
        }

        /** The PROXY protocol header sent to every real server (default {@link ProxyProtocol#NONE}). */
        public Builder sendProxyProtocol(ProxyProtocol version) {
            this.sendProxyProtocol = Objects.requireNonNull(version, "sendProxyProtocol");
            return this;
        }

        /** The PROXY protocol header sent to one real server (by label), overriding the VIP's. */
        public Builder sendProxyProtocolTo(String realServerLabel, ProxyProtocol version) {
            Objects.requireNonNull(realServerLabel, "realServerLabel");
            this.sendProxyProtocolTo.put(realServerLabel, Objects.requireNonNull(version, "version"));
            return this;
        }

        /**
         * Accepts PROXY protocol headers from these networks only ({@code 10.0.0.0/8}, {@code ::1/128},
         * {@code 127.0.0.1}); replaces earlier ones; an empty list turns acceptance off.
         */
        public Builder acceptProxyProtocolFrom(List<String> cidrs) {
            try {
                TrustedSources parsed = TrustedSources.of(cidrs);
                this.acceptProxyProtocolFrom.clear();
                this.acceptProxyProtocolFrom.addAll(parsed.networks());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("proxy options: acceptProxyProtocolFrom: " + e.getMessage(), e);
            }
            return this;
        }

        /** How long a trusted client has to send its header, positive (default 3 s). */
        public Builder proxyProtocolTimeout(Duration timeout) {
            this.proxyProtocolTimeout = positive(timeout, "proxyProtocolTimeout");
            return this;
        }

        public Builder tcpNoDelay(boolean on) {
            this.tcpNoDelay = on;
            return this;
        }

        public Builder keepAlive(boolean on) {
            this.keepAlive = on;
            return this;
        }

        public Builder closeConnectionsOnRemove(boolean on) {
            this.closeConnectionsOnRemove = on;
            return this;
        }

        /** Whether the VIP is a floating IP the listener may wait for (default false); see {@link #floatingAddress()}. */
        public Builder floatingAddress(boolean on) {
            this.floatingAddress = on;
            return this;
        }

        /** Listen backlog, 1..65535 (default 1024). */
        public Builder backlog(int backlog) {
            check(backlog >= 1 && backlog <= 65535, "backlog must be 1..65535 but was %s", backlog);
            this.backlog = backlog;
            return this;
        }

        /** The settings of the HTTP proxy (default {@link HttpOptions#defaults()}). */
        public Builder http(HttpOptions http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        public ProxyOptions build() {
            return new ProxyOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            check(!d.isNegative() && !d.isZero(), "%s must be positive but was %s", name, d);
            return d;
        }

        private static void check(boolean ok, String format, Object... args) {
            if (!ok) {
                throw new IllegalArgumentException("proxy options: " + String.format(format, args));
            }
        }
    }
}
