package dev.lbkit.proxy.proxyprotocol;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Command;
import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Result;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The version 2 binary header (spec section 2.2): 12-byte signature, version and command, family and protocol,
 * 16-bit big-endian length, then the address block and TLVs. Reading and writing live together here so that
 * the layout is written down once.
 */
final class V2Header {
    static final int VERSION = 2;
    static final int CRC_TLV_LENGTH = Tlv.HEADER_LENGTH + 4;
    private static final int OFFSET_VERSION_COMMAND = 12;
    private static final int OFFSET_FAMILY = 13;
    private static final int OFFSET_LENGTH = 14;
    private static final int COMMAND_LOCAL = 0x0;
    private static final int COMMAND_PROXY = 0x1;

    private V2Header() {}

    /**
     * Decodes from {@code p}, where {@code n} bytes are available and the first {@code min(n, 12)} match the
     * signature. Consumes the header only when it is complete and valid.
     */
    static Result decode(ByteBuffer in, int p, int n, int maxLength) throws ProxyProtocolException {
        if (n <= OFFSET_VERSION_COMMAND) {
            return Result.needMore(ProxyProtocolDecoder.V2_FIXED_LENGTH - n);
        }
        int versionCommand = u8(in, p + OFFSET_VERSION_COMMAND);
        if (versionCommand >>> 4 != VERSION) {
            throw new ProxyProtocolException(Reason.BAD_VERSION, String.format("PROXY v2 version must be 2 but the "
                    + "version/command byte is 0x%02x (version %d)", versionCommand, versionCommand >>> 4));
        }
        int command = versionCommand & 0x0F;
        if (command != COMMAND_LOCAL && command != COMMAND_PROXY) {
            throw new ProxyProtocolException(Reason.BAD_COMMAND, String.format("PROXY v2 command must be LOCAL (0) "
                    + "or PROXY (1) but the version/command byte is 0x%02x (command %d)", versionCommand, command));
        }
        Transport transport = null;
        if (n > OFFSET_FAMILY) {
            int family = u8(in, p + OFFSET_FAMILY);
            transport = Transport.ofCode(family);
            if (transport == null && command == COMMAND_PROXY) {
                throw new ProxyProtocolException(Reason.BAD_FAMILY, String.format("PROXY v2 family/protocol byte "
                        + "0x%02x is not one the spec lists (0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32)", family));
            }
        }
        if (n < ProxyProtocolDecoder.V2_FIXED_LENGTH) {
            return Result.needMore(ProxyProtocolDecoder.V2_FIXED_LENGTH - n);
        }
        int length = u16(in, p + OFFSET_LENGTH);
        int total = ProxyProtocolDecoder.V2_FIXED_LENGTH + length;
        if (total > maxLength) {
            throw new ProxyProtocolException(Reason.TOO_LONG, "PROXY v2 header of " + total + " bytes (length field "
                    + length + ") is longer than the " + maxLength + " bytes this listener accepts");
        }
        if (command == COMMAND_PROXY && length < transport.addressLength()) {
            throw new ProxyProtocolException(Reason.BAD_LENGTH, "PROXY v2 length " + length + " is shorter than the "
                    + transport.addressLength() + "-byte address block of " + transport);
        }
        if (n < total) {
            return Result.needMore(total - n);
        }
        ProxyHeader header = command == COMMAND_PROXY
                ? proxy(in, p, total, transport)
                : local(in, p, total, transport);
        in.position(p + total);
        return Result.complete(header, total);
    }

