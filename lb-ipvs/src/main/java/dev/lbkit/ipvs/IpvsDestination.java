package dev.lbkit.ipvs;

import dev.lbkit.api.ForwardingMethod;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPVS destination (real server) as the kernel holds it.
 *
 * @param address               the real server's address (its family may differ from the service's only for
 *                              tunnelling)
 * @param port                  the port (for direct routing and tunnelling the service's port)
 * @param forwarding            the IP_VS_CONN_F_FWD_MASK bits: 0 masquerading (NAT), 1 local node, 2 tunnel,
 *                              3 direct routing
 * @param weight                0..65535; 0 takes no new connections
 * @param upperThreshold        the most connections, 0 unlimited
 * @param lowerThreshold        the level below which a full server is used again; at most the upper threshold
 * @param tunnelType            the encapsulation of a tunnel destination (IPIP for others)
 * @param tunnelPort            the GUE port, else 0
 * @param tunnelFlags           IP_VS_TUNNEL_ENCAP_FLAG_* (1 checksum, 2 remote checksum offload)
 * @param activeConnections     connections in ESTABLISHED (read back only)
 * @param inactiveConnections   connections in other states (read back only)
 * @param persistentConnections persistence templates (read back only)
 * @param stats                 the counters (read back only)
 */
public record IpvsDestination(InetAddress address, int port, int forwarding, int weight, int upperThreshold,
        int lowerThreshold, TunnelType tunnelType, int tunnelPort, int tunnelFlags, long activeConnections,
        long inactiveConnections, long persistentConnections, IpvsStats stats) {

    public IpvsDestination {
        Objects.requireNonNull(address, "address");
        tunnelType = tunnelType == null ? TunnelType.IPIP : tunnelType;
        stats = stats == null ? IpvsStats.ZERO : stats;
    }

    /** A destination with these settings, no tunnel options, and zero counters. */
    public static IpvsDestination of(InetAddress address, int port, ForwardingMethod method, int weight,
            int upperThreshold, int lowerThreshold) {
        return new IpvsDestination(address, port, forwardingFlags(method), weight, upperThreshold, lowerThreshold,
                TunnelType.IPIP, 0, 0, 0, 0, 0, IpvsStats.ZERO);
    }

    /** A copy with tunnel options. */
    public IpvsDestination withTunnel(TunnelType type, int port, int flags) {
        return new IpvsDestination(address, this.port, forwarding, weight, upperThreshold, lowerThreshold, type, port,
                flags, activeConnections, inactiveConnections, persistentConnections, stats);
    }

    /** The kernel's forwarding bits of an IPVS method. */
    public static int forwardingFlags(ForwardingMethod method) {
        switch (method) {
            case NAT:
                return IpvsAttributes.CONN_F_MASQ;
            case TUNNEL:
                return IpvsAttributes.CONN_F_TUNNEL;
            case DIRECT_ROUTING:
                return IpvsAttributes.CONN_F_DROUTE;
            default:
                throw new IllegalArgumentException(method + " is not an IPVS forwarding method");
        }
    }

    /** The forwarding method, or null for the kernel's local-node forwarding (a destination on this host). */
    public ForwardingMethod forwardingMethod() {
        switch (forwarding & IpvsAttributes.CONN_F_FWD_MASK) {
            case IpvsAttributes.CONN_F_MASQ:
                return ForwardingMethod.NAT;
            case IpvsAttributes.CONN_F_TUNNEL:
                return ForwardingMethod.TUNNEL;
            case IpvsAttributes.CONN_F_DROUTE:
                return ForwardingMethod.DIRECT_ROUTING;
            default:
                return null;
        }
    }

    /** The destination's identity within its service. */
    public Key key() {
        return new Key(address, port);
    }

    /** Address and port: what identifies a destination within a service. */
    public record Key(InetAddress address, int port) {
        @Override
        public String toString() {
            String h = address.getHostAddress();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
        }
    }

    /** True when the settings lbkit manages are equal (tunnel options only matter for tunnel destinations). */
    public boolean sameSettings(IpvsDestination o) {
        boolean same = (forwarding & IpvsAttributes.CONN_F_FWD_MASK) == (o.forwarding & IpvsAttributes.CONN_F_FWD_MASK)
                && weight == o.weight && upperThreshold == o.upperThreshold && lowerThreshold == o.lowerThreshold;
        if (same && (forwarding & IpvsAttributes.CONN_F_FWD_MASK) == IpvsAttributes.CONN_F_TUNNEL) {
            same = tunnelType == o.tunnelType && tunnelPort == o.tunnelPort && tunnelFlags == o.tunnelFlags;
        }
        return same;
    }
}
