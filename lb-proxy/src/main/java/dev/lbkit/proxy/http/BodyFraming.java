package dev.lbkit.proxy.http;

/**
 * How the end of a message body is found (RFC 9112 section 6.3). The parser decides it from the head (and, for a
 * response, from the request it answers); {@link HttpBodyScanner} follows it over the bytes that come after.
 */
public enum BodyFraming {
    /** No body: a request without Content-Length and Transfer-Encoding, a response to HEAD, 1xx, 204, 304. */
    NONE,
    /** Exactly {@link HttpHead#contentLength()} bytes. */
    CONTENT_LENGTH,
    /** The chunked transfer coding, ending with the last chunk and the trailer section. */
    CHUNKED,
    /** Responses only: the body runs until the server closes the connection (no length, or a Transfer-Encoding
     *  whose last coding is not chunked). The connection cannot be kept alive. */
    UNTIL_CLOSE,
    /** The connection becomes a byte tunnel after the head: a 2xx answer to CONNECT, or 101 Switching Protocols. */
    TUNNEL
}
