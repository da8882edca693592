package dev.lbkit.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * rtnetlink (NETLINK_ROUTE) for interface addresses and links: adding and removing addresses
 * (RTM_NEWADDR/RTM_DELADDR), dumping them (RTM_GETADDR) and dumping links (RTM_GETLINK). Layouts follow
 * {@code include/uapi/linux/rtnetlink.h}, {@code if_addr.h} and {@code if_link.h}: struct ifaddrmsg (8 bytes)
 * and struct ifinfomsg (16 bytes) in host order, addresses in network order.
 *
 * <p>Message building and parsing are static so they can be tested on exact bytes; an instance owns one
 * {@link NetlinkSocket} and is confined to one thread at a time like it.
 */
public final class RouteNetlink implements AutoCloseable {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    /** Multicast groups (the legacy bit masks a socket binds to). */
    public static final int RTMGRP_LINK = 0x1;
    public static final int RTMGRP_IPV4_IFADDR = 0x10;
    public static final int RTMGRP_IPV6_IFADDR = 0x100;

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_FLAGS = 8;

    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;

    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;

    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_CARRIER = 33;

    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_LOWER_UP = 0x10000;

    /** errno of RTM_DELADDR for an address the interface does not have. */
    static final int EADDRNOTAVAIL = 99;

    /** sizeof(struct ifaddrmsg). */
    public static final int IFADDRMSG_LEN = 8;
    /** sizeof(struct ifinfomsg). */
    public static final int IFINFOMSG_LEN = 16;
    /** IFNAMSIZ less the NUL: the longest interface name or address label. */
    public static final int MAX_NAME = 15;

    /**
     * One interface address (RTM_NEWADDR as dumped or notified).
     *
     * @param family       {@link #AF_INET} or {@link #AF_INET6}
     * @param prefixLength the prefix length
     * @param flags        IFA_F_* (from IFA_FLAGS when present, which holds the bits above 8)
     * @param scope        RT_SCOPE_*
     * @param ifindex      the interface
     * @param address      the local address (IFA_LOCAL for IPv4, IFA_ADDRESS otherwise)
     * @param label        the IPv4 label (IFA_LABEL), or null
     */
    public record Address(int family, int prefixLength, int flags, int scope, int ifindex, InetAddress address,
            String label) {
        public boolean hasFlag(int flag) {
            return (flags & flag) != 0;
        }
    }

    /**
     * One link (RTM_NEWLINK as dumped or notified).
     *
     * @param index           the ifindex
     * @param name            IFLA_IFNAME
     * @param flags           IFF_* of struct ifinfomsg
     * @param hardwareAddress IFLA_ADDRESS (empty when the link has none)
     * @param operState       IFLA_OPERSTATE (RFC 2863: 6 = up), -1 when absent
     * @param deleted         true for an RTM_DELLINK notification
     */
    public record Link(int index, String name, int flags, byte[] hardwareAddress, int operState, boolean deleted) {
        /** Administratively up and with carrier (IFF_UP and IFF_LOWER_UP/IFF_RUNNING), and not deleted. */
        public boolean isUsable() {
            return !deleted && (flags & IFF_UP) != 0 && (flags & (IFF_LOWER_UP | IFF_RUNNING)) != 0;
        }
    }

    private final NetlinkSocket socket;

    private RouteNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a NETLINK_ROUTE socket. */
    public static RouteNetlink open() {
        return new RouteNetlink(NetlinkSocket.open(Netlink.NETLINK_ROUTE, 5_000));
    }

    // ---------------------------------------------------------------- building

    /** struct ifaddrmsg in host order. */
    static byte[] ifaddrmsg(int family, int prefixLength, int flags, int scope, int ifindex) {
        ByteBuffer b = ByteBuffer.allocate(IFADDRMSG_LEN).order(ByteOrder.nativeOrder());
        b.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(ifindex);
        return b.array();
    }

