package dev.lbkit.ha;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls lb-ha needs beyond netlink (raw IP and packet sockets, ppoll, eventfd, setns), mapped with
 * JNR-FFI and checked: a failure becomes an {@link HaException} naming the call and errno's text.
 */
final class HaNative {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_VRRP = 112;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_BINDTODEVICE = 25;
    static final int IP_TOS = 1;
    static final int IP_TTL = 2;
    static final int IP_HDRINCL = 3;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int ETH_P_ARP = 0x0806;
    static final int POLLIN = 0x1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int MSG_DONTWAIT = 0x40;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_CHECKSUM = 7;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_JOIN_GROUP = 20;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    static final int IPV6_RECVHOPLIMIT = 51;
    static final int IPV6_HOPLIMIT = 52;
    static final int IPV6_TCLASS = 67;
    static final int ETH_P_IPV6 = 0x86dd;

    private HaNative() {}

    /** Public only because JNR-FFI implements it in a class loader of its own; not part of the API. */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, @In ByteBuffer addr, int addrlen);

        @SaveError
        int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

        @SaveError
        @ssize_t
        long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrlen);

        @SaveError
        @ssize_t
        long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, @Out ByteBuffer addr,
                @In @Out int[] addrlen);

        @SaveError
        @ssize_t
        long recvmsg(int fd, jnr.ffi.Pointer msg, int flags);

        @SaveError
        int ppoll(@In @Out ByteBuffer fds, long nfds, @In ByteBuffer timeout, @In ByteBuffer sigmask);

        @SaveError
        int eventfd(int initval, int flags);

        @SaveError
        @ssize_t
        long read(int fd, @Out ByteBuffer buf, @size_t long count);

        @SaveError
        @ssize_t
        long write(int fd, @In ByteBuffer buf, @size_t long count);

        @SaveError
        int open(String path, int flags);

        @SaveError
        int setns(int fd, int nstype);

        @SaveError
        int if_nametoindex(String name);

        @SaveError
        int close(int fd);

        String strerror(int errnum);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    static HaException error(String call, int errno) {
        String text;
        try {
            text = libc().strerror(errno);
        } catch (LinkageError e) {
            text = "errno " + errno;
        }
        return new HaException(call + ": " + text + " (errno " + errno + ")");
    }

    static int socket(int domain, int type, int protocol, String what) {
        int fd = libc().socket(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw error("socket(" + what + ")", errno());
        }
        return fd;
    }

    static void setInt(int fd, int level, int option, int value, String name) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        v.putInt(0, value);
        check(libc().setsockopt(fd, level, option, v, 4), "setsockopt(" + name + ")");
    }

    static void setBytes(int fd, int level, int option, byte[] value, String name) {
        ByteBuffer v = ByteBuffer.allocateDirect(Math.max(1, value.length));
        v.put(value).flip();
        check(libc().setsockopt(fd, level, option, v, value.length), "setsockopt(" + name + ")");
    }

    static void bindToDevice(int fd, String iface) {
        byte[] b = (iface + "\0").getBytes(StandardCharsets.US_ASCII);
        setBytes(fd, SOL_SOCKET, SO_BINDTODEVICE, b, "SO_BINDTODEVICE " + iface);
    }

    /** struct ip_mreqn: multicast group, local address (any), ifindex. */
    static byte[] ipMreqn(byte[] group, int ifindex) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.put(group).putInt(0).putInt(ifindex);
        return b.array();
    }

    /** struct sockaddr_in for an address (port 0). */
    static ByteBuffer sockaddrIn(byte[] address) {
        ByteBuffer a = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        a.putShort(0, (short) AF_INET);
        for (int i = 0; i < 4; i++) {
            a.put(4 + i, address[i]);
        }
        return a;
    }

    /** struct sockaddr_in6 for an address (port 0) with a scope id (the ifindex for link-local and multicast). */
    static ByteBuffer sockaddrIn6(byte[] address, int scopeId) {
        ByteBuffer a = ByteBuffer.allocateDirect(28).order(ByteOrder.nativeOrder());
        a.putShort(0, (short) AF_INET6);
        for (int i = 0; i < 16; i++) {
            a.put(8 + i, address[i]);
        }
        a.putInt(24, scopeId);
        return a;
    }

    /** struct ipv6_mreq: group, ifindex. */
    static byte[] ipv6Mreq(byte[] group, int ifindex) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        b.put(group).putInt(ifindex);
        return b.array();
    }

    static jnr.ffi.Runtime runtime() {
        return Holder.RUNTIME;
    }

    static int ifindex(String name) {
        int i = libc().if_nametoindex(name);
        if (i == 0) {
            throw error("if_nametoindex(" + name + ")", errno());
        }
        return i;
    }

    /** Moves the calling thread (only it) into the network namespace at {@code path}, e.g. /run/netns/x. */
    static void enterNetworkNamespace(String path) {
        int fd = libc().open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw error("open(" + path + ")", errno());
        }
        try {
            check(libc().setns(fd, CLONE_NEWNET), "setns(" + path + ", CLONE_NEWNET)");
        } finally {
            libc().close(fd);
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            libc().close(fd);
        }
    }

    static void check(int rc, String call) {
        if (rc != 0) {
            throw error(call, errno());
        }
    }
}
