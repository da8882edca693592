package dev.lbkit.proxy.proxyprotocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One type-length-value vector of a version 2 header (spec section 2.2): a type byte and up to 65535 value
 * bytes. Immutable: the value is copied in and copied out.
 *
 * <p>The registered types are constants here. Only a few have rules this class enforces, the same ones the
 * decoder enforces on the wire (so that whatever the encoder writes, the decoder reads back):
 * <ul>
 *   <li>{@link #CRC32C}: exactly 4 bytes (section 2.2.3);</li>
 *   <li>{@link #UNIQUE_ID}: at most 128 bytes (section 2.2.5);</li>
 *   <li>{@link #SSL}: at least 5 bytes, the {@code client} byte and the {@code verify} word (section 2.2.6).</li>
 * </ul>
 * Every other type, registered or not, is carried as opaque bytes.
 */
public final class Tlv {
    /** {@code PP2_TYPE_ALPN}: the negotiated application protocol, e.g. {@code h2}. */
    public static final int ALPN = 0x01;
    /** {@code PP2_TYPE_AUTHORITY}: the host name the client asked for (TLS SNI), UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** {@code PP2_TYPE_CRC32C}: CRC32c of the whole header, computed with this field zeroed; 4 bytes. */
    public static final int CRC32C = 0x03;
    /** {@code PP2_TYPE_NOOP}: padding, to be ignored. */
    public static final int NOOP = 0x04;
    /** {@code PP2_TYPE_UNIQUE_ID}: an opaque connection id of up to 128 bytes. */
    public static final int UNIQUE_ID = 0x05;
    /** {@code PP2_TYPE_SSL}: a {@code client} byte, a 32-bit {@code verify} and SSL sub-TLVs. */
    public static final int SSL = 0x20;
    /** {@code PP2_SUBTYPE_SSL_VERSION}: sub-TLV of {@link #SSL}, the TLS version as US-ASCII. */
    public static final int SSL_VERSION = 0x21;
    /** {@code PP2_SUBTYPE_SSL_CN}: sub-TLV of {@link #SSL}, the client certificate's common name, UTF-8. */
    public static final int SSL_CN = 0x22;
    /** {@code PP2_SUBTYPE_SSL_CIPHER}: sub-TLV of {@link #SSL}, the cipher name as US-ASCII. */
    public static final int SSL_CIPHER = 0x23;
    /** {@code PP2_SUBTYPE_SSL_SIG_ALG}: sub-TLV of {@link #SSL}, the certificate signature algorithm. */
    public static final int SSL_SIG_ALG = 0x24;
    /** {@code PP2_SUBTYPE_SSL_KEY_ALG}: sub-TLV of {@link #SSL}, the certificate key algorithm. */
    public static final int SSL_KEY_ALG = 0x25;
    /** {@code PP2_TYPE_NETNS}: the network namespace's name as US-ASCII. */
    public static final int NETNS = 0x30;
    /** First type of the range reserved for application-specific data ({@code PP2_TYPE_MIN_CUSTOM}). */
    public static final int MIN_CUSTOM = 0xE0;
    /** Last type of the range reserved for application-specific data ({@code PP2_TYPE_MAX_CUSTOM}). */
    public static final int MAX_CUSTOM = 0xEF;

    /** A TLV's type and length fields: 3 bytes before the value. */
    public static final int HEADER_LENGTH = 3;
    /** The longest value the 16-bit length field can announce. */
    public static final int MAX_VALUE_LENGTH = 0xFFFF;
    /** The longest {@link #UNIQUE_ID} value the spec allows. */
    public static final int MAX_UNIQUE_ID_LENGTH = 128;

    private final int type;
    private final byte[] value;

    private Tlv(int type, byte[] value) {
        this.type = type;
        this.value = value;
    }

    /**
     * A TLV of the given type and value (the array is copied).
     *
     * @param type 0..255
     * @throws IllegalArgumentException when the type is out of range or the value breaks a rule of its type
     */
    public static Tlv of(int type, byte[] value) {
        if (type < 0 || type > 0xFF) {
            throw new IllegalArgumentException("TLV type must be 0..255 but was " + type);
        }
        String problem = problemWith(type, value.length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Tlv(type, value.clone());
    }

    /** A TLV whose value is the UTF-8 encoding of {@code text}, e.g. {@code Tlv.of(Tlv.AUTHORITY, "example.com")}. */
    public static Tlv of(int type, String text) {
        return of(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The decoder's way in: the value array is taken over, and the rules were checked by the caller. */
    static Tlv wrap(int type, byte[] value) {
        return new Tlv(type, value);
    }

    /**
     * What breaks the rules of {@code type} in a value of {@code length} bytes, as a sentence; null when nothing.
     * Shared by {@link #of} and the decoder so that both apply the same rules.
     */
    static String problemWith(int type, int length) {
        if (length > MAX_VALUE_LENGTH) {
            return "TLV " + typeName(type) + " value must be at most 65535 bytes but was " + length;
        }
        if (type == CRC32C && length != 4) {
            return "TLV CRC32C value must be exactly 4 bytes but was " + length;
        }
        if (type == UNIQUE_ID && length > MAX_UNIQUE_ID_LENGTH) {
            return "TLV UNIQUE_ID value must be at most 128 bytes but was " + length;
        }
        if (type == SSL && length < 5) {
            return "TLV SSL value must be at least 5 bytes (client, verify) but was " + length;
        }
        return null;
    }

    /** The type, 0..255. */
    public int type() {
        return type;
    }

    /** A copy of the value bytes. */
    public byte[] value() {
        return value.clone();
    }

    /** The number of value bytes. */
    public int length() {
        return value.length;
    }

    /** The value decoded as UTF-8 (malformed sequences become U+FFFD); for ALPN, AUTHORITY, NETNS and the like. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The bytes this TLV takes in a header: {@value #HEADER_LENGTH} plus the value. */
    int encodedLength() {
        return HEADER_LENGTH + value.length;
    }

    byte[] valueUnsafe() {
        return value;
    }

    /** The spec's name of a type without the {@code PP2_TYPE_} prefix, or its hex value, e.g. {@code 0xe3}. */
    static String typeName(int type) {
        switch (type) {
            case ALPN: return "ALPN";
            case AUTHORITY: return "AUTHORITY";
            case CRC32C: return "CRC32C";
            case NOOP: return "NOOP";
            case UNIQUE_ID: return "UNIQUE_ID";
            case SSL: return "SSL";
            case NETNS: return "NETNS";
            default: return String.format("0x%02x", type);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlv && ((Tlv) o).type == type && Arrays.equals(((Tlv) o).value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    /** E.g. {@code ALPN[6832]}: the type name and the value in hex (at most 32 bytes shown). */
    @Override
    public String toString() {
        int shown = Math.min(value.length, 32);
        String hex = HexFormat.of().formatHex(value, 0, shown);
        return typeName(type) + "[" + hex + (shown < value.length ? "...(" + value.length + " bytes)" : "") + "]";
    }
}
