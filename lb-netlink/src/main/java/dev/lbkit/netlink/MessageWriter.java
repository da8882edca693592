package dev.lbkit.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds netlink messages in a growing heap buffer: no socket, no native code, so every message can be tested
 * on its exact bytes. Several messages may follow one another in one writer (a batch that one {@code sendto}
 * carries). Headers and plain integers are written in host byte order, as the kernel expects; the {@code Be}
 * methods write network order. Attributes are padded to 4 bytes (NLA_ALIGN); the padding is zero.
 *
 * <p>Sequence number and port id are written as 0: {@link NetlinkSocket} stamps the sequence when it sends.
 * Not thread-safe.
 *
 * <pre>{@code
 * MessageWriter w = new MessageWriter();
 * w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).genlHeader(cmd, version);
 * int nest = w.beginNested(1);
 * w.putU16(1, 2);
 * w.endNested(nest);
 * w.end();
 * }</pre>
 */
public final class MessageWriter {
    private byte[] buf;
    private int pos;
    private int messageStart = -1;
    private int messages;

    /** A writer with a 256-byte initial buffer. */
    public MessageWriter() {
        this(256);
    }

    /** A writer with this initial capacity in bytes. */
    public MessageWriter(int initialCapacity) {
        this.buf = new byte[Math.max(64, initialCapacity)];
    }

    /** Starts a message (struct nlmsghdr) of this type and flags; its length is set by {@link #end()}. */
    public MessageWriter begin(int type, int flags) {
        if (messageStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        messageStart = pos;
        putInt(0); // nlmsg_len, patched by end()
        putShort(type);
        putShort(flags);
        putInt(0); // nlmsg_seq, stamped by NetlinkSocket
        putInt(0); // nlmsg_pid: 0, the kernel fills in the sender
        return this;
    }

    /** Writes struct genlmsghdr: command, version, two reserved bytes. */
    public MessageWriter genlHeader(int cmd, int version) {
        ensure(4);
        buf[pos++] = (byte) cmd;
        buf[pos++] = (byte) version;
        buf[pos++] = 0;
        buf[pos++] = 0;
        return this;
    }

    /**
     * Writes a family's fixed header (e.g. rtnetlink's struct ifaddrmsg) as given, padded to 4 bytes; the
     * caller lays out its fields in host order.
     */
    public MessageWriter fixedHeader(byte[] header) {
        ensure(Netlink.align(header.length));
        System.arraycopy(header, 0, buf, pos, header.length);
        pos += header.length;
        return pad();
    }

    /** Ends the current message, writing its length. */
    public MessageWriter end() {
        if (messageStart < 0) {
            throw new IllegalStateException("no message begun");
        }
        setInt(messageStart, pos - messageStart);
        messageStart = -1;
        messages++;
        return this;
    }

    public MessageWriter putU8(int type, int value) {
        header(type, 1);
        buf[pos++] = (byte) value;
        return pad();
    }

    public MessageWriter putU16(int type, int value) {
        header(type, 2);
        putShort(value);
        return pad();
    }

    public MessageWriter putU32(int type, int value) {
        header(type, 4);
        putInt(value);
        return this;
    }

    public MessageWriter putU64(int type, long value) {
        header(type, 8);
        putInt((int) (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? value : value >>> 32));
        putInt((int) (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? value >>> 32 : value));
        return this;
    }

    /** A 16-bit value in network byte order (a port). */
    public MessageWriter putBe16(int type, int value) {
        header(type, 2);
        buf[pos++] = (byte) (value >>> 8);
        buf[pos++] = (byte) value;
        return pad();
    }

    /** A 32-bit value in network byte order (an IPv4 netmask). */
    public MessageWriter putBe32(int type, int value) {
        header(type, 4);
        buf[pos++] = (byte) (value >>> 24);
        buf[pos++] = (byte) (value >>> 16);
        buf[pos++] = (byte) (value >>> 8);
        buf[pos++] = (byte) value;
        return this;
    }

    /** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING as the kernel's tools send them). */
    public MessageWriter putString(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        header(type, b.length + 1);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        buf[pos++] = 0;
        return pad();
    }

    public MessageWriter putBytes(int type, byte[] value) {
        header(type, value.length);
        System.arraycopy(value, 0, buf, pos, value.length);
        pos += value.length;
        return pad();
    }

    /** An address's raw bytes: 4 for IPv4, 16 for IPv6, network order. */
    public MessageWriter putAddress(int type, InetAddress address) {
        return putBytes(type, address.getAddress());
    }

    /** Two host-order u32 in one attribute, as struct ip_vs_flags {flags, mask}. */
    public MessageWriter putU32Pair(int type, int first, int second) {
        header(type, 8);
        putInt(first);
        putInt(second);
        return this;
    }

    /** A flag attribute (no payload). */
    public MessageWriter putFlag(int type) {
        header(type, 0);
        return this;
    }

    /** Opens a nested attribute (NLA_F_NESTED set); returns the token for {@link #endNested}. */
    public int beginNested(int type) {
        int start = pos;
        ensure(4);
        putShort(0);
        putShort(type | Netlink.NLA_F_NESTED);
        return start;
    }

    /** Closes a nested attribute, writing its length. */
    public MessageWriter endNested(int token) {
        int len = pos - token;
        if (len > 0xffff) {
            throw new IllegalStateException("nested attribute longer than 65535 bytes: " + len);
        }
        setShort(token, len);
        return this;
    }

    /** The messages ended so far. */
    public int messageCount() {
        return messages;
    }

    /** Bytes written so far. */
    public int size() {
        return pos;
    }

    /** Forgets everything written (keeps the buffer). */
    public MessageWriter reset() {
        pos = 0;
        messages = 0;
        messageStart = -1;
        return this;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** A read-only, host-order view of the bytes written (valid until the next write). */
    public ByteBuffer buffer() {
        if (messageStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        return ByteBuffer.wrap(buf, 0, pos).slice().order(ByteOrder.nativeOrder()).asReadOnlyBuffer();
    }

    private void header(int type, int payload) {
        if (type < 0 || type > Netlink.NLA_TYPE_MASK) {
            throw new IllegalArgumentException("attribute type must be 0.." + Netlink.NLA_TYPE_MASK + " but was " + type);
        }
        int len = Netlink.NLA_HDRLEN + payload;
        if (len > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + " longer than 65535 bytes: " + len);
        }
        ensure(Netlink.align(len));
        putShort(len);
        putShort(type);
    }

    private MessageWriter pad() {
        int aligned = Netlink.align(pos);
        while (pos < aligned) {
            buf[pos++] = 0;
        }
        return this;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void putShort(int v) {
        ensure(2);
        setShort(pos, v);
        pos += 2;
    }

    private void putInt(int v) {
        ensure(4);
        setInt(pos, v);
        pos += 4;
    }

    private void setShort(int at, int v) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            buf[at] = (byte) v;
            buf[at + 1] = (byte) (v >>> 8);
        } else {
            buf[at] = (byte) (v >>> 8);
            buf[at + 1] = (byte) v;
        }
    }

    private void setInt(int at, int v) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            buf[at] = (byte) v;
            buf[at + 1] = (byte) (v >>> 8);
            buf[at + 2] = (byte) (v >>> 16);
            buf[at + 3] = (byte) (v >>> 24);
        } else {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }
    }
}
