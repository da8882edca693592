package dev.lbkit.ipvs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * IPVS settings of one virtual server that lbkit's model does not carry (they exist only in the kernel),
 * given to {@link IpvsDataplane} by virtual-server label. Immutable; built with {@link #builder()}.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>ipvsadm</th><th>meaning</th></tr>
 *   <tr><td>{@code onePacket}</td><td>false</td><td>{@code -o}</td><td>schedule every UDP datagram on its own
 *       (no connection entry kept)</td></tr>
 *   <tr><td>{@code schedulerFallback}</td><td>false</td><td>{@code -b sh-fallback} / {@code mh-fallback}</td>
 *       <td>sh and mh only: when the hashed server has weight 0 or is full, use another</td></tr>
 *   <tr><td>{@code schedulerPort}</td><td>false</td><td>{@code -b sh-port} / {@code mh-port}</td>
 *       <td>sh and mh only: hash the client's port too</td></tr>
 *   <tr><td>{@code persistenceEngine}</td><td>none</td><td>{@code --pe sip}</td><td>persistence by SIP
 *       Call-ID; needs source-IP persistence and a UDP service</td></tr>
 *   <tr><td>{@code tunnelType}</td><td>IPIP</td><td>{@code --tun-type}</td><td>encapsulation of TUNNEL real
 *       servers</td></tr>
 *   <tr><td>{@code tunnelPort}</td><td>0</td><td>{@code --tun-port}</td><td>GUE's UDP port (required for
 *       GUE, GUE only)</td></tr>
 *   <tr><td>{@code tunnelChecksum}</td><td>false</td><td>{@code --tun-csum}</td><td>GUE/GRE checksums</td></tr>
 *   <tr><td>{@code tunnelRemoteChecksum}</td><td>false</td><td>{@code --tun-remcsum}</td><td>GUE remote checksum
 *       offload</td></tr>
 *   <tr><td>{@code realServerTunnel(label, tunnel)}</td><td>the above</td><td>{@code --tun-*} on one
 *       {@code -a}</td><td>the encapsulation of one TUNNEL real server, by real-server label</td></tr>
 * </table>
 */
public final class IpvsOptions {
    private static final IpvsOptions DEFAULTS = builder().build();

    private final boolean onePacket;
    private final boolean schedulerFallback;
    private final boolean schedulerPort;
    private final String persistenceEngine;
    private final TunnelType tunnelType;
    private final int tunnelPort;
    private final boolean tunnelChecksum;
    private final boolean tunnelRemoteChecksum;
    private final Map<String, Tunnel> realServerTunnels;

    /**
     * The encapsulation of TUNNEL real servers: type, GUE port, checksum flags.
     *
     * @param type           IPIP, GUE or GRE
     * @param port           GUE's UDP port (1..65535, GUE only), else 0
     * @param checksum       GUE/GRE checksums
     * @param remoteChecksum GUE remote checksum offload (excludes {@code checksum})
     */
    public record Tunnel(TunnelType type, int port, boolean checksum, boolean remoteChecksum) {
        /** IPIP, IPVS's default. */
        public static final Tunnel IPIP = new Tunnel(TunnelType.IPIP, 0, false, false);

        /**
         * @throws IllegalArgumentException naming the field and value for a combination the kernel refuses
         */
        public Tunnel {
            check("", type, port, checksum, remoteChecksum);
        }

        /** The IP_VS_TUNNEL_ENCAP_FLAG_* bits. */
        int flags() {
            return (checksum ? IpvsAttributes.TUNNEL_ENCAP_FLAG_CSUM : 0)
                    | (remoteChecksum ? IpvsAttributes.TUNNEL_ENCAP_FLAG_REMCSUM : 0);
        }

