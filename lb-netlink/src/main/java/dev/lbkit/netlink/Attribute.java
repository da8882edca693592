package dev.lbkit.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One parsed attribute (struct nlattr and its payload): an immutable view over the received bytes. The
 * getters check the payload is long enough and throw {@link NetlinkException} naming the attribute otherwise.
 *
 * @param type    the type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits
 * @param nested  whether NLA_F_NESTED was set
 * @param payload the payload (position 0, host order, read-only); padding excluded
 */
public record Attribute(int type, boolean nested, ByteBuffer payload) {

    public Attribute {
        payload = payload.slice().order(ByteOrder.nativeOrder()); // views default to big-endian: pin host order
    }

    public int length() {
        return payload.remaining();
    }

    public int u8() {
        need(1);
        return payload.get(payload.position()) & 0xff;
    }

    public int u16() {
        need(2);
        return payload.getShort(payload.position()) & 0xffff;
    }

    public int u32() {
        need(4);
        return payload.getInt(payload.position());
    }

    public long u64() {
        need(8);
        return payload.getLong(payload.position());
    }

    /** A network-order 16-bit value (a port). */
    public int be16() {
        need(2);
        return payload.duplicate().order(ByteOrder.BIG_ENDIAN).getShort(payload.position()) & 0xffff;
    }

    /** A network-order 32-bit value. */
    public int be32() {
        need(4);
        return payload.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(payload.position());
    }

    /** The payload as text, up to the first NUL. */
    public String string() {
        byte[] b = bytes();
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    public byte[] bytes() {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }

    /**
     * The payload as an address of the given length: 4 (IPv4) or 16 (IPv6). The kernel sends a 16-byte
     * union nf_inet_addr for both families, the IPv4 address in its first 4 bytes.
     */
    public InetAddress address(int addressLength) {
        need(addressLength);
        byte[] b = new byte[addressLength];
        payload.duplicate().get(b);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    /** The payload parsed as attributes. */
    public Attributes attributes() {
        return Attributes.parse(payload);
    }

    private void need(int n) {
        if (payload.remaining() < n) {
            throw new NetlinkException(0, null, "attribute " + type + ": payload of " + payload.remaining()
                    + " bytes, expected at least " + n);
        }
    }
}
