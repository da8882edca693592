package dev.lbkit.health;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICMP echo socket of an {@link EventLoop}, shared by every ping probe of that loop with the same address
 * family and source address: sends echo requests without blocking and hands each reply to the attempt waiting
 * for it, matched by identifier, sequence number and source address (replies to other programs, late replies
 * and replies from other hosts are dropped and counted).
 *
 * <p>It is an unprivileged ICMP datagram socket ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}) where
 * {@code net.ipv4.ping_group_range} allows it: the kernel then fills in the identifier and checksum and delivers
 * only this socket's replies. Otherwise it is a raw socket ({@code SOCK_RAW}, needs CAP_NET_RAW), which sees every
 * ICMP message the host receives and does its own filtering. IPv6 works alike (ICMPv6; the kernel computes the
 * checksum for both kinds). Confined to its loop.
 */
final class IcmpSocket implements EventLoop.IoHandler {
    private static final Logger log = LoggerFactory.getLogger(IcmpSocket.class);
    static final int ECHO_REQUEST_V4 = 8;
    static final int ECHO_REPLY_V4 = 0;
    static final int ECHO_REQUEST_V6 = 128;
    static final int ECHO_REPLY_V6 = 129;
    /** Bytes after the 8-byte ICMP header: a token that a reply must carry back. */
    static final int PAYLOAD = 16;

    /** An attempt waiting for its reply. */
    interface Waiter {
        /** The reply came (loop thread). */
        void onReply();
    }

    private final EventLoop loop;
    private final int family;
    private final boolean raw;
    private final int fd;
    private final int identifier;
    private final Native.LibC libc = Native.libc();
    private final Waiter[] waiting = new Waiter[65536];
    private final byte[][] expectedFrom = new byte[65536][];
    private final long[] tokens = new long[65536];
    private final byte[] packet = new byte[8 + PAYLOAD];
    private final byte[] received = new byte[1500];
    private final byte[] from = new byte[Native.SOCKADDR_MAX];
    private int nextSequence = ThreadLocalRandom.current().nextInt(65536);
    private int inFlight;
    long strays;

    /** The last request built by {@link #expect}. */
    byte[] packet() {
        return packet;
    }

    IcmpSocket(EventLoop loop, int family, boolean raw, int fd) {
        this.loop = loop;
        this.family = family;
        this.raw = raw;
        this.fd = fd;
        // a datagram socket's identifier is its port, set by the kernel (replies are matched by sequence then)
        this.identifier = ThreadLocalRandom.current().nextInt(65536);
    }

    /**
     * Opens the socket for this family (and source address, bytes of a sockaddr or null) and registers it with
     * the loop. Tries the unprivileged kind first.
     */
    static IcmpSocket open(EventLoop loop, int family, byte[] source) throws IOException {
        Native.LibC libc = Native.libc();
        int proto = family == Native.AF_INET ? Native.IPPROTO_ICMP : Native.IPPROTO_ICMPV6;
        int flags = Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC;
        boolean raw = false;
        int fd = libc.socket(family, Native.SOCK_DGRAM | flags, proto);
        int dgramErrno = fd < 0 ? Native.errno() : 0;
        if (fd < 0) {
            raw = true;
            fd = libc.socket(family, Native.SOCK_RAW | flags, proto);
            if (fd < 0) {
                int e = Native.errno();
                throw new IOException("no ICMP socket: unprivileged ICMP is not allowed ("
                        + Native.strerror(dgramErrno) + "; see net.ipv4.ping_group_range) and a raw socket "
                        + "needs CAP_NET_RAW (" + Native.strerror(e) + ")");
            }
        }
        IcmpSocket s = new IcmpSocket(loop, family, raw, fd);
        try {
            if (source != null) {
                loop.address.put(0, source, 0, source.length);
                if (libc.bind(fd, loop.address, source.length) < 0) {
                    throw Native.exception("bind", Native.errno());
                }
            }
            loop.register(fd, Native.EPOLLIN, s);
        } catch (IOException e) {
            loop.close(fd);
            throw e;
        }
        log.debug("ICMP{} {} socket open", family == Native.AF_INET ? "" : "v6", raw ? "raw" : "datagram");
        return s;
    }

    boolean isRaw() {
        return raw;
    }

