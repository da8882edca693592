package dev.lbkit.proxy.http;

/**
 * The HTTP versions the codec speaks. A request or status line with major version 1 and a minor version above 1
 * (e.g. {@code HTTP/1.2}) is read as {@link #HTTP_1_1}, as RFC 9110 section 6.2 asks of a recipient of a higher
 * minor version; any other major version is refused with
 * {@link HttpCodecException.Reason#VERSION_NOT_SUPPORTED} (505).
 */
public enum HttpVersion {
    /** {@code HTTP/1.0}: connections close after each message unless {@code Connection: keep-alive}. */
    HTTP_1_0("HTTP/1.0"),
    /** {@code HTTP/1.1}: connections persist unless {@code Connection: close}. */
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /** The version as it appears on the wire, e.g. {@code "HTTP/1.1"}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
