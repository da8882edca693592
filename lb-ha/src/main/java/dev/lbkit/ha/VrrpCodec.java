package dev.lbkit.ha;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The VRRPv3 advertisement (RFC 9568 section 5) and the IPv4 header it travels in: encoding, decoding with every
 * check of section 7.1, and the checksum in both modes. Pure: no sockets, so it is tested on exact bytes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 *  |(rsvd) |     Max Adver Int     |          Checksum             |
 *  |                    IPvX Address(es) ...                        |
 * </pre>
 */
final class VrrpCodec {
    static final int VERSION = 3;
    static final int TYPE_ADVERTISEMENT = 1;
    static final int HEADER = 8;
    static final int IPV4_HEADER = 20;
    /** DSCP/TOS keepalived sets on adverts: IPTOS_PREC_INTERNETCONTROL. */
    static final int TOS_INTERNETCONTROL = 0xc0;
    static final int TTL = 255;

    private VrrpCodec() {}

    /**
     * An advertisement.
     *
     * @param vrid            virtual router id 1..255
     * @param priority        0..255 (0: the master is stopping; 255: address owner)
     * @param maxAdvertCentis advert interval in centiseconds, 1..4095
     * @param addresses       the floating IPs (all IPv4 or all IPv6)
     */
    record Advert(int vrid, int priority, int maxAdvertCentis, List<InetAddress> addresses) {
        Advert {
            addresses = List.copyOf(addresses);
        }
    }

    /** A received packet that failed a check. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final DropReason reason;

        Malformed(DropReason reason, String detail) {
            super(reason + ": " + detail, null, false, false);
            this.reason = reason;
        }
    }

    /** The VRRP message, checksum filled in. */
    static byte[] encode(Advert a, InetAddress source, InetAddress destination, ChecksumMode mode) {
        boolean v6 = isV6(a.addresses(), source);
        int alen = v6 ? 16 : 4;
        byte[] b = new byte[HEADER + alen * a.addresses().size()];
        b[0] = (byte) (VERSION << 4 | TYPE_ADVERTISEMENT);
        b[1] = (byte) a.vrid();
        b[2] = (byte) a.priority();
        b[3] = (byte) a.addresses().size();
        b[4] = (byte) ((a.maxAdvertCentis() >>> 8) & 0x0f);
        b[5] = (byte) a.maxAdvertCentis();
        int p = HEADER;
        for (InetAddress ip : a.addresses()) {
            System.arraycopy(ip.getAddress(), 0, b, p, alen);
            p += alen;
        }
        int sum = checksum(b, source, destination, v6 || mode == ChecksumMode.PSEUDO_HEADER);
        b[6] = (byte) (sum >>> 8);
        b[7] = (byte) sum;
        return b;
    }

    /** An IPv4 packet (header for IP_HDRINCL: TOS 0xc0, TTL 255, protocol 112) carrying {@code vrrp}. */
    static byte[] ipv4Packet(byte[] vrrp, InetAddress source, InetAddress destination, int ttl) {
        byte[] p = new byte[IPV4_HEADER + vrrp.length];
        p[0] = 0x45;
        p[1] = (byte) TOS_INTERNETCONTROL;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = (byte) ttl;
        p[9] = (byte) HaNative.IPPROTO_VRRP;
        System.arraycopy(source.getAddress(), 0, p, 12, 4);
        System.arraycopy(destination.getAddress(), 0, p, 16, 4);
        int s = ~sum(p, 0, IPV4_HEADER, 0) & 0xffff;
        p[10] = (byte) (s >>> 8);
        p[11] = (byte) s;
        System.arraycopy(vrrp, 0, p, IPV4_HEADER, vrrp.length);
        return p;
    }

    /** What an IPv4 packet read from a raw socket carries. */
    record Ipv4(InetAddress source, InetAddress destination, int ttl, ByteBuffer payload) {}

    /** Parses the IPv4 header of a raw-socket read. */
    static Ipv4 parseIpv4(ByteBuffer packet) throws Malformed {
        ByteBuffer b = packet.slice();
        if (b.remaining() < IPV4_HEADER || (b.get(0) & 0xf0) != 0x40) {
            throw new Malformed(DropReason.IP_HEADER, "not an IPv4 header (" + b.remaining() + " bytes)");
        }
        int ihl = (b.get(0) & 0x0f) * 4;
        int total = b.getShort(2) & 0xffff;
        if (ihl < IPV4_HEADER || total < ihl || total > b.remaining()) {
            throw new Malformed(DropReason.IP_HEADER, "IPv4 header length " + ihl + ", total " + total + " of "
                    + b.remaining() + " bytes");
        }
        if ((b.get(9) & 0xff) != HaNative.IPPROTO_VRRP) {
            throw new Malformed(DropReason.IP_HEADER, "IP protocol " + (b.get(9) & 0xff));
        }
        byte[] s = new byte[4];
        byte[] d = new byte[4];
        b.get(12, s);
        b.get(16, d);
        return new Ipv4(addr(s), addr(d), b.get(8) & 0xff, b.duplicate().position(ihl).limit(total).slice());
    }