    private static ProxyHeader proxy(ByteBuffer in, int p, int total, Transport transport)
            throws ProxyProtocolException {
        int a = p + ProxyProtocolDecoder.V2_FIXED_LENGTH;
        InetSocketAddress source = null;
        InetSocketAddress destination = null;
        byte[] unixSource = null;
        byte[] unixDestination = null;
        if (transport.isInet()) {
            int size = transport.addressLength() == 12 ? 4 : 16;
            byte[] src = bytes(in, a, size);
            byte[] dst = bytes(in, a + size, size);
            source = new InetSocketAddress(IpLiterals.fromBytes(src), u16(in, a + 2 * size));
            destination = new InetSocketAddress(IpLiterals.fromBytes(dst), u16(in, a + 2 * size + 2));
        } else if (transport.isUnix()) {
            int size = ProxyHeader.UNIX_PATH_LENGTH;
            unixSource = ProxyHeader.stripTrailingNuls(bytes(in, a, size), 0, size);
            unixDestination = ProxyHeader.stripTrailingNuls(bytes(in, a + size, size), 0, size);
        }
        List<Tlv> tlvs = tlvs(in, p, a + transport.addressLength(), p + total);
        return ProxyHeader.decoded(VERSION, Command.PROXY, transport, source, destination, unixSource,
                unixDestination, tlvs);
    }

    /**
     * LOCAL: the spec says the receiver "must accept this connection as valid" and discard the block, family
     * included (AWS NLB health checks, for one, carry dummy TCP4 addresses). The TLVs are still read when the
     * family says where they start, because senders put a CRC32C or a unique id on LOCAL too; a block that is
     * not a well-formed TLV sequence is accepted and reported without TLVs, but a CRC32C that does not match is
     * still refused, since the sender asked for the header to be checked.
     */
    private static ProxyHeader local(ByteBuffer in, int p, int total, Transport transport)
            throws ProxyProtocolException {
        int length = total - ProxyProtocolDecoder.V2_FIXED_LENGTH;
        List<Tlv> tlvs = List.of();
        if (transport != null && length >= transport.addressLength()) {
            try {
                tlvs = tlvs(in, p, p + ProxyProtocolDecoder.V2_FIXED_LENGTH + transport.addressLength(), p + total);
            } catch (ProxyProtocolException e) {
                if (e.reason() != Reason.BAD_TLV) {
                    throw e;
                }
            }
        }
        return ProxyHeader.decoded(VERSION, Command.LOCAL, Transport.UNKNOWN, null, null, null, null, tlvs);
    }