        static void check(String where, TunnelType type, int port, boolean checksum, boolean remoteChecksum) {
            String p = "ipvs options: " + where;
            Objects.requireNonNull(type, "tunnelType");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(p + "tunnelPort must be 0..65535 but was " + port);
            }
            if (type == TunnelType.GUE && port == 0) {
                throw new IllegalArgumentException(p + "tunnelType GUE needs a tunnelPort (1..65535)");
            }
            if (type != TunnelType.GUE && port != 0) {
                throw new IllegalArgumentException(p + "tunnelPort applies to GUE only, not " + type);
            }
            if (type == TunnelType.IPIP && checksum) {
                throw new IllegalArgumentException(p + "tunnelChecksum applies to GUE and GRE only");
            }
            if (remoteChecksum && type != TunnelType.GUE) {
                throw new IllegalArgumentException(p + "tunnelRemoteChecksum applies to GUE only");
            }
            if (checksum && remoteChecksum) {
                throw new IllegalArgumentException(p + "tunnelChecksum and tunnelRemoteChecksum exclude each other");
            }
        }
    }

    private IpvsOptions(Builder b) {
        this.onePacket = b.onePacket;
        this.schedulerFallback = b.schedulerFallback;
        this.schedulerPort = b.schedulerPort;
        this.persistenceEngine = b.persistenceEngine;
        this.tunnelType = b.tunnelType;
        this.tunnelPort = b.tunnelPort;
        this.tunnelChecksum = b.tunnelChecksum;
        this.tunnelRemoteChecksum = b.tunnelRemoteChecksum;
        this.realServerTunnels = Collections.unmodifiableMap(new LinkedHashMap<>(b.realServerTunnels));
    }

    /** Every option at its default. */
    public static IpvsOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.onePacket = onePacket;
        b.schedulerFallback = schedulerFallback;
        b.schedulerPort = schedulerPort;
        b.persistenceEngine = persistenceEngine;
        b.tunnelType = tunnelType;
        b.tunnelPort = tunnelPort;
        b.tunnelChecksum = tunnelChecksum;
        b.tunnelRemoteChecksum = tunnelRemoteChecksum;
        b.realServerTunnels.putAll(realServerTunnels);
        return b;
    }

    public boolean onePacket() {
        return onePacket;
    }

    public boolean schedulerFallback() {
        return schedulerFallback;
    }

    public boolean schedulerPort() {
        return schedulerPort;
    }

    /** The persistence engine name ({@code sip}), or null. */
    public String persistenceEngine() {
        return persistenceEngine;
    }

    public TunnelType tunnelType() {
        return tunnelType;
    }

    public int tunnelPort() {
        return tunnelPort;
    }

    public boolean tunnelChecksum() {
        return tunnelChecksum;
    }

    public boolean tunnelRemoteChecksum() {
        return tunnelRemoteChecksum;
    }

    /** The IP_VS_TUNNEL_ENCAP_FLAG_* bits. */
    int tunnelFlags() {
        return (tunnelChecksum ? IpvsAttributes.TUNNEL_ENCAP_FLAG_CSUM : 0)
                | (tunnelRemoteChecksum ? IpvsAttributes.TUNNEL_ENCAP_FLAG_REMCSUM : 0);
    }

    /** The encapsulation of TUNNEL real servers that have none of their own. */
    public Tunnel tunnel() {
        return new Tunnel(tunnelType, tunnelPort, tunnelChecksum, tunnelRemoteChecksum);
    }

    /** The encapsulation of one TUNNEL real server: its own if set, else {@link #tunnel()}. */
    public Tunnel tunnel(String realServer) {
        Tunnel t = realServerTunnels.get(realServer);
        return t != null ? t : tunnel();
    }

    /** The per-real-server encapsulations, by real-server label. */
    public Map<String, Tunnel> realServerTunnels() {
        return realServerTunnels;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IpvsOptions)) {
            return false;
        }
        IpvsOptions x = (IpvsOptions) o;
        return onePacket == x.onePacket && schedulerFallback == x.schedulerFallback
                && schedulerPort == x.schedulerPort && Objects.equals(persistenceEngine, x.persistenceEngine)
                && tunnelType == x.tunnelType && tunnelPort == x.tunnelPort && tunnelChecksum == x.tunnelChecksum
                && tunnelRemoteChecksum == x.tunnelRemoteChecksum && realServerTunnels.equals(x.realServerTunnels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(onePacket, schedulerFallback, schedulerPort, persistenceEngine, tunnelType, tunnelPort,
                tunnelChecksum, tunnelRemoteChecksum, realServerTunnels);
    }

    @Override
    public String toString() {
        return "IpvsOptions{onePacket=" + onePacket + ", schedulerFallback=" + schedulerFallback
                + ", schedulerPort=" + schedulerPort + ", persistenceEngine=" + persistenceEngine + ", tunnel="
                + tunnelType + (tunnelPort == 0 ? "" : ":" + tunnelPort) + (tunnelChecksum ? " csum" : "")
                + (tunnelRemoteChecksum ? " remcsum" : "")
                + (realServerTunnels.isEmpty() ? "" : ", realServerTunnels=" + realServerTunnels) + '}';
    }

    /** Builds {@link IpvsOptions}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private boolean onePacket;
        private boolean schedulerFallback;
        private boolean schedulerPort;
        private String persistenceEngine;
        private TunnelType tunnelType = TunnelType.IPIP;
        private int tunnelPort;
        private boolean tunnelChecksum;
        private boolean tunnelRemoteChecksum;
        private final Map<String, Tunnel> realServerTunnels = new LinkedHashMap<>();

        private Builder() {}

        public Builder onePacket(boolean v) {
            onePacket = v;
            return this;
        }

        public Builder schedulerFallback(boolean v) {
            schedulerFallback = v;
            return this;
        }

        public Builder schedulerPort(boolean v) {
            schedulerPort = v;
            return this;
        }

        /** {@code sip}, or null for none. */
        public Builder persistenceEngine(String v) {
            persistenceEngine = v;
            return this;
        }

        public Builder tunnelType(TunnelType v) {
            tunnelType = Objects.requireNonNull(v, "tunnelType");
            return this;
        }

        public Builder tunnelPort(int v) {
            tunnelPort = v;
            return this;
        }

        public Builder tunnelChecksum(boolean v) {
            tunnelChecksum = v;
            return this;
        }

        public Builder tunnelRemoteChecksum(boolean v) {
            tunnelRemoteChecksum = v;
            return this;
        }

        /**
         * The encapsulation of one TUNNEL real server, by its label (null: back to the virtual server's own);
         * {@code ipvsadm -a ... -i --tun-type ...} of that one real server.
         */
        public Builder realServerTunnel(String realServer, Tunnel tunnel) {
            Objects.requireNonNull(realServer, "realServer");
            if (tunnel == null) {
                realServerTunnels.remove(realServer);
            } else {
                realServerTunnels.put(realServer, tunnel);
            }
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option and the value
         */
        public IpvsOptions build() {
            if (persistenceEngine != null && !persistenceEngine.equals("sip")) {
                throw new IllegalArgumentException("ipvs options: persistenceEngine must be 'sip' or null but was '"
                        + persistenceEngine + "'");
            }
            Tunnel.check("", tunnelType, tunnelPort, tunnelChecksum, tunnelRemoteChecksum);
            return new IpvsOptions(this);
        }
    }
}
