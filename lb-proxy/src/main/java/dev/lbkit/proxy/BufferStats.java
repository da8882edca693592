package dev.lbkit.proxy;

/**
 * The counters of a {@link ProxyDataplane}'s buffer pools at one moment, summed over its I/O loops.
 *
 * <p>Every running loop holds one buffer of its own (the scratch buffer every read goes into), so while the
 * dataplane runs {@link #outstanding()} is {@link #heldByLoops()} plus the buffers connections hold (at most one
 * per direction, none while idle); after {@link ProxyDataplane#close()} it is 0 unless a buffer leaked.
 *
 * @param leased      buffers handed out since the dataplane was built
 * @param returned    buffers handed back
 * @param allocated   direct buffers allocated (a lease from an empty free list allocates)
 * @param heldByLoops scratch buffers held by running loops
 * @param bufferSize  bytes per buffer
 */
public record BufferStats(long leased, long returned, long allocated, int heldByLoops, int bufferSize) {

    /** Buffers leased and not yet returned. */
    public long outstanding() {
        return leased - returned;
    }

    /** Buffers held by connections: {@link #outstanding()} minus the loops' own. */
    public long heldByConnections() {
        return outstanding() - heldByLoops;
    }
}
