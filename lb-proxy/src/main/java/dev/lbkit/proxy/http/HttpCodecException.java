package dev.lbkit.proxy.http;

import java.io.IOException;

/**
 * The bytes are not, and cannot become, a valid HTTP/1.1 message. The {@link #reason()} says which rule was
 * broken (count it), {@link #status()} is the status to answer a client with, and the message names the
 * offending field and value (escaped, truncated to a few dozen bytes).
 *
 * <p>For a <em>request</em> the proxy answers with {@link #status()} and closes the connection; nothing of the
 * message is forwarded. For a <em>response</em> the status does not apply to the server: the proxy answers its
 * client with 502 and closes both connections.
 *
 * <p>It is an {@link IOException} because it is a fault of the peer, met while reading, and handled like a failed
 * read: count, answer if possible, close. Being checked, it cannot slip past an I/O loop. The codec throws nothing
 * else for any content of its input.
 */
public final class HttpCodecException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Which rule the input broke, with the status a client gets for it. */
    public enum Reason {
        /** Request line not {@code method SP request-target SP HTTP-version CRLF} (extra or missing spaces). */
        BAD_REQUEST_LINE(400),
        /** The method is not a token (RFC 9110 section 5.6.2). */
        BAD_METHOD(400),
        /** The request-target has a byte outside visible ASCII, a fragment, or a form its method does not allow. */
        BAD_REQUEST_TARGET(400),
        /** The HTTP-version is not {@code HTTP/DIGIT.DIGIT}. */
        BAD_VERSION(400),
        /** A well-formed version whose major number is not 1. */
        VERSION_NOT_SUPPORTED(505),
        /** The request line (or status line) is longer than {@link HttpLimits#maxRequestLineLength()}. */
        REQUEST_LINE_TOO_LONG(414),
        /** Status line not {@code HTTP-version SP 3DIGIT [SP reason]}, or a status outside 100..599
         *  (responses only: the client gets 502). */
        BAD_STATUS_LINE(400),
        /** A 101 response to a request that asked for no upgrade (responses only: the client gets 502). */
        UNEXPECTED_UPGRADE(400),
        /** A CR not followed by LF. */
        BARE_CR(400),
        /** A LF not preceded by CR (RFC 9112 section 2.2 allows refusing it; this codec does). */
        BARE_LF(400),
        /** A NUL byte anywhere in a head, chunk line or trailer. */
        NUL_BYTE(400),
        /** A field line starting with space or tab: obsolete line folding (RFC 9112 section 5.2). */
        OBS_FOLD(400),
        /** Space or tab between a field name and its colon (RFC 9112 section 5.1). */
        WHITESPACE_BEFORE_COLON(400),
        /** A field name that is empty or has a byte that is not a token character. */
        BAD_FIELD_NAME(400),
        /** A field line without a colon. */
        MISSING_COLON(400),
        /** A field value with a control character other than tab (or DEL). */
        BAD_FIELD_VALUE(400),
        /** The header section (field lines and the final CRLF) is longer than
         *  {@link HttpLimits#maxHeaderSectionLength()}. */
        HEADER_SECTION_TOO_LARGE(431),
        /** More field lines than {@link HttpLimits#maxHeaderCount()}. */
        TOO_MANY_FIELDS(431),
        /** An HTTP/1.1 request without Host (RFC 9112 section 3.2). */
        MISSING_HOST(400),
        /** More than one Host field, or one Host with a list. */
        MULTIPLE_HOST(400),
        /** A Host value that is not {@code uri-host [ ":" port ]}. */
        BAD_HOST(400),
        /** Both Content-Length and Transfer-Encoding (the classic smuggling vector, RFC 9112 section 6.1). */
        CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400),
        /** Several Content-Length values that differ. */
        DIFFERING_CONTENT_LENGTHS(400),
        /** A Content-Length that is not {@code 1*DIGIT} (signs, spaces inside, hex, empty). */
        BAD_CONTENT_LENGTH(400),
        /** A Content-Length above {@link Long#MAX_VALUE}. */
        CONTENT_LENGTH_OVERFLOW(400),
        /** A request Transfer-Encoding whose last coding is not chunked. */
        TRANSFER_ENCODING_NOT_CHUNKED_LAST(400),
        /** A Transfer-Encoding list with an empty member, chunked twice, or parameters on chunked. */
        BAD_TRANSFER_ENCODING(400),
        /** A transfer coding other than chunked, gzip, x-gzip, deflate, compress (RFC 9112 section 6.1). */
        UNKNOWN_TRANSFER_ENCODING(501),
        /** Transfer-Encoding in an HTTP/1.0 message: its framing is faulty (RFC 9112 section 6.1). */
        TRANSFER_ENCODING_IN_HTTP10(400),
        /** A POST, PUT or PATCH without Content-Length or Transfer-Encoding while
         *  {@link HttpLimits#requireLength()} is set. */
        LENGTH_REQUIRED(411),
        /** A method outside {@link HttpMethod} while {@link HttpLimits#rejectUnknownMethods()} is set. */
        METHOD_NOT_IMPLEMENTED(501),
        /** A chunk-size that is empty or has a byte that is not a hex digit (spaces included). */
        BAD_CHUNK_SIZE(400),
        /** A chunk-size above {@link Long#MAX_VALUE}. */
        CHUNK_SIZE_OVERFLOW(400),
        /** A chunk extension that is not {@code BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]}. */
        BAD_CHUNK_EXTENSION(400),
        /** A chunk-size line longer than {@link HttpLimits#maxChunkLineLength()}. */
        CHUNK_LINE_TOO_LONG(400),
        /** Chunk data not followed by exactly CRLF. */
        BAD_CHUNK_END(400),
        /** The trailer section is longer than {@link HttpLimits#maxHeaderSectionLength()} or has more fields than
         *  {@link HttpLimits#maxHeaderCount()}. */
        TRAILER_SECTION_TOO_LARGE(400);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        /** The status to answer a client with: 400, 411, 414, 431, 501 or 505. */
        public int status() {
            return status;
        }
    }

    private final Reason reason;

    /** @param message names what was wrong, with the offending value */
    public HttpCodecException(Reason reason, String message) {
        super(message);
        if (reason == null) {
            throw new NullPointerException("reason");
        }
        this.reason = reason;
    }

    /** Which rule was broken; never null. */
    public Reason reason() {
        return reason;
    }

    /** The status to answer a client with for a rejected request; {@code reason().status()}. */
    public int status() {
        return reason.status;
    }
}
