package dev.lbkit.ipvs;

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

    private IpvsOptions(Builder b) {
        this.onePacket = b.onePacket;
        this.schedulerFallback = b.schedulerFallback;
        this.schedulerPort = b.schedulerPort;
        this.persistenceEngine = b.persistenceEngine;
        this.tunnelType = b.tunnelType;
        this.tunnelPort = b.tunnelPort;
        this.tunnelChecksum = b.tunnelChecksum;
        this.tunnelRemoteChecksum = b.tunnelRemoteChecksum;
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

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IpvsOptions)) {
            return false;
        }
        IpvsOptions x = (IpvsOptions) o;
        return onePacket == x.onePacket && schedulerFallback == x.schedulerFallback
                && schedulerPort == x.schedulerPort && Objects.equals(persistenceEngine, x.persistenceEngine)
                && tunnelType == x.tunnelType && tunnelPort == x.tunnelPort && tunnelChecksum == x.tunnelChecksum
                && tunnelRemoteChecksum == x.tunnelRemoteChecksum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(onePacket, schedulerFallback, schedulerPort, persistenceEngine, tunnelType, tunnelPort,
                tunnelChecksum, tunnelRemoteChecksum);
    }

    @Override
    public String toString() {
        return "IpvsOptions{onePacket=" + onePacket + ", schedulerFallback=" + schedulerFallback
                + ", schedulerPort=" + schedulerPort + ", persistenceEngine=" + persistenceEngine + ", tunnel="
                + tunnelType + (tunnelPort == 0 ? "" : ":" + tunnelPort) + (tunnelChecksum ? " csum" : "")
                + (tunnelRemoteChecksum ? " remcsum" : "") + '}';
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
         * @throws IllegalArgumentException naming the option and the value
         */
        public IpvsOptions build() {
            if (persistenceEngine != null && !persistenceEngine.equals("sip")) {
                throw new IllegalArgumentException("ipvs options: persistenceEngine must be 'sip' or null but was '"
                        + persistenceEngine + "'");
            }
            if (tunnelPort < 0 || tunnelPort > 65535) {
                throw new IllegalArgumentException("ipvs options: tunnelPort must be 0..65535 but was " + tunnelPort);
            }
            if (tunnelType == TunnelType.GUE && tunnelPort == 0) {
                throw new IllegalArgumentException("ipvs options: tunnelType GUE needs a tunnelPort (1..65535)");
            }
            if (tunnelType != TunnelType.GUE && tunnelPort != 0) {
                throw new IllegalArgumentException("ipvs options: tunnelPort applies to GUE only, not " + tunnelType);
            }
            if (tunnelType == TunnelType.IPIP && tunnelChecksum) {
                throw new IllegalArgumentException("ipvs options: tunnelChecksum applies to GUE and GRE only");
            }
            if (tunnelRemoteChecksum && tunnelType != TunnelType.GUE) {
                throw new IllegalArgumentException("ipvs options: tunnelRemoteChecksum applies to GUE only");
            }
            if (tunnelChecksum && tunnelRemoteChecksum) {
                throw new IllegalArgumentException("ipvs options: tunnelChecksum and tunnelRemoteChecksum exclude "
                        + "each other");
            }
            return new IpvsOptions(this);
        }
    }
}