    /** struct ifinfomsg in host order. */
    static byte[] ifinfomsg(int family, int ifindex) {
        ByteBuffer b = ByteBuffer.allocate(IFINFOMSG_LEN).order(ByteOrder.nativeOrder());
        b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(0).putInt(0);
        return b.array();
    }

    /**
     * RTM_NEWADDR (create, exclusive) for {@code address/prefixLength} on {@code ifindex}. An IPv4 address gets
     * IFA_LOCAL and IFA_ADDRESS, the broadcast address of its subnet (as {@code ip addr add ... brd +}) and the
     * label when given; flags such as {@link #IFA_F_NODAD} go in ifa_flags and IFA_FLAGS.
     *
     * @throws IllegalArgumentException naming the field when the prefix length or label is invalid
     */
    public static MessageWriter newAddressRequest(MessageWriter w, int ifindex, InetAddress address, int prefixLength,
            String label, int flags) {
        int family = family(address);
        checkPrefix(address, prefixLength);
        if (label != null && (label.isEmpty() || label.length() > MAX_NAME)) {
            throw new IllegalArgumentException("label must be 1.." + MAX_NAME + " characters but was '" + label + "'");
        }
        w.begin(RTM_NEWADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .fixedHeader(ifaddrmsg(family, prefixLength, flags & 0xff, RT_SCOPE_UNIVERSE, ifindex));
        w.putAddress(IFA_LOCAL, address).putAddress(IFA_ADDRESS, address);
        if (family == AF_INET && prefixLength < 31) {
            byte[] b = address.getAddress();
            int a = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            w.putBe32(IFA_BROADCAST, a | (prefixLength == 0 ? -1 : (-1 >>> prefixLength)));
        }
        if (label != null && family == AF_INET) {
            w.putString(IFA_LABEL, label);
        }
        if (flags != 0) {
            w.putU32(IFA_FLAGS, flags);
        }
        return w.end();
    }

    /** RTM_DELADDR for {@code address/prefixLength} on {@code ifindex}. */
    public static MessageWriter deleteAddressRequest(MessageWriter w, int ifindex, InetAddress address,
            int prefixLength) {
        int family = family(address);
        checkPrefix(address, prefixLength);
        w.begin(RTM_DELADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)
                .fixedHeader(ifaddrmsg(family, prefixLength, 0, RT_SCOPE_UNIVERSE, ifindex));
        w.putAddress(IFA_LOCAL, address).putAddress(IFA_ADDRESS, address);
        return w.end();
    }

    /** RTM_GETADDR dump request for one family ({@link #AF_UNSPEC} for all). */
    public static MessageWriter getAddressesRequest(MessageWriter w, int family) {
        return w.begin(RTM_GETADDR, Netlink.NLM_F_REQUEST).fixedHeader(ifaddrmsg(family, 0, 0, 0, 0)).end();
    }

    /** RTM_GETLINK dump request. */
    public static MessageWriter getLinksRequest(MessageWriter w) {
        return w.begin(RTM_GETLINK, Netlink.NLM_F_REQUEST).fixedHeader(ifinfomsg(AF_UNSPEC, 0)).end();
    }

    // ---------------------------------------------------------------- parsing

    /** Parses an RTM_NEWADDR/RTM_DELADDR message. */
    public static Address parseAddress(Message m) {
        ByteBuffer p = m.payload();
        if (p.remaining() < IFADDRMSG_LEN) {
            throw new NetlinkException(0, null, "ifaddrmsg of " + p.remaining() + " bytes, expected " + IFADDRMSG_LEN);
        }
        int family = p.get(0) & 0xff;
        int prefix = p.get(1) & 0xff;
        int flags = p.get(2) & 0xff;
        int scope = p.get(3) & 0xff;
        int index = p.getInt(4);
        Attributes a = m.attributes(IFADDRMSG_LEN);
        int len = family == AF_INET6 ? 16 : 4;
        Attribute addr = family == AF_INET && a.has(IFA_LOCAL) ? a.get(IFA_LOCAL) : a.get(IFA_ADDRESS);
        if (addr == null) {
            addr = a.require(IFA_LOCAL, "RTM_NEWADDR");
        }
        if (a.has(IFA_FLAGS)) {
            flags = a.get(IFA_FLAGS).u32();
        }
        String label = a.has(IFA_LABEL) ? a.get(IFA_LABEL).string() : null;
        return new Address(family, prefix, flags, scope, index, addr.address(len), label);
    }

    /** Parses an RTM_NEWLINK/RTM_DELLINK message. */
    public static Link parseLink(Message m) {
        ByteBuffer p = m.payload();
        if (p.remaining() < IFINFOMSG_LEN) {
            throw new NetlinkException(0, null, "ifinfomsg of " + p.remaining() + " bytes, expected " + IFINFOMSG_LEN);
        }
        int index = p.getInt(4);
        int flags = p.getInt(8);
        Attributes a = m.attributes(IFINFOMSG_LEN);
        String name = a.has(IFLA_IFNAME) ? a.get(IFLA_IFNAME).string() : "";
        byte[] hw = a.has(IFLA_ADDRESS) ? a.get(IFLA_ADDRESS).bytes() : new byte[0];
        int oper = a.has(IFLA_OPERSTATE) ? a.get(IFLA_OPERSTATE).u8() : -1;
        return new Link(index, name, flags, hw, oper, m.type() == RTM_DELLINK);
    }

    // ---------------------------------------------------------------- requests

    /**
     * Adds an address.
     *
     * @return false when the interface already had it (EEXIST), true when added
     * @throws NetlinkException for any other refusal, naming the address and interface
     */
    public boolean addAddress(int ifindex, InetAddress address, int prefixLength, String label, int flags) {
        MessageWriter w = newAddressRequest(new MessageWriter(128), ifindex, address, prefixLength, label, flags);
        try {
            socket.request(w.buffer(), "RTM_NEWADDR " + address.getHostAddress() + "/" + prefixLength + " on ifindex "
                    + ifindex);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Removes an address.
     *
     * @return false when the interface did not have it (EADDRNOTAVAIL), true when removed
     */
    public boolean removeAddress(int ifindex, InetAddress address, int prefixLength) {
        MessageWriter w = deleteAddressRequest(new MessageWriter(96), ifindex, address, prefixLength);
        try {
            socket.request(w.buffer(), "RTM_DELADDR " + address.getHostAddress() + "/" + prefixLength + " on ifindex "
                    + ifindex);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == EADDRNOTAVAIL || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Every address of this family ({@link #AF_UNSPEC}: all), optionally of one interface (ifindex 0: all). */
    public List<Address> addresses(int family, int ifindex) {
        List<Address> out = new ArrayList<>();
        for (Message m : socket.dump(getAddressesRequest(new MessageWriter(32), family).buffer(), "RTM_GETADDR dump")) {
            if (m.type() != RTM_NEWADDR) {
                continue;
            }
            Address a = parseAddress(m);
            if ((family == AF_UNSPEC || a.family() == family) && (ifindex == 0 || a.ifindex() == ifindex)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Every link. */
    public List<Link> links() {
        List<Link> out = new ArrayList<>();
        for (Message m : socket.dump(getLinksRequest(new MessageWriter(32)).buffer(), "RTM_GETLINK dump")) {
            if (m.type() == RTM_NEWLINK) {
                out.add(parseLink(m));
            }
        }
        return out;
    }

    /** The link of this name, or null. */
    public Link link(String name) {
        for (Link l : links()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    @Override
    public void close() {
        socket.close();
    }

    private static int family(InetAddress address) {
        return address instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    private static void checkPrefix(InetAddress address, int prefixLength) {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefixLength must be 0.." + max + " for " + address.getHostAddress()
                    + " but was " + prefixLength);
        }
    }
}
