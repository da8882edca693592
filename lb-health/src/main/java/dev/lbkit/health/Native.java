package dev.lbkit.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The Linux system calls the engine makes itself, through JNR-FFI: sockets (TCP, UDP, ICMP datagram and raw)
 * and epoll. Doing them directly, rather than through NIO, lets a check cost what it costs in C: a TCP check is
 * socket, setsockopt, connect, epoll_ctl, send, recv, setsockopt, close (HAProxy makes eleven calls; NIO made
 * seventeen, and built a selection key, two socket-address objects and a handful of locks per connection).
 *
 * <p>Memory passed to the kernel is native ({@link Pointer}s from {@link Memory#allocateDirect}), owned by the
 * calling loop. The C library is loaded on first use.
 */
final class Native {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_ICMPV6 = 58;
    static final int SOL_SOCKET = 1;
    static final int SO_ERROR = 4;
    static final int SO_LINGER = 13;
    static final int TCP_QUICKACK = 12;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_DONTWAIT = 0x40;

    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EPIPE = 32;
    static final int EPERM = 1;
    static final int ENETUNREACH = 101;
    static final int ECONNRESET = 104;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTUNREACH = 113;
    static final int EINPROGRESS = 115;

    /** sizeof(struct sockaddr_in6), the larger of the two socket addresses. */
    static final int SOCKADDR_MAX = 28;
    /** struct epoll_event: packed (12 bytes) on x86, 16 bytes with the data at 8 elsewhere. */
    static final int EPOLL_EVENT_SIZE;
    static final int EPOLL_DATA_OFFSET;

    static {
        boolean x86 = Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64
                || Platform.getNativePlatform().getCPU() == Platform.CPU.I386;
        EPOLL_EVENT_SIZE = x86 ? 12 : 16;
        EPOLL_DATA_OFFSET = x86 ? 4 : 8;
    }

    private Native() {}

    /**
     * The C library calls, mapped by JNR-FFI. Public only because JNR-FFI implements it in a class loader of its
     * own; nested in the package-private {@link Native}, so not part of the API.
     */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int connect(int fd, Pointer addr, int len);

        @SaveError
        int bind(int fd, Pointer addr, int len);

        @SaveError
        int setsockopt(int fd, int level, int option, Pointer value, int len);

        @SaveError
        int getsockopt(int fd, int level, int option, Pointer value, Pointer len);

        @SaveError
        @ssize_t
        long send(int fd, Pointer buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long recv(int fd, Pointer buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long sendto(int fd, Pointer buf, @size_t long len, int flags, Pointer addr, int addrLen);

        @SaveError
        @ssize_t
        long recvfrom(int fd, Pointer buf, @size_t long len, int flags, Pointer addr, Pointer addrLen);

        @IgnoreError
        int close(int fd);

        @SaveError
        int epoll_create1(int flags);

        @SaveError
        int epoll_ctl(int epfd, int op, int fd, Pointer event);

        @SaveError
        int epoll_wait(int epfd, Pointer events, int max, int timeoutMillis);

        @SaveError
        int eventfd(int initval, int flags);

        @IgnoreError
        @ssize_t
        long write(int fd, Pointer buf, @size_t long len);

        @IgnoreError
        @ssize_t
        long read(int fd, Pointer buf, @size_t long len);

        @IgnoreError
        String strerror(int errnum);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    /** Native memory of {@code size} bytes, zeroed, freed by the garbage collector. */
    static Pointer allocate(int size) {
        return Memory.allocateDirect(Holder.RUNTIME, size, true);
    }

    static String strerror(int errno) {
        try {
            String s = libc().strerror(errno);
            return s == null ? "errno " + errno : s;
        } catch (RuntimeException | LinkageError e) {
            return "errno " + errno;
        }
    }

    /**
     * The exception for a failed call, of the JDK type a caller would expect from NIO: refused connects are
     * {@link ConnectException}s ("connection refused"), unreachable networks {@link NoRouteToHostException}s.
     */
    static IOException exception(String call, int errno) {
        String text = strerror(errno);
        switch (errno) {
            case ECONNREFUSED:
                return call.startsWith("recv") || call.startsWith("send")
                        ? new PortUnreachableException(text) : new ConnectException("Connection refused");
            case ENETUNREACH:
            case EHOSTUNREACH:
                return new NoRouteToHostException(text);
            case ECONNRESET:
                return new SocketException("Connection reset");
            default:
                return new IOException(call + ": " + text);
        }
    }

    /** The address family of an address: {@link #AF_INET} or {@link #AF_INET6}. */
    static int family(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    /** The bytes of {@code struct sockaddr_in} or {@code sockaddr_in6} for (address, port), host-order family. */
    static byte[] sockaddr(InetAddress a, int port) {
        byte[] ip = a.getAddress();
        byte[] s;
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        if (a instanceof Inet4Address) {
            s = new byte[16];
            System.arraycopy(ip, 0, s, 4, 4);
        } else {
            s = new byte[28];
            System.arraycopy(ip, 0, s, 8, 16);
            int scope = ((Inet6Address) a).getScopeId();
            for (int i = 0; i < 4; i++) {
                s[24 + i] = (byte) (scope >>> (little ? 8 * i : 24 - 8 * i));
            }
        }
        int family = family(a);
        s[0] = (byte) (little ? family : 0);
        s[1] = (byte) (little ? 0 : family);
        s[2] = (byte) (port >>> 8);
        s[3] = (byte) port;
        return s;
    }
}
