package dev.lbkit.api;

/**
 * Counters of one virtual or real server as a dataplane reports them. Counts are cumulative since the object
 * was created in the dataplane (or the counters were zeroed); a dataplane that cannot count something reports
 * 0 (the proxy counts no packets).
 *
 * @param activeConnections   connections open now (IPVS: ESTABLISHED)
 * @param inactiveConnections connections the dataplane still tracks but that carry no traffic (IPVS: other
 *                            states); always 0 for the proxy
 * @param connections         connections ever scheduled
 * @param packetsIn           packets from clients
 * @param packetsOut          packets to clients
 * @param bytesIn             bytes from clients
 * @param bytesOut            bytes to clients
 */
public record TrafficStats(long activeConnections, long inactiveConnections, long connections, long packetsIn,
        long packetsOut, long bytesIn, long bytesOut) {

    /** All counters zero. */
    public static final TrafficStats ZERO = new TrafficStats(0, 0, 0, 0, 0, 0, 0);

    /** The sum of two sets of counters. */
    public TrafficStats plus(TrafficStats o) {
        return new TrafficStats(activeConnections + o.activeConnections, inactiveConnections + o.inactiveConnections,
                connections + o.connections, packetsIn + o.packetsIn, packetsOut + o.packetsOut, bytesIn + o.bytesIn,
                bytesOut + o.bytesOut);
    }
}
