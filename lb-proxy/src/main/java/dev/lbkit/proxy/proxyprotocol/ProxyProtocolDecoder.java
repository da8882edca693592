package dev.lbkit.proxy.proxyprotocol;

import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the PROXY protocol header, version 1 or 2, from the first bytes of a connection.
 *
 * <h2>How to call it</h2>
 * Call {@link #decode(ByteBuffer)} with the connection's input buffer in read mode each time bytes arrive, until it
 * returns a {@linkplain Result#isComplete() complete} result, then hand the connection (and the bytes left in the
 * buffer, which are application data) to the next stage. The decoder keeps no state between calls: it looks at
 * the buffer from its position every time, and consumes only a complete header, so a caller that did not get one
 * simply keeps the bytes and calls again with more. One instance is immutable and thread-safe: share it between
 * all connections of a listener.
 *
 * <h2>Limits</h2>
 * <table>
 *   <caption>limits and their defaults</caption>
 *   <tr><th>limit</th><th>value</th><th>why</th></tr>
 *   <tr><td>{@link #V1_MAX_LENGTH}</td><td>107 bytes including CRLF</td><td>spec section 2.1: the worst-case
 *       {@code UNKNOWN} line; no CRLF within it fails with {@link Reason#TOO_LONG}</td></tr>
 *   <tr><td>{@link #maxV2HeaderLength()}</td><td>{@value #DEFAULT_MAX_V2_HEADER_LENGTH} bytes by default,
 *       {@value #V2_FIXED_LENGTH}..{@value #V2_MAX_LENGTH}</td><td>the spec allows 16 + 65535; real senders
 *       stay under a few hundred bytes (UNIX addresses take 216, SNI at most 255, a unique id 128, SSL details
 *       a few dozen), so 4 KiB accepts every one of them while a peer cannot make a connection hold 64 KiB.
 *       A longer header fails with {@link Reason#TOO_LONG} as soon as its length field is read</td></tr>
 * </table>
 * The caller's buffer must be able to hold a whole header: at least 107 bytes for version 1 and
 * {@link #maxV2HeaderLength()} for version 2, or a header that fits the limit can never complete.
 *
 * <h2>Failing fast</h2>
 * Every byte is checked as soon as it arrives: the first byte that cannot start the v1 {@code "PROXY "} or the
 * v2 signature fails with {@link Reason#BAD_SIGNATURE} (so {@code "GET "} fails on its first byte instead of
 * waiting for 16), the v2 version, command and family fail on their own byte, a too-long v2 length fails on the
 * length field, and a v1 line fails on the first character that no valid line could have there.
 *
 * <h2>What is accepted</h2>
 * <ul>
 *   <li>v1: exactly the spec's layout, single spaces, CRLF; dotted quads without leading zeros; IPv6 in any
 *       {@code inet_pton} form (1 to 4 hex digits per group in either case, one {@code ::}, an optional dotted
 *       quad tail), without zone; ports 0..65535 (the spec's range) without leading zeros. {@code UNKNOWN} may be
 *       followed by anything up to the CRLF, which is ignored.</li>
 *   <li>v2 PROXY: the seven family-and-protocol bytes the spec lists ({@code 0x00, 0x11, 0x12, 0x21, 0x22, 0x31,
 *       0x32}); other bytes fail with {@link Reason#BAD_FAMILY}. The length must cover the address block.
 *       The rest of the header must be a whole number of TLVs.</li>
 *   <li>v2 LOCAL: the family byte is ignored and the connection accepted, as the spec says; when the family is
 *       one of the listed ones and the length covers its address block, the TLVs after the block are read (a
 *       CRC32C among them is verified), and when they are not well-formed they are left out instead of failing.
 *       The result never carries addresses.</li>
 *   <li>TLVs: a CRC32C TLV is verified (spec section 2.2.3) and more than one is refused; CRC32C must be 4 bytes,
 *       UNIQUE_ID at most 128, SSL at least 5. All TLVs, NOOP included, are returned in wire order.</li>
 * </ul>
 * Nothing here resolves a name: addresses are parsed by hand and built from their bytes.
 */
public final class ProxyProtocolDecoder {
    /** The longest version 1 line, CRLF included (spec section 2.1). */
    public static final int V1_MAX_LENGTH = 107;
    /** The shortest version 1 line: {@code "PROXY UNKNOWN\r\n"}. */
    public static final int V1_MIN_LENGTH = 15;
    /** The fixed part of a version 2 header: signature, version and command, family, length. */
    public static final int V2_FIXED_LENGTH = 16;
    /** The longest version 2 header the spec allows: 16 + 65535. */
    public static final int V2_MAX_LENGTH = V2_FIXED_LENGTH + 0xFFFF;
    /** The default {@link #maxV2HeaderLength()}, fixed part included. */
    public static final int DEFAULT_MAX_V2_HEADER_LENGTH = 4096;

    /** {@code "PROXY "}: how every version 1 line starts. */
    static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** The 12-byte version 2 signature {@code \r\n\r\n\0\r\nQUIT\n}. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Which versions of the protocol a receiver accepts (spec section 2.2 recommends both). */
    public enum Versions {
        /** Only the text format. */
        V1_ONLY,
        /** Only the binary format. */
        V2_ONLY,
        /** Either; the first bytes tell them apart. */
        V1_AND_V2;

        boolean acceptsV1() {
            return this != V2_ONLY;
        }

        boolean acceptsV2() {
            return this != V1_ONLY;
        }
    }

    private final Versions versions;
    private final int maxV2HeaderLength;

    /** A decoder that accepts both versions and version 2 headers of up to {@value #DEFAULT_MAX_V2_HEADER_LENGTH} bytes. */
    public ProxyProtocolDecoder() {
        this(Versions.V1_AND_V2, DEFAULT_MAX_V2_HEADER_LENGTH);
    }

    /**
     * A decoder with the given options.
     *
     * @param maxV2HeaderLength the longest version 2 header accepted, fixed part included,
     *     {@value #V2_FIXED_LENGTH}..{@value #V2_MAX_LENGTH}
     * @throws IllegalArgumentException when the maximum is out of range
     */
    public ProxyProtocolDecoder(Versions versions, int maxV2HeaderLength) {
        if (versions == null) {
            throw new NullPointerException("versions");
        }
        if (maxV2HeaderLength < V2_FIXED_LENGTH || maxV2HeaderLength > V2_MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "maxV2HeaderLength must be 16..65551 but was " + maxV2HeaderLength);
        }
        this.versions = versions;
        this.maxV2HeaderLength = maxV2HeaderLength;
    }

    /** The versions accepted. */
    public Versions versions() {
        return versions;
    }

    /** The longest version 2 header accepted, in bytes, the 16-byte fixed part included. */
    public int maxV2HeaderLength() {
        return maxV2HeaderLength;
    }

    /**
     * Decodes the header at the start of {@code in}.
     *
     * <p>{@code in} is in read mode: the bytes from its position to its limit are what arrived so far. The caller
     * owns the buffer before and after the call; the decoder reads it with absolute gets, keeps no reference,
     * and changes nothing but the position, and that only on success. So:
     * <ul>
     *   <li>complete header: the position moves past exactly the header; the bytes after it (application data)
     *       stay in the buffer;</li>
     *   <li>not enough bytes yet: nothing is consumed, the result says {@link Result.Status#NEED_MORE};</li>
     *   <li>malformed: nothing is consumed and {@link ProxyProtocolException} is thrown. The connection should be
     *       closed; calling again with the same bytes throws again.</li>
     * </ul>
     *
     * @throws ProxyProtocolException when the bytes are not, and cannot become, a valid header; nothing else is
     *     thrown for any content of the buffer
     */
    public Result decode(ByteBuffer in) throws ProxyProtocolException {
        int p = in.position();
        int n = in.remaining();
        if (n == 0) {
            return Result.needMore(1);
        }
        int v1Seen = Math.min(n, V1_SIGNATURE.length);
        int v2Seen = Math.min(n, V2_SIGNATURE.length);
        if (matches(in, p, V1_SIGNATURE, v1Seen)) {
            if (!versions.acceptsV1()) {
                throw notAccepted(in, p, n, v1Seen == V1_SIGNATURE.length, 1);
            }
            if (n < V1_SIGNATURE.length) {
                return Result.needMore(V1_MIN_LENGTH - n);
            }
            return decodeV1(in, p, n);
        }
        if (matches(in, p, V2_SIGNATURE, v2Seen)) {
            if (!versions.acceptsV2()) {
                throw notAccepted(in, p, n, v2Seen == V2_SIGNATURE.length, 2);
            }
            return V2Header.decode(in, p, n, maxV2HeaderLength);
        }
        throw new ProxyProtocolException(Reason.BAD_SIGNATURE, "not a PROXY protocol header: the connection starts "
                + "with " + quote(in, p, n) + ", expected " + expected());
    }

    private static Result decodeV1(ByteBuffer in, int p, int n) throws ProxyProtocolException {
        int limit = Math.min(n, V1_MAX_LENGTH);
        int lf = -1;
        for (int i = V1_SIGNATURE.length; i < limit; i++) {
            byte b = in.get(p + i);
            if (b == '\n') {
                if (in.get(p + i - 1) != '\r') {
                    throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 line ends with LF without CR "
                            + "at byte " + i + ": " + quote(in, p, i + 1));
                }
                lf = i;
                break;
            }
            if (b == '\r' && i + 1 < n && in.get(p + i + 1) != '\n') {
                throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 line has a CR not followed by LF at "
                        + "byte " + i + ": " + quote(in, p, i + 2));
            }
        }
        if (lf < 0) {
            V1Line.checkPrefix(in, p, limit);
            if (n >= V1_MAX_LENGTH) {
                throw new ProxyProtocolException(Reason.TOO_LONG, "PROXY v1 line has no CRLF within "
                        + V1_MAX_LENGTH + " bytes: " + quote(in, p, n));
            }
            return Result.needMore(Math.max(1, V1_MIN_LENGTH - n));
        }
        byte[] line = new byte[lf - 1];
        in.get(p, line);
        ProxyHeader header = V1Line.parse(new String(line, StandardCharsets.ISO_8859_1));
        in.position(p + lf + 1);
        return Result.complete(header, lf + 1);
    }

    private static boolean matches(ByteBuffer in, int p, byte[] signature, int count) {
        for (int i = 0; i < count; i++) {
            if (in.get(p + i) != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private ProxyProtocolException notAccepted(ByteBuffer in, int p, int n, boolean wholeSignature, int version) {
        if (!wholeSignature) {
            return new ProxyProtocolException(Reason.BAD_SIGNATURE, "not a PROXY protocol header: the connection "
                    + "starts with " + quote(in, p, n) + ", expected " + expected());
        }
        return new ProxyProtocolException(Reason.VERSION_NOT_ACCEPTED, "PROXY protocol v" + version
                + " header, but this listener accepts " + expected() + " only: " + quote(in, p, n));
    }

    private String expected() {
        switch (versions) {
            case V1_ONLY: return "v1 (\"PROXY \")";
            case V2_ONLY: return "v2 (\\r\\n\\r\\n\\0\\r\\nQUIT\\n)";
            default: return "v1 (\"PROXY \") or v2 (\\r\\n\\r\\n\\0\\r\\nQUIT\\n)";
        }
    }

    /**
     * Up to 32 bytes from {@code p} for an error message, quoted, with CR, LF, NUL, quote and non-printable bytes
     * escaped, e.g. {@code 'GET / HTTP/1.1\r\n'}.
     */
    static String quote(ByteBuffer in, int p, int count) {
        int shown = Math.min(count, 32);
        StringBuilder sb = new StringBuilder(shown + 8).append('\'');
        for (int i = 0; i < shown; i++) {
            int b = in.get(p + i) & 0xff;
            if (b == '\r') {
                sb.append("\\r");
            } else if (b == '\n') {
                sb.append("\\n");
            } else if (b == '\\' || b == '\'') {
                sb.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        sb.append('\'');
        if (shown < count) {
            sb.append("... (").append(count).append(" bytes)");
        }
        return sb.toString();
    }

    /**
     * What one call of {@link #decode(ByteBuffer)} found: a complete header, or that more bytes are needed.
     * Immutable.
     */
    public static final class Result {
        /** The two outcomes that are not an error. */
        public enum Status {
            /** A whole header was decoded and consumed. */
            COMPLETE,
            /** The bytes so far are a valid beginning of a header; nothing was consumed. */
            NEED_MORE
        }

        private final ProxyHeader header;
        private final int headerLength;
        private final int minimumBytesNeeded;

        private Result(ProxyHeader header, int headerLength, int minimumBytesNeeded) {
            this.header = header;
            this.headerLength = headerLength;
            this.minimumBytesNeeded = minimumBytesNeeded;
        }

        static Result complete(ProxyHeader header, int length) {
            return new Result(header, length, 0);
        }

        static Result needMore(int atLeast) {
            return new Result(null, 0, atLeast);
        }

        /** COMPLETE or NEED_MORE. */
        public Status status() {
            return header != null ? Status.COMPLETE : Status.NEED_MORE;
        }

        /** True when a header was decoded and consumed. */
        public boolean isComplete() {
            return header != null;
        }

        /**
         * The decoded header.
         *
         * @throws IllegalStateException when the result is NEED_MORE
         */
        public ProxyHeader header() {
            if (header == null) {
                throw new IllegalStateException("no header yet: need at least " + minimumBytesNeeded + " more bytes");
            }
            return header;
        }

        /** The number of bytes the header took and the decoder consumed; 0 for NEED_MORE. */
        public int headerLength() {
            return headerLength;
        }

        /**
         * For NEED_MORE, a lower bound (at least 1) on how many more bytes must arrive before the header can be
         * complete; exact once a version 2 length field has been read. 0 when complete.
         */
        public int minimumBytesNeeded() {
            return minimumBytesNeeded;
        }

        @Override
        public String toString() {
            return header != null ? "COMPLETE(" + headerLength + " bytes, " + header + ")"
                    : "NEED_MORE(at least " + minimumBytesNeeded + " bytes)";
        }
    }
}
