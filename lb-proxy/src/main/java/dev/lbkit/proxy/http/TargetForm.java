package dev.lbkit.proxy.http;

/** The four forms of a request-target (RFC 9112 section 3.2). */
public enum TargetForm {
    /** {@code /path?query}: the usual form sent to an origin server. */
    ORIGIN,
    /** {@code http://host/path}: the form sent to a forward proxy; a reverse proxy must accept it too. */
    ABSOLUTE,
    /** {@code host:port}: only with CONNECT. */
    AUTHORITY,
    /** {@code *}: only with OPTIONS. */
    ASTERISK
}
