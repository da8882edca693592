package dev.lbkit.health;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A DNS message codec for health checks (RFC 1035 section 4): encodes one query, decodes a response with its
 * question and answer sections, following compression pointers. Pure functions on bytes; no socket. Malformed
 * input throws {@link Malformed} naming what and where.
 */
final class DnsMessage {
    /** The header is 12 bytes (RFC 1035 4.1.1). */
    static final int HEADER = 12;
    /** A name is at most 255 bytes on the wire (RFC 1035 2.3.4). */
    static final int MAX_NAME = 255;
    /** Compression pointers followed before a name counts as a loop. */
    static final int MAX_POINTERS = 64;
    static final int CLASS_IN = 1;
    static final int FLAG_QR = 0x8000;
    static final int FLAG_TC = 0x0200;
    static final int FLAG_RD = 0x0100;

    /** A response that does not follow RFC 1035. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** One resource record of the answer section; {@code data} is rendered by type (see {@link #render}). */
    record Record(String name, int type, int dnsClass, long ttl, String data) {}

    /** A decoded response. */
    record Response(int id, int flags, String questionName, int questionType, List<Record> answers) {
        int rcode() {
            return flags & 0xf;
        }

        boolean isResponse() {
            return (flags & FLAG_QR) != 0;
        }

        boolean truncated() {
            return (flags & FLAG_TC) != 0;
        }
    }

    private DnsMessage() {}

    /** A standard query with recursion desired, one question of class IN. */
    static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + MAX_NAME + 4);
        b.putShort((short) id).putShort((short) FLAG_RD).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (String label : n.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) type).putShort((short) CLASS_IN);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static Response decode(byte[] m, int length) throws Malformed {
        if (length < HEADER) {
            throw new Malformed("response of " + length + " bytes is shorter than the 12-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(m, 0, length);
        int id = b.getShort() & 0xffff;
        int flags = b.getShort() & 0xffff;
        int qd = b.getShort() & 0xffff;
        int an = b.getShort() & 0xffff;
        b.getShort();
        b.getShort();
        String qName = "";
        int qType = -1;
        for (int i = 0; i < qd; i++) {
            String name = name(m, length, b);
            need(b, 4, "question " + (i + 1));
            int t = b.getShort() & 0xffff;
            b.getShort();
            if (i == 0) {
                qName = name;
                qType = t;
            }
        }
        List<Record> answers = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            String name = name(m, length, b);
            need(b, 10, "answer " + (i + 1));
            int type = b.getShort() & 0xffff;
            int cls = b.getShort() & 0xffff;
            long ttl = b.getInt() & 0xffffffffL;
            int rdLength = b.getShort() & 0xffff;
            need(b, rdLength, "answer " + (i + 1) + " data");
            int start = b.position();
            String data = render(m, length, type, start, rdLength);
            b.position(start + rdLength);
            answers.add(new Record(name, type, cls, ttl, data));
        }
        return new Response(id, flags, qName, qType, answers);
    }

    private static void need(ByteBuffer b, int n, String what) throws Malformed {
        if (b.remaining() < n) {
            throw new Malformed(what + " needs " + n + " bytes at offset " + b.position() + " but "
                    + b.remaining() + " remain");
        }
    }

    /** Reads a possibly compressed name at the buffer's position and advances past it. */
    static String name(byte[] m, int length, ByteBuffer b) throws Malformed {
        int[] end = new int[1];
        String n = nameAt(m, length, b.position(), end);
        b.position(end[0]);
        return n;
    }

    /** The name at {@code offset}, lower case, no trailing dot; {@code end[0]} is set past it (not past jumps). */
    static String nameAt(byte[] m, int length, int offset, int[] end) throws Malformed {
        StringBuilder sb = new StringBuilder();
        int p = offset;
        int jumps = 0;
        int wire = 0;
        end[0] = -1;
        while (true) {
            if (p >= length) {
                throw new Malformed("name at offset " + offset + " runs past the end of the message");
            }
            int len = m[p] & 0xff;
            if ((len & 0xc0) == 0xc0) {
                if (p + 1 >= length) {
                    throw new Malformed("compression pointer at offset " + p + " is cut off");
                }
                if (end[0] < 0) {
                    end[0] = p + 2;
                }
                if (++jumps > MAX_POINTERS) {
                    throw new Malformed("name at offset " + offset + " has a compression loop");
                }
                p = ((len & 0x3f) << 8) | (m[p + 1] & 0xff);
                continue;
            }
            if ((len & 0xc0) != 0) {
                throw new Malformed("label at offset " + p + " has reserved type bits 0x" + Integer.toHexString(len));
            }
            p++;
            if (len == 0) {
                break;
            }
            wire += len + 1;
            if (wire > MAX_NAME || p + len > length) {
                throw new Malformed("name at offset " + offset + " is longer than 255 bytes or runs past the end");
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int i = 0; i < len; i++) {
                char c = (char) (m[p + i] & 0xff);
                sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
            }
            p += len;
        }
        if (end[0] < 0) {
            end[0] = p;
        }
        return sb.toString();
    }

    /** A, AAAA: the address literal; CNAME, NS, PTR: the name; TXT: the strings joined; else hex. */
    static String render(byte[] m, int length, int type, int start, int rdLength) throws Malformed {
        switch (type) {
            case 1:
            case 28: {
                int want = type == 1 ? 4 : 16;
                if (rdLength != want) {
                    throw new Malformed((type == 1 ? "A" : "AAAA") + " record of " + rdLength + " bytes, not " + want);
                }
                try {
                    return InetAddress.getByAddress(java.util.Arrays.copyOfRange(m, start, start + rdLength))
                            .getHostAddress();
                } catch (UnknownHostException e) {
                    throw new Malformed("address record: " + e.getMessage());
                }
            }
            case 2:
            case 5:
            case 12:
                return nameAt(m, length, start, new int[1]);
            case 16: {
                StringBuilder sb = new StringBuilder();
                int p = start;
                while (p < start + rdLength) {
                    int l = m[p] & 0xff;
                    if (p + 1 + l > start + rdLength) {
                        throw new Malformed("TXT string at offset " + p + " runs past its record");
                    }
                    sb.append(new String(m, p + 1, l, StandardCharsets.ISO_8859_1));
                    p += 1 + l;
                }
                return sb.toString();
            }
            default: {
                StringBuilder sb = new StringBuilder();
                for (int i = start; i < start + rdLength; i++) {
                    sb.append(String.format("%02x", m[i] & 0xff));
                }
                return sb.toString();
            }
        }
    }

    static String rcodeName(int rcode) {
        switch (rcode) {
            case 0:
                return "NOERROR";
            case 1:
                return "FORMERR";
            case 2:
                return "SERVFAIL";
            case 3:
                return "NXDOMAIN";
            case 4:
                return "NOTIMP";
            case 5:
                return "REFUSED";
            default:
                return "RCODE " + rcode;
        }
    }
}
