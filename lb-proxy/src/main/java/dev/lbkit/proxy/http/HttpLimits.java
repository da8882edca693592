package dev.lbkit.proxy.http;

/**
 * The sizes and policies the codec enforces, immutable. {@link #defaults()} are safe for a reverse proxy facing
 * the Internet and close to HAProxy's and nginx's: real browsers and clients stay far below them.
 *
 * <table>
 *   <caption>limits and their defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>range</th><th>exceeded</th></tr>
 *   <tr><td>{@link #maxRequestLineLength()}: request or status line, CRLF included</td>
 *       <td>{@value #DEFAULT_MAX_REQUEST_LINE_LENGTH}</td><td>16..1 MiB</td><td>414</td></tr>
 *   <tr><td>{@link #maxHeaderSectionLength()}: field lines and the empty line ending them (also trailers)</td>
 *       <td>{@value #DEFAULT_MAX_HEADER_SECTION_LENGTH}</td><td>2..1 MiB</td><td>431 (trailers: 400)</td></tr>
 *   <tr><td>{@link #maxHeaderCount()}: field lines in one head (also trailers)</td>
 *       <td>{@value #DEFAULT_MAX_HEADER_COUNT}</td><td>1..10000</td><td>431 (trailers: 400)</td></tr>
 *   <tr><td>{@link #maxChunkLineLength()}: chunk-size line with extensions, CRLF included</td>
 *       <td>{@value #DEFAULT_MAX_CHUNK_LINE_LENGTH}</td><td>3..64 KiB</td><td>400</td></tr>
 *   <tr><td>{@link #rejectUnknownMethods()}: refuse methods outside {@link HttpMethod}</td>
 *       <td>false</td><td></td><td>501</td></tr>
 *   <tr><td>{@link #requireLength()}: refuse POST/PUT/PATCH without Content-Length or Transfer-Encoding</td>
 *       <td>false</td><td></td><td>411</td></tr>
 * </table>
 */
public final class HttpLimits {
    /** Default {@link #maxRequestLineLength()}: 8 KiB, as nginx's and Apache's defaults. */
    public static final int DEFAULT_MAX_REQUEST_LINE_LENGTH = 8192;
    /** Default {@link #maxHeaderSectionLength()}: 16 KiB. */
    public static final int DEFAULT_MAX_HEADER_SECTION_LENGTH = 16384;
    /** Default {@link #maxHeaderCount()}: 100, as HAProxy's {@code tune.http.maxhdr} (101). */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    /** Default {@link #maxChunkLineLength()}: 1 KiB. */
    public static final int DEFAULT_MAX_CHUNK_LINE_LENGTH = 1024;

    private static final int MIB = 1 << 20;
    private static final HttpLimits DEFAULTS = builder().build();

    private final int maxRequestLineLength;
    private final int maxHeaderSectionLength;
    private final int maxHeaderCount;
    private final int maxChunkLineLength;
    private final boolean rejectUnknownMethods;
    private final boolean requireLength;

    private HttpLimits(Builder b) {
        this.maxRequestLineLength = b.maxRequestLineLength;
        this.maxHeaderSectionLength = b.maxHeaderSectionLength;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxChunkLineLength = b.maxChunkLineLength;
        this.rejectUnknownMethods = b.rejectUnknownMethods;
        this.requireLength = b.requireLength;
    }

    /** The defaults of the table above. */
    public static HttpLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxRequestLineLength = maxRequestLineLength;
        b.maxHeaderSectionLength = maxHeaderSectionLength;
        b.maxHeaderCount = maxHeaderCount;
        b.maxChunkLineLength = maxChunkLineLength;
        b.rejectUnknownMethods = rejectUnknownMethods;
        b.requireLength = requireLength;
        return b;
    }

    /** The longest request line or status line in bytes, CRLF (and empty lines before a request) included. */
    public int maxRequestLineLength() {
        return maxRequestLineLength;
    }

    /** The longest header section in bytes: all field lines with their CRLFs and the final empty line. The same
     *  limit applies to the trailer section of a chunked body. */
    public int maxHeaderSectionLength() {
        return maxHeaderSectionLength;
    }

    /** The most field lines in a header section (and in a trailer section). */
    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    /** The longest chunk-size line in bytes, extensions and CRLF included. */
    public int maxChunkLineLength() {
        return maxChunkLineLength;
    }

    /** Whether a method outside {@link HttpMethod} is refused with 501 instead of passed through. */
    public boolean rejectUnknownMethods() {
        return rejectUnknownMethods;
    }

    /** Whether a POST, PUT or PATCH with neither Content-Length nor Transfer-Encoding is refused with 411. */
    public boolean requireLength() {
        return requireLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpLimits l && l.maxRequestLineLength == maxRequestLineLength
                && l.maxHeaderSectionLength == maxHeaderSectionLength && l.maxHeaderCount == maxHeaderCount
                && l.maxChunkLineLength == maxChunkLineLength && l.rejectUnknownMethods == rejectUnknownMethods
                && l.requireLength == requireLength;
    }

    @Override
    public int hashCode() {
        return ((maxRequestLineLength * 31 + maxHeaderSectionLength) * 31 + maxHeaderCount) * 31
                + maxChunkLineLength * 4 + (rejectUnknownMethods ? 2 : 0) + (requireLength ? 1 : 0);
    }

    @Override
    public String toString() {
        return "HttpLimits{maxRequestLineLength=" + maxRequestLineLength + ", maxHeaderSectionLength="
                + maxHeaderSectionLength + ", maxHeaderCount=" + maxHeaderCount + ", maxChunkLineLength="
                + maxChunkLineLength + ", rejectUnknownMethods=" + rejectUnknownMethods + ", requireLength="
                + requireLength + "}";
    }

    /** Builds {@link HttpLimits}; every setter checks its range and names the field and value when it fails. */
    public static final class Builder {
        private int maxRequestLineLength = DEFAULT_MAX_REQUEST_LINE_LENGTH;
        private int maxHeaderSectionLength = DEFAULT_MAX_HEADER_SECTION_LENGTH;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private int maxChunkLineLength = DEFAULT_MAX_CHUNK_LINE_LENGTH;
        private boolean rejectUnknownMethods;
        private boolean requireLength;

        private Builder() {
        }

        /** @param bytes 16..1048576 */
        public Builder maxRequestLineLength(int bytes) {
            this.maxRequestLineLength = check("maxRequestLineLength", bytes, 16, MIB);
            return this;
        }

        /** @param bytes 2..1048576 */
        public Builder maxHeaderSectionLength(int bytes) {
            this.maxHeaderSectionLength = check("maxHeaderSectionLength", bytes, 2, MIB);
            return this;
        }

        /** @param count 1..10000 */
        public Builder maxHeaderCount(int count) {
            this.maxHeaderCount = check("maxHeaderCount", count, 1, 10_000);
            return this;
        }

        /** @param bytes 3..65536 */
        public Builder maxChunkLineLength(int bytes) {
            this.maxChunkLineLength = check("maxChunkLineLength", bytes, 3, 65536);
            return this;
        }

        public Builder rejectUnknownMethods(boolean reject) {
            this.rejectUnknownMethods = reject;
            return this;
        }

        public Builder requireLength(boolean require) {
            this.requireLength = require;
            return this;
        }

        public HttpLimits build() {
            return new HttpLimits(this);
        }

        private static int check(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be " + min + ".." + max + " but was " + value);
            }
            return value;
        }
    }
}
