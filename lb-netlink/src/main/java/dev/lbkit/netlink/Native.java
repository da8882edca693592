package dev.lbkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls with their return values checked: a failure becomes a {@link NetlinkException} naming the
 * call and errno's text; EINTR is retried. The C library is loaded on first use, so merely loading lbkit's
 * classes never touches native code.
 */
final class Native {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int MSG_TRUNC = 0x20;
    /** sizeof(struct sockaddr_nl): u16 family, u16 pad, u32 pid, u32 groups. */
    static final int SOCKADDR_NL_LEN = 12;

    private Native() {}

    /**
     * The few C library calls netlink needs, mapped by JNR-FFI. Buffers are direct {@link ByteBuffer}s with
     * position 0; lengths are passed explicitly. Every call saves errno, which {@link Native} turns into an
     * exception.
     *
     * <p>Public only because JNR-FFI implements it in a class loader of its own; it is nested in the
     * package-private {@link Native}, so it is not part of the API.
     */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, @In ByteBuffer addr, int addrlen);

        @SaveError
        int getsockname(int fd, @Out ByteBuffer addr, @In @Out int[] addrlen);

        @SaveError
        int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

        @SaveError
        int getsockopt(int fd, int level, int optname, @Out ByteBuffer optval, @In @Out int[] optlen);

        @SaveError
        @ssize_t
        long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrlen);

        @SaveError
        @ssize_t
        long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, @Out ByteBuffer addr,
                @In @Out int[] addrlen);

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

    static String strerror(int errno) {
        try {
            return libc().strerror(errno);
        } catch (LinkageError e) {
            return null;
        }
    }

    static int socket(int protocol) {
        while (true) {
            int fd = libc().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return fd;
            }
            int e = errno();
            if (e != Errno.EINTR) {
                throw NetlinkException.of("socket(AF_NETLINK, SOCK_RAW, " + protocol + ")", e, null);
            }
        }
    }

    static ByteBuffer sockaddr(int pid, int groups) {
        ByteBuffer a = ByteBuffer.allocateDirect(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder());
        a.putShort(0, (short) AF_NETLINK).putInt(4, pid).putInt(8, groups);
        return a;
    }

    static void bind(int fd, int pid, int groups) {
        check(libc().bind(fd, sockaddr(pid, groups), SOCKADDR_NL_LEN), "bind(AF_NETLINK)");
    }

    /** The port id the kernel gave the socket. */
    static int portId(int fd) {
        ByteBuffer a = ByteBuffer.allocateDirect(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder());
        int[] len = {SOCKADDR_NL_LEN};
        check(libc().getsockname(fd, a, len), "getsockname");
        return a.getInt(4);
    }

    static void setInt(int fd, int level, int option, int value, String name) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        v.putInt(0, value);
        check(libc().setsockopt(fd, level, option, v, 4), "setsockopt(" + name + ")");
    }

    /** Like {@link #setInt} but returns the errno instead of throwing (0 on success). */
    static int trySetInt(int fd, int level, int option, int value) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        v.putInt(0, value);
        return libc().setsockopt(fd, level, option, v, 4) == 0 ? 0 : errno();
    }

    static int getInt(int fd, int level, int option, String name) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        int[] len = {4};
        check(libc().getsockopt(fd, level, option, v, len), "getsockopt(" + name + ")");
        return v.getInt(0);
    }

    static void setReceiveTimeout(int fd, long millis) {
        ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        tv.putLong(0, millis / 1000).putLong(8, (millis % 1000) * 1000);
        check(libc().setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16), "setsockopt(SO_RCVTIMEO)");
    }

    /** Sends {@code length} bytes of the direct buffer to the kernel (port 0). */
    static void sendToKernel(int fd, ByteBuffer direct, int length, ByteBuffer kernelAddress) {
        while (true) {
            long n = libc().sendto(fd, direct, length, 0, kernelAddress, SOCKADDR_NL_LEN);
            if (n >= 0) {
                if (n != length) {
                    throw new NetlinkException(0, null, "sendto: sent " + n + " of " + length + " bytes");
                }
                return;
            }
            int e = errno();
            if (e != Errno.EINTR) {
                throw NetlinkException.of("sendto(netlink)", e, null);
            }
        }
    }

    /**
     * Receives one datagram into the direct buffer; returns its full length, which exceeds the buffer's
     * capacity when it was truncated (MSG_TRUNC).
     */
    static int receive(int fd, ByteBuffer direct) {
        ByteBuffer from = ByteBuffer.allocateDirect(SOCKADDR_NL_LEN);
        while (true) {
            int[] fromLen = {SOCKADDR_NL_LEN};
            long n = libc().recvfrom(fd, direct, direct.capacity(), MSG_TRUNC, from, fromLen);
            if (n >= 0) {
                return (int) n;
            }
            int e = errno();
            if (e != Errno.EINTR) {
                throw NetlinkException.of(e == Errno.EAGAIN ? "recvfrom(netlink): no answer from the kernel in time"
                        : "recvfrom(netlink)", e, null);
            }
        }
    }

    static void close(int fd) {
        // Linux releases the descriptor even when close is interrupted, so EINTR is not retried here.
        if (libc().close(fd) != 0 && errno() != Errno.EINTR) {
            throw NetlinkException.of("close(netlink)", errno(), null);
        }
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw NetlinkException.of(call, errno(), null);
        }
    }
}
