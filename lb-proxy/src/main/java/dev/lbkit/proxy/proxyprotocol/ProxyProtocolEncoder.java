package dev.lbkit.proxy.proxyprotocol;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes PROXY protocol headers, the way a proxy prepends one to a connection to a real server. A pure function
 * of the header: no socket, no state. Immutable and thread-safe.
 *
 * <p>Version 1 lines are written exactly as the spec's examples: {@code "PROXY TCP4 192.168.0.1 192.168.0.11
 * 56324 443\r\n"}; IPv6 addresses in their RFC 5952 form (lower case, no leading zeros, the longest run of zero
 * groups as {@code ::}, never a dotted quad), which {@code inet_pton}-based receivers such as HAProxy read;
 * {@link Transport#UNKNOWN} only as the short {@code "PROXY UNKNOWN\r\n"}.
 *
 * <p>Version 2 headers are the 16-byte fixed part, the address block of the transport (IPv4, IPv6, or 108-byte
 * NUL-padded UNIX paths), then the TLVs in the header's order. A {@link Tlv#CRC32C} TLV in the header gets its
 * value computed here, whatever value it had, as spec section 2.2.3 says: CRC32c of the whole header with the
 * field zeroed, stored big-endian. An encoder made with {@code appendCrc32c} appends such a TLV to every version 2
 * header that lacks one; version 1 has no TLVs and ignores the option.
 *
 * <p>The spec wants the header sent in one piece (section 2.1: the sender "must always ensure that the header is
 * sent at once"), and HAProxy drops a connection whose first read holds a partial header; write it with the
 * first write of the connection.
 */
public final class ProxyProtocolEncoder {
    private final boolean appendCrc32c;

    /** An encoder that writes headers as they are, without adding a checksum. */
    public ProxyProtocolEncoder() {
        this(false);
    }

    /** @param appendCrc32c whether to append a CRC32C TLV to version 2 headers that have none */
    public ProxyProtocolEncoder(boolean appendCrc32c) {
        this.appendCrc32c = appendCrc32c;
    }

    /** Whether a CRC32C TLV is appended to version 2 headers that have none. */
    public boolean appendsCrc32c() {
        return appendCrc32c;
    }

    /**
     * The number of bytes {@link #encode(ProxyHeader, ByteBuffer)} writes for this header.
     *
     * @throws IllegalArgumentException when an appended CRC32C TLV would make a version 2 header longer than 65551
     */
    public int encodedLength(ProxyHeader header) {
        return header.version() == 1 ? v1Line(header).length : V2Header.length(header, appendCrc32c);
    }

    /**
     * Writes the header at {@code out}'s position and advances the position past it. The caller owns {@code out}
     * before and after; nothing is kept.
     *
     * @return the number of bytes written
     * @throws BufferOverflowException when fewer than {@link #encodedLength} bytes remain; nothing is written then
     * @throws IllegalArgumentException as {@link #encodedLength}
     * @throws java.nio.ReadOnlyBufferException when {@code out} is read-only; nothing is written then
     */
    public int encode(ProxyHeader header, ByteBuffer out) {
        if (out.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (header.version() == 1) {
            byte[] line = v1Line(header);
            if (out.remaining() < line.length) {
                throw new BufferOverflowException();
            }
            out.put(line);
            return line.length;
        }
        int length = V2Header.length(header, appendCrc32c);
        if (out.remaining() < length) {
            throw new BufferOverflowException();
        }
        V2Header.write(header, appendCrc32c, length, out);
        return length;
    }

    /**
     * The header's bytes in a new array.
     *
     * @throws IllegalArgumentException as {@link #encodedLength}
     */
    public byte[] encode(ProxyHeader header) {
        if (header.version() == 1) {
            return v1Line(header);
        }
        ByteBuffer out = ByteBuffer.allocate(V2Header.length(header, appendCrc32c));
        encode(header, out);
        return out.array();
    }

    private static byte[] v1Line(ProxyHeader header) {
        if (header.transport() == Transport.UNKNOWN) {
            return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
        }
        String line = "PROXY " + header.transport().name() + ' '
                + IpLiterals.format(header.source().getAddress()) + ' '
                + IpLiterals.format(header.destination().getAddress()) + ' '
                + header.source().getPort() + ' ' + header.destination().getPort() + "\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }
}