    /**
     * Sends an echo request to {@code target} (sockaddr bytes) for {@code waiter}; returns its sequence number,
     * to {@link #forget} when the attempt ends. Throws when the kernel refuses the packet (no route, ...).
     */
    int send(byte[] target, Waiter waiter) throws IOException {
        int seq = expect(target, waiter);
        loop.scratch.put(0, packet, 0, packet.length);
        loop.address.put(0, target, 0, target.length);
        long n = libc.sendto(fd, loop.scratch, packet.length, Native.MSG_NOSIGNAL, loop.address, target.length);
        if (n < 0) {
            int e = Native.errno();
            forget(seq);
            throw Native.exception("sendto", e);
        }
        return seq;
    }

    /** Builds the echo request for {@code target} in {@link #packet()} and waits for its reply; the sequence. */
    int expect(byte[] target, Waiter waiter) throws IOException {
        if (inFlight >= 65536) {
            throw new IOException("65,536 echo requests in flight on one socket");
        }
        int seq;
        do {
            seq = nextSequence;
            nextSequence = (nextSequence + 1) & 0xffff;
        } while (waiting[seq] != null);
        long token = ThreadLocalRandom.current().nextLong();
        byte[] p = packet;
        Arrays.fill(p, (byte) 0);
        p[0] = (byte) (family == Native.AF_INET ? ECHO_REQUEST_V4 : ECHO_REQUEST_V6);
        p[4] = (byte) (identifier >>> 8);
        p[5] = (byte) identifier;
        p[6] = (byte) (seq >>> 8);
        p[7] = (byte) seq;
        for (int i = 0; i < 8; i++) {
            p[8 + i] = (byte) (token >>> (56 - 8 * i));
        }
        System.arraycopy("lbkit-hc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, p, 16, 8);
        if (family == Native.AF_INET && raw) {
            int sum = checksum(p, 0, p.length);
            p[2] = (byte) (sum >>> 8);
            p[3] = (byte) sum;
        }
        waiting[seq] = waiter;
        expectedFrom[seq] = address(target);
        tokens[seq] = token;
        inFlight++;
        return seq;
    }

    /** The attempt with this sequence number ended (reply, timeout or abort). */
    void forget(int seq) {
        if (seq >= 0 && waiting[seq] != null) {
            waiting[seq] = null;
            expectedFrom[seq] = null;
            inFlight--;
        }
    }

    @Override
    public void onReady(int events) {
        for (int i = 0; i < 64; i++) {
            loop.option.putInt(0, Native.SOCKADDR_MAX);
            long n = libc.recvfrom(fd, loop.scratch, received.length, 0, loop.address, loop.option);
            if (n < 0) {
                int e = Native.errno();
                if (e != Native.EAGAIN && e != Native.EINTR) {
                    log.debug("ICMP receive: {}", Native.strerror(e));
                }
                return;
            }
            loop.scratch.get(0, received, 0, (int) n);
            loop.address.get(0, from, 0, from.length);
            int seq = match(received, (int) n, address(from));
            if (seq < 0) {
                strays++;
                continue;
            }
            Waiter w = waiting[seq];
            forget(seq);
            w.onReply();
        }
    }

    /**
     * The sequence number of the waiting attempt that this message answers, or -1: an echo reply of our family
     * with our identifier (raw sockets only; the kernel matches a datagram socket's), a waiting sequence number,
     * our token, from the address the request went to.
     */
    int match(byte[] m, int n, byte[] source) {
        int off = 0;
        if (family == Native.AF_INET && raw) {
            if (n < 20 || (m[0] >> 4) != 4) {
                return -1;
            }
            off = (m[0] & 0x0f) * 4; // a raw IPv4 socket gets the IP header
        }
        if (n - off < 8 + PAYLOAD) {
            return -1;
        }
        int type = m[off] & 0xff;
        if (type != (family == Native.AF_INET ? ECHO_REPLY_V4 : ECHO_REPLY_V6) || m[off + 1] != 0) {
            return -1;
        }
        int id = ((m[off + 4] & 0xff) << 8) | (m[off + 5] & 0xff);
        if (raw && id != identifier) {
            return -1;
        }
        int seq = ((m[off + 6] & 0xff) << 8) | (m[off + 7] & 0xff);
        if (waiting[seq] == null || !Arrays.equals(expectedFrom[seq], source)) {
            return -1;
        }
        long token = 0;
        for (int i = 0; i < 8; i++) {
            token = (token << 8) | (m[off + 8 + i] & 0xff);
        }
        return token == tokens[seq] ? seq : -1;
    }

    /** The address bytes (4 or 16) of a sockaddr_in/_in6. */
    private byte[] address(byte[] sockaddr) {
        return family == Native.AF_INET ? Arrays.copyOfRange(sockaddr, 4, 8) : Arrays.copyOfRange(sockaddr, 8, 24);
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes. */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
