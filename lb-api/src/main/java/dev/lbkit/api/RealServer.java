package dev.lbkit.api;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A backend server (RIP) of a virtual server: immutable, built with {@link #builder(String)}.
 *
 * <p>Within a {@link VirtualServer} a real server is identified by its label; changing any other field is a
 * change of that real server, changing the label is a removal and an addition.
 *
 * <p>Defaults: port 0 (the VIP's port), weight 1, no connection thresholds, the virtual server's forwarding
 * method, requested status {@link RequestedStatus#ONLINE}.
 */
public final class RealServer {
    /** Largest weight, as IPVS allows. */
    public static final int MAX_WEIGHT = 65535;

    private final String label;
    private final InetAddress address;
    private final int port;
    private final int weight;
    private final int minConnections;
    private final int maxConnections;
    private final ForwardingMethod forwardingMethod; // null: the virtual server's
    private final RequestedStatus requestedStatus;

    private RealServer(Builder b) {
        this.label = b.label;
        this.address = b.address;
        this.port = b.port;
        this.weight = b.weight;
        this.minConnections = b.minConnections;
        this.maxConnections = b.maxConnections;
        this.forwardingMethod = b.forwardingMethod;
        this.requestedStatus = b.requestedStatus;
    }

    /** A builder for a real server with this label. */
    public static Builder builder(String label) {
        return new Builder(label);
    }

    /** A builder holding this real server's values. */
    public Builder toBuilder() {
        Builder b = new Builder(label);
        b.address = address;
        b.port = port;
        b.weight = weight;
        b.minConnections = minConnections;
        b.maxConnections = maxConnections;
        b.forwardingMethod = forwardingMethod;
        b.requestedStatus = requestedStatus;
        return b;
    }

    /** The label: unique within its virtual server; used in metric names and messages. */
    public String label() {
        return label;
    }

    /** The address (RIP). */
    public InetAddress address() {
        return address;
    }

    /** The port, 0..65535; 0 means the VIP's own port. */
    public int port() {
        return port;
    }

    /** The port traffic is sent to: {@link #port()}, or {@code vipPort} when it is 0. */
    public int effectivePort(int vipPort) {
        return port == 0 ? vipPort : port;
    }

    /** The share of new connections, 0..65535; 0 means no new connections (quiesced). */
    public int weight() {
        return weight;
    }

    /**
     * IPVS's lower threshold: once a server is full it takes new connections again only when its connections
     * fall below this (0: below three quarters of {@link #maxConnections()}).
     */
    public int minConnections() {
        return minConnections;
    }

    /** The most connections this server is given (IPVS's upper threshold); 0 is unlimited. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The forwarding method set on this real server, or empty to use its virtual server's. */
    public Optional<ForwardingMethod> forwardingMethod() {
        return Optional.ofNullable(forwardingMethod);
    }

    /** What the operator asked of this server. */
    public RequestedStatus requestedStatus() {
        return requestedStatus;
    }

    /** A copy with another weight. */
    public RealServer withWeight(int weight) {
        return toBuilder().weight(weight).build();
    }

    /** A copy with another requested status. */
    public RealServer withRequestedStatus(RequestedStatus status) {
        return toBuilder().requestedStatus(status).build();
    }

    /** {@code 10.0.0.2:80} or {@code [2001:db8::2]:80}; port 0 is written as is. */
    public String endpoint() {
        return Addresses.format(address, port);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RealServer)) {
            return false;
        }
        RealServer r = (RealServer) o;
        return port == r.port && weight == r.weight && minConnections == r.minConnections
                && maxConnections == r.maxConnections && label.equals(r.label) && address.equals(r.address)
                && forwardingMethod == r.forwardingMethod && requestedStatus == r.requestedStatus;
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, address, port, weight, minConnections, maxConnections, forwardingMethod,
                requestedStatus);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RealServer{").append(label).append(' ').append(endpoint())
                .append(" weight=").append(weight);
        if (maxConnections > 0 || minConnections > 0) {
            s.append(" connections=").append(minConnections).append("..").append(maxConnections);
        }
        if (forwardingMethod != null) {
            s.append(' ').append(forwardingMethod);
        }
        if (requestedStatus != RequestedStatus.ONLINE) {
            s.append(' ').append(requestedStatus);
        }
        return s.append('}').toString();
    }

    /** Builds a {@link RealServer}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String label;
        private InetAddress address;
        private int port;
        private int weight = 1;
        private int minConnections;
        private int maxConnections;
        private ForwardingMethod forwardingMethod;
        private RequestedStatus requestedStatus = RequestedStatus.ONLINE;

        private Builder(String label) {
            this.label = label;
        }

        /** The address (required). */
        public Builder address(InetAddress address) {
            this.address = address;
            return this;
        }

        /**
         * The address as an IP literal ({@code 10.0.0.2}, {@code 2001:db8::2}); no name is looked up.
         *
         * @throws IllegalArgumentException naming the text when it is not an IP literal
         */
        public Builder address(String ipLiteral) {
            try {
                this.address = Addresses.parseLiteral(ipLiteral);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix() + "address: " + e.getMessage(), e);
            }
            return this;
        }

        /** The port, 0..65535; 0 (the default) is the VIP's port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The weight, 0..65535 (default 1). */
        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        /** IPVS's lower threshold (default 0). */
        public Builder minConnections(int minConnections) {
            this.minConnections = minConnections;
            return this;
        }

        /** IPVS's upper threshold; 0 (the default) is unlimited. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /** Overrides the virtual server's forwarding method for this real server (IPVS methods only mix). */
        public Builder forwardingMethod(ForwardingMethod method) {
            this.forwardingMethod = method;
            return this;
        }

        /** The requested status (default {@link RequestedStatus#ONLINE}). */
        public Builder requestedStatus(RequestedStatus status) {
            this.requestedStatus = status;
            return this;
        }

        private String prefix() {
            return "real server " + (label == null ? "(no label)" : "'" + label + "'") + ": ";
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the real server, the field and the value
         */
        public RealServer build() {
            try {
                Validation.label(label, "real server");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("real server: " + e.getMessage(), e);
            }
            try {
                Validation.notNull(address, "address");
                Validation.range(port, 0, 65535, "port");
                Validation.range(weight, 0, MAX_WEIGHT, "weight");
                Validation.check(minConnections >= 0, "minConnections must be 0 or more but was %d", minConnections);
                Validation.check(maxConnections >= 0, "maxConnections must be 0 (unlimited) or more but was %d",
                        maxConnections);
                Validation.check(maxConnections == 0 || minConnections <= maxConnections,
                        "minConnections must not exceed maxConnections but was %d > %d", minConnections,
                        maxConnections);
                Validation.notNull(requestedStatus, "requestedStatus");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix() + e.getMessage(), e);
            }
            return new RealServer(this);
        }
    }
}
