package dev.lbkit.ha;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Gratuitous ARP (RFC 5227 section 3 / RFC 9568 section 6.4.1: an ARP request whose sender and target protocol
 * addresses are both the floating IP), sent through an AF_PACKET SOCK_DGRAM socket so that the kernel adds the
 * Ethernet header to the broadcast address. Building is pure and tested on exact bytes.
 */
final class Arp {
    static final int ARP_LEN = 28;
    static final int SOCKADDR_LL_LEN = 20;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private Arp() {}

    /** The 28-byte ARP request announcing {@code ip} at {@code mac}. */
    static byte[] gratuitous(byte[] mac, InetAddress ip) {
        ByteBuffer b = ByteBuffer.allocate(ARP_LEN).order(ByteOrder.BIG_ENDIAN);
        b.putShort((short) 1) // hardware type: Ethernet
                .putShort((short) 0x0800) // protocol type: IPv4
                .put((byte) 6).put((byte) 4)
                .putShort((short) 1) // request
                .put(mac, 0, 6).put(ip.getAddress())
                .put(BROADCAST).put(ip.getAddress());
        return b.array();
    }

    /** struct sockaddr_ll for sending an ARP frame to the Ethernet broadcast address on {@code ifindex}. */
    static ByteBuffer broadcastAddress(int ifindex) {
        ByteBuffer a = ByteBuffer.allocateDirect(SOCKADDR_LL_LEN).order(ByteOrder.nativeOrder());
        a.putShort(0, (short) HaNative.AF_PACKET);
        a.put(2, (byte) (HaNative.ETH_P_ARP >>> 8)).put(3, (byte) HaNative.ETH_P_ARP); // sll_protocol, big-endian
        a.putInt(4, ifindex);
        a.putShort(8, (short) 1); // ARPHRD_ETHER
        a.put(10, (byte) 0);
        a.put(11, (byte) 6);
        for (int i = 0; i < 6; i++) {
            a.put(12 + i, (byte) 0xff);
        }
        return a;
    }
}
