package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;

/** The chunked-body state machine behind {@link HttpBodyScanner}. */
final class ChunkedScanner {
    private final HttpLimits limits;
    private boolean complete;

    ChunkedScanner(HttpLimits limits) {
        this.limits = limits;
    }

    void reset() {
        complete = false;
    }

    boolean isComplete() {
        return complete;
    }

    int scan(ByteBuffer buf, int offset, int length) throws HttpCodecException {
        throw new UnsupportedOperationException("not yet");
    }
}
