package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;

/**
 * Parses response heads from a server connection's input, incrementally, exactly as {@link HttpRequestParser}
 * does for requests (same consumption contract, same limits: the status line is held to
 * {@link HttpLimits#maxRequestLineLength()}).
 *
 * <p>The framing of a response depends on the request it answers (RFC 9112 section 6.3): a response to HEAD has
 * no body, a 2xx to CONNECT and a 101 to an upgrade request become a {@link BodyFraming#TUNNEL}. So
 * {@link #parse(ByteBuffer, HttpRequestHead)} takes that request; pass the same one on every call for one
 * response. After an {@linkplain HttpResponseHead#isInterim() interim} 1xx, parse again for the final response.
 *
 * <p>Lenient on two points real servers need, strict on everything that frames a message: a status line
 * without the space before an empty reason phrase ({@code HTTP/1.1 200}) is accepted; Host is not required.
 * A Transfer-Encoding whose last coding is not chunked means the body runs until close (section 6.3, rule 4)
 * instead of being refused. Content-Length together with Transfer-Encoding is refused (502 to the client).
 *
 * <p>Not thread-safe; one per server connection.
 */
public final class HttpResponseParser {
    private final HeadParser core;

    /** A parser with the given limits. */
    public HttpResponseParser(HttpLimits limits) {
        this.core = new HeadParser(limits, false);
    }

    /** A parser with {@link HttpLimits#defaults()}. */
    public HttpResponseParser() {
        this(HttpLimits.defaults());
    }

    /**
     * Reads from {@code in} as much of the current response head as is there.
     *
     * @param request the request this response answers; null is read as a GET without upgrade (e.g. for a
     *     health check)
     * @return the complete head, or null when more bytes are needed
     * @throws HttpCodecException when the bytes cannot be a valid response head (answer the client 502)
     */
    public HttpResponseHead parse(ByteBuffer in, HttpRequestHead request) throws HttpCodecException {
        return (HttpResponseHead) core.parse(in, request);
    }

    /** Whether no byte of a head has been consumed since the last complete head (or reset). */
    public boolean isIdle() {
        return core.isIdle();
    }

    /** How many bytes of the current, incomplete head have been consumed. */
    public int bufferedBytes() {
        return core.bufferedBytes();
    }

    /** Forgets any partial head. */
    public void reset() {
        core.reset();
    }

    /**
     * Gives back a head this parser returned, once the caller is done with it (it was forwarded, nothing refers
     * to it any more): the next head is parsed into its storage instead of new arrays, so that a connection
     * parses head after head without allocating them. The head is emptied; using it afterwards fails. Optional:
     * a head never given back is simply left to the garbage collector; one given back twice is ignored.
     */
    public void recycle(HttpResponseHead head) {
        core.recycle(head);
    }

    /** The limits this parser enforces. */
    public HttpLimits limits() {
        return core.limits;
    }
}
