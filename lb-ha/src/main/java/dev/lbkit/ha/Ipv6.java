package dev.lbkit.ha;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * IPv6 pieces of lb-ha: reading a VRRP packet from a raw IPv6 socket together with its hop limit and destination
 * (recvmsg with IPV6_HOPLIMIT and IPV6_PKTINFO control messages, since a raw IPv6 socket does not deliver the IP
 * header), and the unsolicited neighbour advertisement (RFC 4861 7.2.6) that announces a floating IPv6 address,
 * built whole (IPv6 header, ICMPv6 with its checksum) for an AF_PACKET SOCK_DGRAM socket.
 */
final class Ipv6 {
    static final int HEADER = 40;
    static final int NA_LEN = 32;
    static final int ICMPV6 = 58;
    private static final byte[] ALL_NODES = VrrpCodec.addr(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 1}).getAddress();

    private Ipv6() {}

    /** What recvmsg returned: the VRRP message, its source, destination and hop limit (-1 when unknown). */
    record Received(InetAddress source, InetAddress destination, int hopLimit, ByteBuffer payload) {}

    /**
     * A reusable recvmsg set-up: struct msghdr, one iovec, a sockaddr_in6 and a control buffer in native memory.
     * One per socket; confined to the event loop.
     */
    static final class Receiver {
        private static final int MSGHDR = 56;
        private static final int CONTROL = 256;
        private final Pointer msg;
        private final Pointer iov;
        private final Pointer name;
        private final Pointer control;
        private final Pointer data;
        private final int capacity;

        Receiver(int capacity) {
            jnr.ffi.Runtime rt = HaNative.runtime();
            this.capacity = capacity;
            msg = Memory.allocateDirect(rt, MSGHDR, true);
            iov = Memory.allocateDirect(rt, 16, true);
            name = Memory.allocateDirect(rt, 28, true);
            control = Memory.allocateDirect(rt, CONTROL, true);
            data = Memory.allocateDirect(rt, capacity, true);
            iov.putAddress(0, data.address());
            iov.putLong(8, capacity);
        }

        /** One packet, or null when none is queued (EAGAIN). */
        Received receive(int fd) {
            msg.putAddress(0, name.address());
            msg.putInt(8, 28);
            msg.putAddress(16, iov.address());
            msg.putLong(24, 1);
            msg.putAddress(32, control.address());
            msg.putLong(40, CONTROL);
            msg.putInt(48, 0);
            long n = HaNative.libc().recvmsg(fd, msg, HaNative.MSG_DONTWAIT);
            if (n < 0) {
                int e = HaNative.errno();
                if (e == HaNative.EAGAIN || e == HaNative.EINTR) {
                    return null;
                }
                throw HaNative.error("recvmsg(vrrp ipv6)", e);
            }
            int len = (int) Math.min(n, capacity);
            byte[] payload = new byte[len];
            data.get(0, payload, 0, len);
            byte[] src = new byte[16];
            name.get(8, src, 0, 16);
            int hopLimit = -1;
            InetAddress dst = null;
            long controlLen = msg.getLong(40);
            long p = 0;
            while (p + 16 <= controlLen) {
                long cmsgLen = control.getLong(p);
                int level = control.getInt(p + 8);
                int type = control.getInt(p + 12);
                if (cmsgLen < 16) {
                    break;
                }
                if (level == HaNative.IPPROTO_IPV6 && type == HaNative.IPV6_HOPLIMIT) {
                    hopLimit = control.getInt(p + 16);
                } else if (level == HaNative.IPPROTO_IPV6 && type == HaNative.IPV6_PKTINFO) {
                    byte[] d = new byte[16];
                    control.get(p + 16, d, 0, 16);
                    dst = VrrpCodec.addr(d);
                }
                p += (cmsgLen + 7) & ~7L;
            }
            return new Received(VrrpCodec.addr(src), dst, hopLimit, ByteBuffer.wrap(payload));
        }
    }

    /**
     * An unsolicited neighbour advertisement for {@code target} at {@code mac}: from the floating IP to all nodes
     * (ff02::1), hop limit 255, Override set, Solicited clear, with the target link-layer address option.
     */
    static byte[] unsolicitedNa(byte[] mac, InetAddress target) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + NA_LEN).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0x60000000).putShort((short) NA_LEN).put((byte) ICMPV6).put((byte) 255);
        b.put(target.getAddress()).put(ALL_NODES);
        b.put((byte) 136).put((byte) 0).putShort((short) 0); // type, code, checksum (below)
        b.putInt(0x20000000); // Override
        b.put(target.getAddress());
        b.put((byte) 2).put((byte) 1).put(mac, 0, 6); // target link-layer address option, 8 bytes
        byte[] p = b.array();
        int sum = 0;
        for (int i = 8; i < 40; i += 2) { // pseudo-header: source and destination
            sum += (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
        }
        sum += NA_LEN + ICMPV6;
        for (int i = HEADER; i < p.length; i += 2) {
            sum += (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int c = ~sum & 0xffff;
        p[HEADER + 2] = (byte) (c >>> 8);
        p[HEADER + 3] = (byte) c;
        return p;
    }

    /** struct sockaddr_ll for an IPv6 frame to the all-nodes multicast MAC 33:33:00:00:00:01. */
    static ByteBuffer allNodesAddress(int ifindex) {
        ByteBuffer a = ByteBuffer.allocateDirect(Arp.SOCKADDR_LL_LEN).order(ByteOrder.nativeOrder());
        a.putShort(0, (short) HaNative.AF_PACKET);
        a.put(2, (byte) (HaNative.ETH_P_IPV6 >>> 8)).put(3, (byte) HaNative.ETH_P_IPV6);
        a.putInt(4, ifindex);
        a.putShort(8, (short) 1);
        a.put(11, (byte) 6);
        byte[] mac = {0x33, 0x33, 0, 0, 0, 1};
        for (int i = 0; i < 6; i++) {
            a.put(12 + i, mac[i]);
        }
        return a;
    }
}
