package dev.lbkit.proxy.proxyprotocol;

import java.io.IOException;

/**
 * The bytes at the start of a connection are not a valid PROXY protocol header. The spec (section 2.1) wants
 * the receiver to abort the connection, as soon as possible; the {@link #reason()} says which rule was broken
 * and the message names the offending field and value.
 *
 * <p>It is an {@link IOException} because it is a fault of the peer, met while reading, and handled the same
 * way as a failed read: log, count, close the connection. Being checked, it cannot slip past an I/O loop.
 */
public final class ProxyProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Which rule of the spec the input broke. */
    public enum Reason {
        /** The first bytes match neither the v1 {@code "PROXY "} nor the v2 12-byte signature (e.g. plain HTTP). */
        BAD_SIGNATURE,
        /** A valid signature of a version this decoder was told not to accept. */
        VERSION_NOT_ACCEPTED,
        /** The v2 version nibble (high 4 bits of byte 13) is not 2. */
        BAD_VERSION,
        /** The v2 command nibble (low 4 bits of byte 13) is neither LOCAL (0) nor PROXY (1). */
        BAD_COMMAND,
        /** The v1 protocol is not TCP4, TCP6 or UNKNOWN, or the v2 family-and-protocol byte is not one the spec lists. */
        BAD_FAMILY,
        /** The v1 line is not laid out as the spec says: field count, single spaces, CRLF, US-ASCII. */
        BAD_SYNTAX,
        /** A v1 address is not a literal of the announced family. */
        BAD_ADDRESS,
        /** A v1 port is not a decimal 0..65535 without leading zeros. */
        BAD_PORT,
        /** The v2 length is shorter than the address block of the announced family. */
        BAD_LENGTH,
        /** No CRLF in the first 107 bytes of a v1 line, or a v2 header longer than the configured maximum. */
        TOO_LONG,
        /** A v2 TLV runs past the header, leaves bytes that cannot be a TLV, or breaks a rule of its type. */
        BAD_TLV,
        /** The v2 CRC32C TLV does not match the header. */
        BAD_CHECKSUM
    }

    private final Reason reason;

    /** @param message names what was wrong, with the offending value */
    public ProxyProtocolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Which rule was broken; never null. */
    public Reason reason() {
        return reason;
    }
}
