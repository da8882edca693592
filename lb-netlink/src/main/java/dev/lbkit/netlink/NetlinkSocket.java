package dev.lbkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket to the kernel (port 0) for request/response traffic: single requests acknowledged by the
 * kernel, multipart dumps, and batches of requests carried in few datagrams.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Each message gets a fresh sequence number when sent; replies with another sequence number (left over
 *       from an earlier, abandoned request) are skipped.</li>
 *   <li>NETLINK_EXT_ACK and NETLINK_CAP_ACK are switched on where the kernel has them, so errors carry the
 *       kernel's text and acknowledgements stay small.</li>
 *   <li>The kernel-side receive buffer is raised to {@link #RECEIVE_BUFFER_BYTES} (SO_RCVBUFFORCE when allowed,
 *       else SO_RCVBUF up to net.core.rmem_max); user-space reads use a 64 KiB buffer, more than the 32 KiB a
 *       dump part can be.</li>
 *   <li>A dump that the kernel marks inconsistent (NLM_F_DUMP_INTR) or that loses messages (ENOBUFS) is
 *       restarted, up to {@link #DUMP_ATTEMPTS} times in all.</li>
 *   <li>A reply that does not come within the receive timeout (default 10 s) fails with EAGAIN.</li>
 * </ul>
 *
 * <p>Thread-safety: every method is synchronized, so one request is in flight at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** The kernel-side receive buffer asked for: 4 MiB. */
    public static final int RECEIVE_BUFFER_BYTES = 4 << 20;
    /** How often a dump is tried before an inconsistent or overrun dump is an error. */
    public static final int DUMP_ATTEMPTS = 4;
    /** The most bytes one sendto of a batch carries (below the default socket send buffer). */
    static final int MAX_DATAGRAM = 32 << 10;
    private static final int READ_BUFFER = 64 << 10;

    private final int protocol;
    private final long receiveTimeoutMillis;
    private final ByteBuffer kernel = Native.sockaddr(0, 0);
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.nativeOrder());
    private ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM).order(ByteOrder.nativeOrder());
    private int fd = -1;
    private int portId;
    private int nextSeq = (int) (System.nanoTime() & 0x3fffffff) | 1;
    private long messagesSent;
    private boolean closed;

    private NetlinkSocket(int protocol, long receiveTimeoutMillis) {
        this.protocol = protocol;
        this.receiveTimeoutMillis = receiveTimeoutMillis;
    }

    /**
     * Opens and binds a socket of this netlink protocol (e.g. {@link Netlink#NETLINK_GENERIC}).
     *
     * @throws NetlinkException when the kernel refuses (the message names the call and errno)
     */
    public static NetlinkSocket open(int protocol) {
        return open(protocol, 10_000);
    }

    /** As {@link #open(int)}, waiting at most {@code receiveTimeoutMillis} for each reply. */
    public static NetlinkSocket open(int protocol, long receiveTimeoutMillis) {
        NetlinkSocket s = new NetlinkSocket(protocol, receiveTimeoutMillis);
        s.connect();
        return s;
    }

    private void connect() {
        int f = Native.socket(protocol);
        try {
            if (Native.trySetInt(f, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, RECEIVE_BUFFER_BYTES) != 0) {
                Native.trySetInt(f, Native.SOL_SOCKET, Native.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            }
            Native.trySetInt(f, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            Native.trySetInt(f, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            Native.setReceiveTimeout(f, receiveTimeoutMillis);
            Native.bind(f, 0, 0);
            portId = Native.portId(f);
        } catch (RuntimeException e) {
            Native.close(f);
            throw e;
        }
        fd = f;
    }

    /** The port id the kernel assigned. */
    public synchronized int portId() {
        return portId;
    }

    /** The number of messages sent so far (requests, dump requests and each message of a batch). */
    public synchronized long messagesSent() {
        return messagesSent;
    }

    /** The kernel-side receive buffer in bytes, as the kernel reports it (SO_RCVBUF). */
    public synchronized int receiveBufferBytes() {
        ensureOpen();
        return Native.getInt(fd, Native.SOL_SOCKET, Native.SO_RCVBUF, "SO_RCVBUF");
    }

    /**
     * Sends one request (the single message in {@code message}) asking for an acknowledgement, and returns the
     * replies that came before it (e.g. the answer to a GET), in order; each reply is a copy the caller owns.
     *
     * @param what names the request in an error, e.g. {@code IPVS NEW_SERVICE 10.0.0.1:80/tcp}
     * @throws NetlinkException naming {@code what} and the kernel's reason when the kernel answers an error
     */
    public synchronized List<Message> request(ByteBuffer message, String what) {
        ensureOpen();
        int seq = stamp(message, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, true);
        send(sendBuffer, sendBuffer.limit(), 1);
        List<Message> replies = new ArrayList<>(2);
        while (true) {
            for (Message m : receiveCopy()) {
                if (m.seq() != seq) {
                    continue;
                }
                if (m.isError()) {
                    if (m.errorCode() != 0) {
                        throw NetlinkException.of(what, m.errorCode(), m.extendedAckMessage());
                    }
                    return replies;
                }
                replies.add(m);
            }
        }
    }

    /**
     * Sends a dump request (the single message in {@code message}; NLM_F_DUMP is set here) and returns every
     * message of the answer up to NLMSG_DONE, each a copy the caller owns. Restarts an interrupted or overrun
     * dump.
     *
     * @throws NetlinkException naming {@code what} and the kernel's reason
     */
    public synchronized List<Message> dump(ByteBuffer message, String what) {
        ensureOpen();
        NetlinkException last = null;
        for (int attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
            try {
                List<Message> out = dumpOnce(message, what);
                if (out != null) {
                    return out;
                }
                last = new NetlinkException(0, null, what + ": dump interrupted by concurrent changes "
                        + DUMP_ATTEMPTS + " times (NLM_F_DUMP_INTR)");
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                last = NetlinkException.of(what + ": dump lost messages " + DUMP_ATTEMPTS + " times", Errno.ENOBUFS,
                        null);
                reopen(); // the old dump may still be running on the old socket
            }
        }
        throw last;
    }

    /** One dump attempt: the messages, or null when the kernel flagged the dump inconsistent. */
    private List<Message> dumpOnce(ByteBuffer message, String what) {
        int seq = stamp(message, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, Netlink.NLM_F_ACK, true);
        send(sendBuffer, sendBuffer.limit(), 1);
        List<Message> out = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            for (Message m : receiveCopy()) {
                if (m.seq() != seq) {
                    continue;
                }
                interrupted |= m.hasFlag(Netlink.NLM_F_DUMP_INTR);
                if (m.isError()) {
                    if (m.errorCode() != 0) {
                        throw NetlinkException.of(what, m.errorCode(), m.extendedAckMessage());
                    }
                    continue;
                }
                if (m.isDone()) {
                    if (m.doneCode() != 0) {
                        throw NetlinkException.of(what, m.doneCode(), null);
                    }
                    return interrupted ? null : out;
                }
                out.add(m);
            }
        }
    }

    /** A request of a batch that the kernel refused. */
    public record Failure(int index, int errno, String kernelMessage) {}

    /**
     * Sends every message in {@code messages} (built back to back, e.g. by one {@link MessageWriter}) in as few
     * datagrams as fit {@value #MAX_DATAGRAM} bytes, asks an acknowledgement only of the last message of each
     * datagram (the kernel reports every failure anyway, in order), and returns the failures. The kernel goes
     * on after a failed message, so a failure does not stop the rest of the batch.
     *
     * @return the refused messages by index (0-based, in the order given), empty when all succeeded
     * @throws NetlinkException when the socket fails; then which messages took effect is unknown (e.g. ENOBUFS:
     *                          the socket is reopened, and the caller should read the state back)
     */
    public synchronized List<Failure> requestBatch(ByteBuffer messages) {
        ensureOpen();
        ByteBuffer all = messages.slice().order(ByteOrder.nativeOrder());
        List<Failure> failures = new ArrayList<>();
        int index = 0;
        int p = 0;
        while (p < all.limit()) {
            int chunkStart = p;
            int count = 0;
            while (p < all.limit()) {
                int len = all.getInt(p);
                if (len < Netlink.NLMSG_HDRLEN || p + len > all.limit()) {
                    throw new IllegalArgumentException("malformed message at offset " + p + " of the batch");
                }
                int next = p + Netlink.align(len);
                if (count > 0 && next - chunkStart > MAX_DATAGRAM) {
                    break;
                }
                p = next;
                count++;
            }
            int length = p - chunkStart;
            if (sendBuffer.capacity() < length) {
                sendBuffer = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
            }
            sendBuffer.clear();
            sendBuffer.put(all.duplicate().position(chunkStart).limit(p)).flip();
            int firstSeq = nextSeq;
            int q = 0;
            for (int i = 0; i < count; i++) {
                int len = sendBuffer.getInt(q);
                int flags = (sendBuffer.getShort(q + 6) & 0xffff) | Netlink.NLM_F_REQUEST;
                flags = i == count - 1 ? flags | Netlink.NLM_F_ACK : flags & ~Netlink.NLM_F_ACK;
                sendBuffer.putShort(q + 6, (short) flags);
                sendBuffer.putInt(q + 8, nextSequence());
                q += Netlink.align(len);
            }
            int lastSeq = firstSeq + count - 1;
            try {
                send(sendBuffer, length, count);
                boolean acked = false;
                while (!acked) {
                    for (Message m : receiveView()) {
                        int offset = m.seq() - firstSeq;
                        if (!m.isError() || offset < 0 || offset >= count) {
                            continue;
                        }
                        if (m.errorCode() != 0) {
                            failures.add(new Failure(index + offset, m.errorCode(), m.extendedAckMessage()));
                        }
                        acked |= m.seq() == lastSeq;
                    }
                }
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    reopen();
                }
                throw e;
            }
            index += count;
        }
        return failures;
    }

    /** The next sequence number (never 0, which the kernel uses for notifications). */
    private int nextSequence() {
        int s = nextSeq++;
        if (nextSeq == 0) {
            nextSeq = 1;
        }
        return s;
    }

    /** Copies one message into the send buffer, setting flags and a fresh sequence number. */
    private int stamp(ByteBuffer message, int setFlags, int clearFlags, boolean single) {
        ByteBuffer m = message.slice().order(ByteOrder.nativeOrder());
        int len = m.getInt(0);
        if (single && Netlink.align(len) < m.limit()) {
            throw new IllegalArgumentException("expected one message but the buffer holds more");
        }
        if (sendBuffer.capacity() < m.limit()) {
            sendBuffer = ByteBuffer.allocateDirect(m.limit()).order(ByteOrder.nativeOrder());
        }
        sendBuffer.clear();
        sendBuffer.put(m).flip();
        int flags = ((sendBuffer.getShort(6) & 0xffff) | setFlags) & ~clearFlags;
        sendBuffer.putShort(6, (short) flags);
        int seq = nextSequence();
        sendBuffer.putInt(8, seq);
        return seq;
    }

    private void send(ByteBuffer direct, int length, int count) {
        Native.sendToKernel(fd, direct, length, kernel);
        messagesSent += count;
    }

    /** Receives one datagram and parses it in place: valid until the next receive. */
    private List<Message> receiveView() {
        int n = Native.receive(fd, readBuffer);
        if (n > readBuffer.capacity()) {
            throw new NetlinkException(Errno.EMSGSIZE, null, "netlink message of " + n
                    + " bytes truncated to the " + readBuffer.capacity() + "-byte read buffer");
        }
        return Message.parseAll(readBuffer.duplicate().position(0).limit(n));
    }

    /** Receives one datagram into a heap copy the caller may keep. */
    private List<Message> receiveCopy() {
        int n = Native.receive(fd, readBuffer);
        if (n > readBuffer.capacity()) {
            throw new NetlinkException(Errno.EMSGSIZE, null, "netlink message of " + n
                    + " bytes truncated to the " + readBuffer.capacity() + "-byte read buffer");
        }
        ByteBuffer copy = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        copy.put(readBuffer.duplicate().position(0).limit(n)).flip();
        return Message.parseAll(copy);
    }

    private void reopen() {
        int old = fd;
        fd = -1;
        Native.close(old);
        connect();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket closed");
        }
    }

    /** Closes the socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (fd >= 0) {
                Native.close(fd);
                fd = -1;
            }
        }
    }
}
