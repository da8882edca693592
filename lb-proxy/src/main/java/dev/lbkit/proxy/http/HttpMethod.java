package dev.lbkit.proxy.http;

/**
 * The request methods the codec knows (RFC 9110 section 9 and PATCH from RFC 5789). A method outside this list
 * is a valid token all the same and reads as {@link #OTHER} (its name is in
 * {@link HttpRequestHead#methodName()}), unless {@link HttpLimits#rejectUnknownMethods()} is set, in which case
 * it is refused with {@link HttpCodecException.Reason#METHOD_NOT_IMPLEMENTED} (501). Methods are case-sensitive:
 * {@code get} is not GET.
 */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH,
    /** Any other token. */
    OTHER;

    /** Whether a request with this method usually carries a body (POST, PUT, PATCH): the methods that
     *  {@link HttpLimits#requireLength()} applies to. */
    public boolean expectsBody() {
        return this == POST || this == PUT || this == PATCH;
    }
}
