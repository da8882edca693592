package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;

/** The incremental head parser shared by {@link HttpRequestParser} and {@link HttpResponseParser}. */
final class HeadParser {
    final HttpLimits limits;
    private final boolean requests;

    HeadParser(HttpLimits limits, boolean requests) {
        if (limits == null) {
            throw new NullPointerException("limits");
        }
        this.limits = limits;
        this.requests = requests;
    }

    HttpHead parse(ByteBuffer in, HttpRequestHead request) throws HttpCodecException {
        throw new UnsupportedOperationException("not yet");
    }

    boolean isIdle() {
        return true;
    }

    int bufferedBytes() {
        return 0;
    }

    void reset() {
    }

    static HttpMethod checkMethod(byte[] a, int off, int len, boolean rejectUnknown) throws HttpCodecException {
        throw new UnsupportedOperationException("not yet");
    }

    static TargetForm checkTarget(HttpMethod method, byte[] a, int off, int len) throws HttpCodecException {
        throw new UnsupportedOperationException("not yet");
    }

    static void putVersion(ByteBuffer out, HttpVersion version) {
        out.put((byte) 'H').put((byte) 'T').put((byte) 'T').put((byte) 'P').put((byte) '/').put((byte) '1')
                .put((byte) '.').put((byte) (version == HttpVersion.HTTP_1_0 ? '0' : '1'));
    }
}
