package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;

/**
 * Follows a message body over the bytes after its head, without copying or changing them, and says where it
 * ends: the proxy forwards the bytes unchanged (zero-copy pass-through) and learns where the next pipelined
 * message starts. A chunked body is validated as it passes: chunk-size lines, extensions, the CRLF after each
 * chunk's data and the trailer section are checked byte by byte; chunk data is skipped by counting.
 *
 * <h2>How to call it</h2>
 * <pre>{@code
 * HttpBodyScanner body = HttpBodyScanner.forMessage(head, limits);   // or body.reset(head) to reuse one
 * // each time bytes arrive (buffer in read mode, position at the first byte not yet scanned):
 * int n = body.scan(in);            // n bytes from in.position() belong to the body; position not moved
 * // forward those n bytes unchanged, then advance past them
 * if (body.isComplete()) { ... }    // the body ended after those n bytes; what follows is the next message
 * // at end of input:
 * if (!body.endOfInput()) { ... }   // truncated body
 * }</pre>
 * {@link #scan(ByteBuffer, int, int)} takes an absolute range for callers whose buffer position means something
 * else. Never pass the same bytes twice: the scanner keeps its place in the body, not in the buffer.
 *
 * <table>
 *   <caption>what each framing does</caption>
 *   <tr><th>framing</th><th>scan returns</th><th>complete</th></tr>
 *   <tr><td>NONE</td><td>0</td><td>at once</td></tr>
 *   <tr><td>CONTENT_LENGTH</td><td>up to the remaining length</td><td>after that many bytes</td></tr>
 *   <tr><td>CHUNKED</td><td>up to the end of the trailer section</td><td>after the CRLF ending it</td></tr>
 *   <tr><td>UNTIL_CLOSE</td><td>everything</td><td>at {@link #endOfInput()}</td></tr>
 *   <tr><td>TUNNEL</td><td>everything</td><td>never (the connection is a byte tunnel)</td></tr>
 * </table>
 *
 * <p>Chunked rules (RFC 9112 section 7.1): {@code chunk-size} is 1*HEXDIG (no sign, no whitespace, at most
 * {@link Long#MAX_VALUE}); extensions are {@code BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]}; the
 * line ends with CRLF and is at most {@link HttpLimits#maxChunkLineLength()} bytes; data is followed by exactly
 * CRLF; trailer fields obey the same rules as header fields (no obs-fold, no whitespace before the colon, token
 * names, no CTLs in values) and the same size and count limits. Violations throw {@link HttpCodecException} with
 * a chunk or field reason; the scanner is then unusable until {@link #reset}.
 *
 * <p>Not thread-safe; one per direction of a connection, reusable.
 */
public final class HttpBodyScanner {
    private final ChunkedScanner chunked;
    private BodyFraming framing;
    private long remaining;
    private long scanned;
    private boolean complete;

    private HttpBodyScanner(HttpLimits limits) {
        this.chunked = new ChunkedScanner(limits);
    }

    /** A scanner for the body following {@code head}, by its {@link HttpHead#framing()}. */
    public static HttpBodyScanner forMessage(HttpHead head, HttpLimits limits) {
        HttpBodyScanner s = new HttpBodyScanner(limits);
        s.reset(head);
        return s;
    }

    /** A scanner for a body of the given framing; {@code contentLength} is used only with
     *  {@link BodyFraming#CONTENT_LENGTH} and must then be >= 0. */
    public static HttpBodyScanner of(BodyFraming framing, long contentLength, HttpLimits limits) {
        HttpBodyScanner s = new HttpBodyScanner(limits);
        s.reset(framing, contentLength);
        return s;
    }

    /** Starts over for the body following {@code head}. */
    public void reset(HttpHead head) {
        reset(head.framing(), head.contentLength());
    }

    /** Starts over for a body of the given framing. */
    public void reset(BodyFraming framing, long contentLength) {
        if (framing == null) {
            throw new NullPointerException("framing");
        }
        if (framing == BodyFraming.CONTENT_LENGTH && contentLength < 0) {
            throw new IllegalArgumentException("contentLength must be >= 0 but was " + contentLength);
        }
        this.framing = framing;
        this.remaining = framing == BodyFraming.CONTENT_LENGTH ? contentLength : -1;
        this.scanned = 0;
        this.complete = framing == BodyFraming.NONE || (framing == BodyFraming.CONTENT_LENGTH && contentLength == 0);
        chunked.reset();
    }

    /** Scans from {@code in.position()} to its limit; see {@link #scan(ByteBuffer, int, int)}. */
    public int scan(ByteBuffer in) throws HttpCodecException {
        return scan(in, in.position(), in.remaining());
    }

    /**
     * Scans {@code length} bytes of {@code buf} from absolute index {@code offset}, reading them with absolute gets
     * and changing nothing in the buffer.
     *
     * @return how many of them, from {@code offset}, belong to the body (0 when it is already complete)
     * @throws HttpCodecException when a chunked body is malformed
     */
    public int scan(ByteBuffer buf, int offset, int length) throws HttpCodecException {
        if (complete || length <= 0) {
            return 0;
        }
        int n;
        switch (framing) {
            case CONTENT_LENGTH:
                n = (int) Math.min(length, remaining);
                remaining -= n;
                complete = remaining == 0;
                break;
            case CHUNKED:
                n = chunked.scan(buf, offset, length);
                complete = chunked.isComplete();
                break;
            default:
                n = length;
                break;
        }
        scanned += n;
        return n;
    }

    /** Whether the body has ended: no byte after the ones already scanned belongs to it. */
    public boolean isComplete() {
        return complete;
    }

    /**
     * Tells the scanner the input ended (the peer closed). A body running {@linkplain BodyFraming#UNTIL_CLOSE
     * until close} becomes complete, and so does a {@linkplain BodyFraming#TUNNEL tunnel}.
     *
     * @return whether the body is complete; false means it was truncated
     */
    public boolean endOfInput() {
        if (framing == BodyFraming.UNTIL_CLOSE || framing == BodyFraming.TUNNEL) {
            complete = true;
        }
        return complete;
    }

    /** The framing being followed. */
    public BodyFraming framing() {
        return framing;
    }

    /** The body bytes scanned so far (for chunked bodies: framing, data and trailers, as on the wire). */
    public long scannedBytes() {
        return scanned;
    }

    /** For {@link BodyFraming#CONTENT_LENGTH}: the bytes still to come; -1 for other framings. Lets a caller
     *  forward a known-length body without scanning, e.g. with {@code FileChannel.transferTo}-style copies. */
    public long remainingLength() {
        return remaining;
    }
}