    /**
     * Decodes and checks an advert (everything but the VRID's instance and the address list, which the caller
     * matches).
     *
     * @param acceptEither also accept the checksum of the other IPv4 mode
     */
    static Advert decode(ByteBuffer vrrp, InetAddress source, InetAddress destination, int ttl, ChecksumMode mode,
            boolean acceptEither) throws Malformed {
        ByteBuffer b = vrrp.slice();
        int n = b.remaining();
        if (ttl != TTL) {
            throw new Malformed(DropReason.TTL, "TTL/hop limit " + ttl + ", must be 255");
        }
        if (n < HEADER) {
            throw new Malformed(DropReason.LENGTH, n + " bytes, less than the 8-byte header");
        }
        int version = (b.get(0) & 0xf0) >>> 4;
        if (version != VERSION) {
            throw new Malformed(DropReason.VERSION, "version " + version);
        }
        int type = b.get(0) & 0x0f;
        if (type != TYPE_ADVERTISEMENT) {
            throw new Malformed(DropReason.TYPE, "type " + type);
        }
        boolean v6 = source instanceof Inet6Address;
        int alen = v6 ? 16 : 4;
        int count = b.get(3) & 0xff;
        if (n != HEADER + count * alen) {
            throw new Malformed(DropReason.LENGTH, n + " bytes for " + count + " addresses of " + alen + " bytes");
        }
        byte[] bytes = new byte[n];
        b.get(0, bytes);
        boolean ok;
        if (v6) {
            ok = checksum(bytes, source, destination, true) == 0;
        } else {
            boolean withPseudo = checksum(bytes, source, destination, true) == 0;
            boolean without = checksum(bytes, source, destination, false) == 0;
            ok = acceptEither ? withPseudo || without : mode == ChecksumMode.PSEUDO_HEADER ? withPseudo : without;
        }
        if (!ok) {
            throw new Malformed(DropReason.CHECKSUM, String.format("checksum 0x%04x wrong (%s)",
                    b.getShort(6) & 0xffff, acceptEither ? "either mode" : mode));
        }
        int interval = b.getShort(4) & 0x0fff;
        if (interval == 0) {
            throw new Malformed(DropReason.INTERVAL, "max advert interval 0");
        }
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] a = new byte[alen];
            b.get(HEADER + i * alen, a);
            addresses.add(addr(a));
        }
        return new Advert(b.get(1) & 0xff, b.get(2) & 0xff, interval, addresses);
    }

    /**
     * The Internet checksum over {@code message} (whose checksum field may be filled, then a correct message
     * sums to 0), with the pseudo-header of RFC 8200 8.1 for IPv6 or the IPv4 one (RFC 768 style) when asked.
     */
    static int checksum(byte[] message, InetAddress source, InetAddress destination, boolean pseudoHeader) {
        int s = 0;
        if (pseudoHeader) {
            byte[] src = source.getAddress();
            byte[] dst = destination.getAddress();
            s = sum(src, 0, src.length, s);
            s = sum(dst, 0, dst.length, s);
            if (src.length == 16) {
                s += (message.length >>> 16) + (message.length & 0xffff); // upper-layer length, 32 bits
            } else {
                s += message.length;
            }
            s += HaNative.IPPROTO_VRRP;
        }
        s = sum(message, 0, message.length, s);
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return ~s & 0xffff;
    }

    private static int sum(byte[] b, int from, int to, int s) {
        for (int i = from; i < to; i += 2) {
            int hi = b[i] & 0xff;
            int lo = i + 1 < to ? b[i + 1] & 0xff : 0;
            s += hi << 8 | lo;
            if ((s & 0xffff0000) != 0 && s < 0) {
                s = (s & 0xffff) + (s >>> 16);
            }
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    private static boolean isV6(List<InetAddress> addresses, InetAddress source) {
        if (source != null) {
            return source instanceof Inet6Address;
        }
        return !addresses.isEmpty() && !(addresses.get(0) instanceof Inet4Address);
    }

    static InetAddress addr(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
