package dev.lbkit.ipvs;

/**
 * IPVS's global connection timeouts, in seconds ({@code ipvsadm --set tcp tcpfin udp}). When setting, 0
 * leaves a value unchanged.
 *
 * @param tcp    established TCP connections (kernel default 900)
 * @param tcpFin TCP connections after a FIN (default 120)
 * @param udp    UDP "connections" (default 300)
 */
public record IpvsTimeouts(int tcp, int tcpFin, int udp) {
    public IpvsTimeouts {
        if (tcp < 0 || tcpFin < 0 || udp < 0) {
            throw new IllegalArgumentException("timeouts must be 0 or more seconds but were " + tcp + "/" + tcpFin
                    + "/" + udp);
        }
    }
}
