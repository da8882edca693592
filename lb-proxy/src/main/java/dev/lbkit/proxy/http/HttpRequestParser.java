package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;

/**
 * Parses request heads from a connection's input, incrementally: bytes may arrive split at any point.
 *
 * <h2>How to call it</h2>
 * One parser per client connection. Each time bytes arrive, call {@link #parse(ByteBuffer)} with the input buffer
 * in read mode. The parser <em>consumes</em> (moves the position past) the bytes it reads and keeps its own copy of
 * the head so far, so the caller may compact or reuse the buffer between calls.
 * <ul>
 *   <li>it returns {@code null} when the head is not complete yet: all remaining bytes were consumed; call again
 *       when more arrive;</li>
 *   <li>it returns the {@link HttpRequestHead} when the head is complete: the position is just after the empty
 *       line that ends it, and the bytes from there on are the body (see {@link HttpBodyScanner}) or the next
 *       pipelined request. The parser is then ready for the next head;</li>
 *   <li>it throws {@link HttpCodecException} as soon as a byte is seen that no valid head could have there (or a
 *       limit is passed): answer {@link HttpCodecException#status()} and close; the parser is unusable until
 *       {@link #reset()}.</li>
 * </ul>
 * Each byte of a head is looked at once in the buffer and copied once; no per-byte allocation. Up to
 * {@value #LEADING_EMPTY_LINES} empty lines before a request line are skipped (RFC 9112 section 2.2).
 *
 * <p>Not thread-safe; one per connection.
 */
public final class HttpRequestParser {
    /** How many empty lines (CRLF) before a request line are ignored. */
    public static final int LEADING_EMPTY_LINES = 4;

    private final HeadParser core;

    /** A parser with the given limits. */
    public HttpRequestParser(HttpLimits limits) {
        this.core = new HeadParser(limits, true);
    }

    /** A parser with {@link HttpLimits#defaults()}. */
    public HttpRequestParser() {
        this(HttpLimits.defaults());
    }

    /**
     * Reads from {@code in} (read mode, position to limit) as much of the current head as is there.
     *
     * @return the complete head, or null when more bytes are needed
     * @throws HttpCodecException when the bytes cannot be a valid request head; nothing else is thrown for any
     *     content of the buffer
     */
    public HttpRequestHead parse(ByteBuffer in) throws HttpCodecException {
        return (HttpRequestHead) core.parse(in, null);
    }

    /** Whether no byte of a head has been consumed since the last complete head (or reset): tells an idle
     *  keep-alive connection (idle timeout) from one sending a head slowly (header timeout). Leading empty lines
     *  count as bytes of a head. */
    public boolean isIdle() {
        return core.isIdle();
    }

    /** How many bytes of the current, incomplete head have been consumed. */
    public int bufferedBytes() {
        return core.bufferedBytes();
    }

    /** Forgets any partial head, e.g. after an exception, to reuse the parser. */
    public void reset() {
        core.reset();
    }

    /**
     * Gives back a head this parser returned, once the caller is done with it (it was forwarded, nothing refers
     * to it any more): the next head is parsed into its storage instead of new arrays, so that a connection
     * parses head after head without allocating them. The head is emptied; using it afterwards fails. Optional:
     * a head never given back is simply left to the garbage collector; one given back twice is ignored.
     */
    public void recycle(HttpRequestHead head) {
        core.recycle(head);
    }

    /** The limits this parser enforces. */
    public HttpLimits limits() {
        return core.limits;
    }
}
