package dev.lbkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket subscribed to multicast groups (e.g. {@link RouteNetlink#RTMGRP_LINK}) for the kernel's
 * notifications, read without blocking so that an event loop can wait on {@link #fd()} with poll(2) next to its
 * other sockets.
 *
 * <p>When the kernel had to drop notifications because the socket's buffer was full, the next read fails with
 * ENOBUFS; {@link #receive()} records that as an overrun instead of failing, and the owner must then read the
 * state back with a dump ({@link #takeOverrun()}), so no change is ever lost.
 *
 * <p>Not thread-safe: one event loop owns it.
 */
public final class NetlinkMonitor implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int READ_BUFFER = 64 << 10;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.nativeOrder());
    private final ByteBuffer from = ByteBuffer.allocateDirect(Native.SOCKADDR_NL_LEN);
    private int fd;
    private boolean overrun;
    private long overruns;

    private NetlinkMonitor(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket of {@code protocol} bound to the legacy group bit mask {@code groups}.
     *
     * @param receiveBufferBytes the kernel-side buffer asked for (SO_RCVBUFFORCE, else SO_RCVBUF)
     */
    public static NetlinkMonitor open(int protocol, int groups, int receiveBufferBytes) {
        int f = Native.socket(protocol);
        try {
            if (Native.trySetInt(f, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, receiveBufferBytes) != 0) {
                Native.trySetInt(f, Native.SOL_SOCKET, Native.SO_RCVBUF, receiveBufferBytes);
            }
            Native.bind(f, 0, groups);
        } catch (RuntimeException e) {
            Native.close(f);
            throw e;
        }
        return new NetlinkMonitor(f);
    }

    /** The descriptor to poll for POLLIN. */
    public int fd() {
        return fd;
    }

    /**
     * Reads every notification queued now, without waiting; each message is a copy the caller owns. An ENOBUFS
     * from the kernel is recorded (see {@link #takeOverrun()}) and reading goes on.
     */
    public List<Message> receive() {
        if (fd < 0) {
            throw new IllegalStateException("netlink monitor closed");
        }
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < 1024; i++) { // bounded: a busy kernel cannot keep the caller here forever
            int[] fromLen = {Native.SOCKADDR_NL_LEN};
            long n = Native.libc().recvfrom(fd, readBuffer, readBuffer.capacity(), MSG_DONTWAIT | Native.MSG_TRUNC,
                    from, fromLen);
            if (n < 0) {
                int e = Native.errno();
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.ENOBUFS) {
                    overrun = true;
                    overruns++;
                    continue;
                }
                if (e == Errno.EAGAIN) {
                    break;
                }
                throw NetlinkException.of("recvfrom(netlink monitor)", e, null);
            }
            if (n > readBuffer.capacity()) {
                overrun = true; // a truncated notification is a lost one: resync
                overruns++;
                continue;
            }
            if (from.getInt(4) != 0) {
                continue; // only the kernel (port 0) sends notifications
            }
            ByteBuffer copy = ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
            copy.put(readBuffer.duplicate().position(0).limit((int) n)).flip();
            out.addAll(Message.parseAll(copy));
        }
        return out;
    }

    /** Whether notifications were lost since the last call (then the caller must dump); clears the flag. */
    public boolean takeOverrun() {
        boolean o = overrun;
        overrun = false;
        return o;
    }

    /** How many times notifications were lost since the socket was opened. */
    public long overruns() {
        return overruns;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            int f = fd;
            fd = -1;
            Native.close(f);
        }
    }
}
