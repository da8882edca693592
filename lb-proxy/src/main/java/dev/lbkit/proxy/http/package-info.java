/**
 * A strict HTTP/1.1 codec (RFC 9110, RFC 9112) for the Layer 7 proxy: incremental over NIO buffers, without
 * sockets.
 *
 * <ul>
 *   <li>{@link dev.lbkit.proxy.http.HttpRequestParser}, {@link dev.lbkit.proxy.http.HttpResponseParser}: bytes to
 *       heads, incrementally (input may be split at any byte), decide the body framing;</li>
 *   <li>{@link dev.lbkit.proxy.http.HttpRequestHead}, {@link dev.lbkit.proxy.http.HttpResponseHead}: the heads,
 *       with case-insensitive lookup, order- and case-preserving fields, edits for a proxy (add, set, remove,
 *       hop-by-hop removal) and serialisation into a {@link java.nio.ByteBuffer};</li>
 *   <li>{@link dev.lbkit.proxy.http.HttpBodyScanner}: follows a body (Content-Length, chunked with trailers, until
 *       close, tunnel) over bytes that are forwarded unchanged, validating chunked framing;</li>
 *   <li>{@link dev.lbkit.proxy.http.HttpLimits}: sizes and policies with safe defaults;</li>
 *   <li>{@link dev.lbkit.proxy.http.HttpCodecException}: malformed input, with a
 *       {@link dev.lbkit.proxy.http.HttpCodecException.Reason} to count and the status to answer.</li>
 * </ul>
 *
 * <p>Security stance: anything that two implementations could frame differently (request smuggling) is refused,
 * never repaired: Content-Length with Transfer-Encoding, differing Content-Lengths, a Transfer-Encoding that does
 * not end in chunked, obs-fold, whitespace before a colon, bare CR or LF, NUL, malformed chunk lines. The only
 * repair is collapsing identical duplicate Content-Length values into one field. The docs page
 * {@code docs/http-codec.md} lists every rule.
 *
 * <p>Nullness: parameters are non-null unless documented otherwise.
 */
package dev.lbkit.proxy.http;
