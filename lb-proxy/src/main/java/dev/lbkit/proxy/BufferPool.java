package dev.lbkit.proxy;

import java.nio.ByteBuffer;

/**
 * A bounded free list of direct buffers of one size, owned by one {@link IoLoop}: not thread-safe, and needs no
 * lock because only its loop's thread leases and returns. Whoever calls {@link #lease()} owns the buffer until
 * it hands it back with {@link #release}; every method that passes a buffer on says who then owns it.
 *
 * <p>The free list keeps at most {@code maxFree} buffers; a lease from an empty list allocates a new buffer and
 * a release to a full list drops the buffer for the garbage collector. Memory in use is bounded by the callers:
 * a proxied connection holds at most one buffer per direction (back-pressure), and none while idle.
 *
 * <p>The counters are written by the owning thread only and may be read from any thread (a test asserting that
 * no buffer leaked reads them after the loop stopped).
 */
final class BufferPool {
    private final int bufferSize;
    private final ByteBuffer[] free;
    private int freeCount;
    private volatile long leased;
    private volatile long returned;
    private volatile long allocated;

    BufferPool(int bufferSize, int maxFree) {
        this.bufferSize = bufferSize;
        this.free = new ByteBuffer[maxFree];
    }

    /** A cleared buffer; the caller owns it and must {@link #release} it exactly once. */
    ByteBuffer lease() {
        leased++; // single writer: the loop thread
        if (freeCount > 0) {
            ByteBuffer b = free[--freeCount];
            free[freeCount] = null;
            return b;
        }
        allocated++;
        return ByteBuffer.allocateDirect(bufferSize);
    }

    /** Takes the buffer back from its owner, who must not touch it again. Null is ignored. */
    void release(ByteBuffer b) {
        if (b == null) {
            return;
        }
        returned++;
        b.clear();
        if (freeCount < free.length) {
            free[freeCount++] = b;
        }
    }

    /** Drops the free buffers (when the loop stops). */
    void clear() {
        for (int i = 0; i < freeCount; i++) {
            free[i] = null;
        }
        freeCount = 0;
    }

    long leased() {
        return leased;
    }

    long returned() {
        return returned;
    }

    long allocated() {
        return allocated;
    }

    int free() {
        return freeCount;
    }

    int bufferSize() {
        return bufferSize;
    }
}