    /** Reads TLVs from {@code [from, end)} and verifies a CRC32C over {@code [p, end)}. */
    private static List<Tlv> tlvs(ByteBuffer in, int p, int from, int end) throws ProxyProtocolException {
        if (from == end) {
            return List.of();
        }
        List<Tlv> tlvs = new ArrayList<>();
        int crcAt = -1;
        int at = from;
        while (at < end) {
            if (end - at < Tlv.HEADER_LENGTH) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "PROXY v2 header ends with " + (end - at)
                        + " bytes after its last TLV, too few for a TLV (3 bytes at least)");
            }
            int type = u8(in, at);
            int length = u16(in, at + 1);
            if (length > end - at - Tlv.HEADER_LENGTH) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "PROXY v2 TLV " + Tlv.typeName(type) + " announces "
                        + length + " value bytes but only " + (end - at - Tlv.HEADER_LENGTH)
                        + " remain in the header");
            }
            String problem = Tlv.problemWith(type, length);
            if (problem != null) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "PROXY v2 " + problem);
            }
            if (type == Tlv.CRC32C) {
                if (crcAt >= 0) {
                    throw new ProxyProtocolException(Reason.BAD_TLV, "PROXY v2 header has more than one CRC32C TLV");
                }
                crcAt = at + Tlv.HEADER_LENGTH;
            }
            tlvs.add(Tlv.wrap(type, bytes(in, at + Tlv.HEADER_LENGTH, length)));
            at += Tlv.HEADER_LENGTH + length;
        }
        if (crcAt >= 0) {
            long expected = u32(in, crcAt);
            long actual = crc32c(in, p, end, crcAt);
            if (expected != actual) {
                throw new ProxyProtocolException(Reason.BAD_CHECKSUM, String.format("PROXY v2 CRC32C TLV says "
                        + "0x%08x but the header's checksum is 0x%08x", expected, actual));
            }
        }
        return List.copyOf(tlvs);
    }

    /** CRC32c (RFC 4960 appendix B; {@link CRC32C}) of {@code [from, end)} with the 4 bytes at {@code zeroAt} as 0. */
    static long crc32c(ByteBuffer buffer, int from, int end, int zeroAt) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buffer.duplicate();
        view.limit(zeroAt).position(from);
        crc.update(view);
        crc.update(new byte[4]);
        view.limit(end).position(zeroAt + 4);
        crc.update(view);
        return crc.getValue();
    }

    /** The encoded length of a header, fixed part included, with a CRC32C TLV appended when asked and absent. */
    static int length(ProxyHeader header, boolean appendCrc32c) {
        long length = ProxyProtocolDecoder.V2_FIXED_LENGTH + header.transport().addressLength();
        for (Tlv tlv : header.tlvs()) {
            length += tlv.encodedLength();
        }
        if (appendCrc32c && header.tlv(Tlv.CRC32C).isEmpty()) {
            length += CRC_TLV_LENGTH;
        }
        if (length > ProxyProtocolDecoder.V2_MAX_LENGTH) {
            throw new IllegalArgumentException("PROXY v2 header would take " + length + " bytes, more than the "
                    + ProxyProtocolDecoder.V2_MAX_LENGTH + " its length field can announce (with the CRC32C TLV)");
        }
        return (int) length;
    }

    /**
     * Writes the header at {@code out}'s position, which the caller checked has {@code length} bytes of room,
     * and fills in any CRC32C TLV.
     */
    static void write(ProxyHeader header, boolean appendCrc32c, int length, ByteBuffer out) {
        int start = out.position();
        out.put(ProxyProtocolDecoder.V2_SIGNATURE);
        int command = header.command() == Command.LOCAL ? COMMAND_LOCAL : COMMAND_PROXY;
        out.put((byte) (VERSION << 4 | command));
        out.put((byte) header.transport().code());
        putU16(out, length - ProxyProtocolDecoder.V2_FIXED_LENGTH);
        Transport transport = header.transport();
        if (transport.isInet()) {
            out.put(header.source().getAddress().getAddress());
            out.put(header.destination().getAddress().getAddress());
            putU16(out, header.source().getPort());
            putU16(out, header.destination().getPort());
        } else if (transport.isUnix()) {
            putPadded(out, header.unixSourceUnsafe(), ProxyHeader.UNIX_PATH_LENGTH);
            putPadded(out, header.unixDestinationUnsafe(), ProxyHeader.UNIX_PATH_LENGTH);
        }
        int crcAt = -1;
        for (Tlv tlv : header.tlvs()) {
            out.put((byte) tlv.type());
            putU16(out, tlv.length());
            if (tlv.type() == Tlv.CRC32C) {
                crcAt = out.position();
                out.put(new byte[4]); // zero while the checksum is computed
            } else {
                out.put(tlv.valueUnsafe());
            }
        }
        if (crcAt < 0 && appendCrc32c) {
            out.put((byte) Tlv.CRC32C);
            putU16(out, 4);
            crcAt = out.position();
            out.put(new byte[4]);
        }
        if (crcAt >= 0) {
            long crc = crc32c(out, start, start + length, crcAt);
            for (int i = 0; i < 4; i++) {
                out.put(crcAt + i, (byte) (crc >>> (24 - 8 * i)));
            }
        }
    }

    private static void putPadded(ByteBuffer out, byte[] bytes, int size) {
        out.put(bytes);
        out.put(new byte[size - bytes.length]);
    }

    private static void putU16(ByteBuffer out, int value) {
        out.put((byte) (value >>> 8));
        out.put((byte) value);
    }

    private static int u8(ByteBuffer in, int at) {
        return in.get(at) & 0xff;
    }

    private static int u16(ByteBuffer in, int at) {
        return (u8(in, at) << 8) | u8(in, at + 1);
    }

    private static long u32(ByteBuffer in, int at) {
        return ((long) u16(in, at) << 16) | u16(in, at + 2);
    }

    private static byte[] bytes(ByteBuffer in, int at, int count) {
        byte[] out = new byte[count];
        in.get(at, out);
        return out;
    }
}
