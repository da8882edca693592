package dev.lbkit.ipvs;

/**
 * The kernel's 64-bit counters of a service or destination (IPVS_*_ATTR_STATS64), and its rate estimates,
 * which the kernel's estimator refreshes about every 2 seconds.
 *
 * @param connections    connections scheduled
 * @param packetsIn      packets from clients
 * @param packetsOut     packets to clients (0 for direct routing and tunnelling, which never see them)
 * @param bytesIn        bytes from clients
 * @param bytesOut       bytes to clients
 * @param connectionRate connections per second
 * @param packetInRate   packets per second in
 * @param packetOutRate  packets per second out
 * @param byteInRate     bytes per second in
 * @param byteOutRate    bytes per second out
 */
public record IpvsStats(long connections, long packetsIn, long packetsOut, long bytesIn, long bytesOut,
        long connectionRate, long packetInRate, long packetOutRate, long byteInRate, long byteOutRate) {

    /** All zero. */
    public static final IpvsStats ZERO = new IpvsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
