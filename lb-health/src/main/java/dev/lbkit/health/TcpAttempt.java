package dev.lbkit.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import jnr.ffi.Pointer;

/**
 * One TCP check: a non-blocking connect on a native socket registered edge-triggered with its {@link EventLoop}
 * (readable, writable and peer-closed at once, so the registration never changes), optionally a TLS handshake
 * through an {@link SSLEngine} over the same socket, then a {@link Conversation} that sends and judges. The
 * connect is made with TCP_QUICKACK off, so the handshake's last ACK rides on the first bytes sent (as HAProxy
 * does); the connection is closed with a reset (SO_LINGER 0) so that no TIME_WAIT piles up on either side.
 *
 * <p>Buffers: {@code in} holds received application bytes (write mode), grown up to
 * {@link Conversation#MAX_RECEIVED}; {@code out} holds bytes (TLS records when TLS is on) waiting for the socket
 * (write mode). Both belong to this attempt and die with it; bytes cross to the kernel through the loop's
 * native scratch memory. Confined to the loop thread.
 */
final class TcpAttempt extends Attempt implements EventLoop.IoHandler {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int EVENTS = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP | Native.EPOLLET;

    private final Conversation conversation;
    private final TlsClient tls; // null for plain TCP
    private final Endpoint endpoint;
    private final Native.LibC libc = Native.libc();
    private int fd = -1;
    private boolean connected;
    /** The peer's FIN (or an error) was signalled: read on to the end, no further edge will come. */
    private boolean peerClosed;
    private SSLEngine engine;
    private boolean handshaking;
    private ByteBuffer netIn;
    private ByteBuffer in;
    private ByteBuffer out;

    TcpAttempt(EventLoop loop, ProbeKey key, Endpoint endpoint, Conversation conversation, TlsClient tls,
            Consumer<Outcome> done) {
        super(loop, key, done);
        this.endpoint = endpoint;
        this.conversation = conversation;
        this.tls = tls;
        conversation.attempt = this;
    }

    @Override
    void start() {
        if (key.port() == 0) {
            fail("no port to check: set the check's port (the real server and VIP have none)");
            return;
        }
        try {
            fd = libc.socket(endpoint.family(), Native.SOCK_STREAM | Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Native.exception("socket", Native.errno());
            }
            if (conversation.clientSpeaksFirst() || tls != null) {
                Pointer opt = loop.option;
                opt.putInt(0, 0);
                // the last ACK of the handshake rides on the first bytes sent; an optimisation, errors ignored
                libc.setsockopt(fd, Native.IPPROTO_TCP, Native.TCP_QUICKACK, opt, 4);
            }
            Pointer a = loop.address;
            if (endpoint.source() != null) {
                a.put(0, endpoint.source(), 0, endpoint.source().length);
                if (libc.bind(fd, a, endpoint.source().length) < 0) {
                    throw Native.exception("bind", Native.errno());
                }
            }
            byte[] t = endpoint.target();
            a.put(0, t, 0, t.length);
            if (libc.connect(fd, a, t.length) < 0) {
                int e = Native.errno();
                if (e != Native.EINPROGRESS && e != Native.EINTR) {
                    throw Native.exception("connect", e);
                }
            }
            loop.register(fd, EVENTS, this); // an established connection reports writable at once
        } catch (IOException e) {
            fail("connect: " + describe(e));
        }
    }

    @Override
    public void onReady(int events) {
        if ((events & (Native.EPOLLRDHUP | Native.EPOLLHUP | Native.EPOLLERR)) != 0) {
            peerClosed = true;
        }
        try {
            if (!connected) {
                if ((events & (Native.EPOLLERR | Native.EPOLLHUP)) != 0) {
                    fail("connect: " + describe(connectError()));
                    return;
                }
                if ((events & Native.EPOLLOUT) == 0) {
                    return;
                }
                connected();
                if (isFinished()) {
                    return;
                }
            } else if ((events & Native.EPOLLOUT) != 0 && out != null && out.position() > 0) {
                flush();
                if (handshaking && !isFinished()) {
                    handshake();
                }
            }
            if (!isFinished() && (events & (Native.EPOLLIN | Native.EPOLLRDHUP | Native.EPOLLHUP
                    | Native.EPOLLERR)) != 0) {
                if (handshaking) {
                    handshake();
                } else {
                    readable();
                }
            }
        } catch (IOException e) {
            fail((connected ? phase() : "connect") + ": " + describe(e));
        }
    }

    private IOException connectError() {
        Pointer v = loop.option;
        v.putInt(0, 0);
        v.putInt(4, 4);
        int err = libc.getsockopt(fd, Native.SOL_SOCKET, Native.SO_ERROR, v, v.slice(4)) < 0 ? Native.errno()
                : v.getInt(0);
        return err == 0 ? new IOException("connection closed") : Native.exception("connect", err);
    }

    /** Reads what the socket has into {@code dst}: bytes read, 0 when there is nothing now, -1 at the end. */
    private int read(ByteBuffer dst) throws IOException {
        int room = Math.min(dst.remaining(), EventLoop.SCRATCH_SIZE);
        if (room == 0) {
            return 0;
        }
        Pointer s = loop.scratch;
        long n = libc.recv(fd, s, room, 0);
        if (n > 0) {
            s.get(0, dst.array(), dst.arrayOffset() + dst.position(), (int) n);
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
        if (n == 0) {
            return -1;
        }
        int e = Native.errno();
        if (e == Native.EAGAIN || e == Native.EINTR) {
            return 0;
        }
        throw Native.exception("recv", e);
    }

    /** Writes what it can of {@code src} (read mode); returns the bytes written. */
    private int write(ByteBuffer src) throws IOException {
        int len = Math.min(src.remaining(), EventLoop.SCRATCH_SIZE);
        Pointer s = loop.scratch;
        s.put(0, src.array(), src.arrayOffset() + src.position(), len);
        long n = libc.send(fd, s, len, Native.MSG_NOSIGNAL);
        if (n >= 0) {
            src.position(src.position() + (int) n);
            return (int) n;
        }
        int e = Native.errno();
        if (e == Native.EAGAIN || e == Native.EINTR) {
            return 0;
        }
        throw Native.exception("send", e);
    }

    private String phase() {
        return handshaking ? "TLS handshake" : conversation.phase();
    }

    private void connected() throws IOException {
        connected = true;
        if (tls == null) {
            in = ByteBuffer.allocate(512); // most answers fit; grows as needed
            conversation.onConnected();
            return;
        }
        engine = tls.newEngine(key);
        in = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        handshaking = true;
        engine.beginHandshake();
        handshake();
    }

    /** Drives the handshake as far as the socket allows; hands over to the conversation when it is done. */
    private void handshake() throws IOException {
        for (int turns = 0; turns < 1000 && !isFinished(); turns++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK: {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    break;
                }
                case NEED_WRAP: {
                    SSLEngineResult r = engine.wrap(EMPTY, out);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        fail("TLS handshake: closed by the engine");
                        return;
                    }
                    if (!flush()) {
                        return; // resumes on the next writable edge
                    }
                    break;
                }
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN: {
                    netIn.flip();
                    SSLEngineResult r = engine.unwrap(netIn, in);
                    netIn.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || (r.bytesConsumed() == 0 && r.getHandshakeStatus()
                                    == SSLEngineResult.HandshakeStatus.NEED_UNWRAP)) {
                        int n = read(netIn);
                        if (n < 0) {
                            fail("TLS handshake: connection closed by the server");
                            return;
                        }
                        if (n == 0) {
                            return; // resumes on the next readable edge
                        }
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        fail("TLS handshake: closed by the server");
                        return;
                    }
                    break;
                }
                default: {
                    handshaking = false;
                    conversation.onConnected();
                    if (!isFinished() && (in.position() > 0 || netIn.position() > 0)) {
                        readable();
                    }
                    return;
                }
            }
        }
    }

    /** Sends these bytes (through TLS when on). Called by the conversation. */
    void send(byte[] data) {
        try {
            ByteBuffer src = ByteBuffer.wrap(data);
            if (engine == null && (out == null || out.position() == 0)) {
                write(src); // the common case: all of it goes at once, no buffer
                if (!src.hasRemaining()) {
                    return;
                }
            }
            if (engine == null) {
                if (out == null || out.remaining() < data.length) {
                    ByteBuffer bigger = ByteBuffer.allocate((out == null ? 0 : out.position()) + data.length);
                    if (out != null) {
                        out.flip();
                        bigger.put(out);
                    }
                    out = bigger;
                }
                out.put(src);
            } else {
                while (src.hasRemaining()) {
                    if (out.remaining() < engine.getSession().getPacketBufferSize()) {
                        ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2);
                        out.flip();
                        bigger.put(out);
                        out = bigger;
                    }
                    SSLEngineResult r = engine.wrap(src, out);
                    if (r.getStatus() != SSLEngineResult.Status.OK) {
                        fail("TLS: cannot send (" + r.getStatus() + ")");
                        return;
                    }
                }
            }
            flush();
        } catch (IOException e) {
            fail(phase() + ": " + describe(e));
        }
    }

    /** Writes what is pending; returns true when everything went out (else the next writable edge resumes). */
    private boolean flush() throws IOException {
        if (out == null || out.position() == 0) {
            return true;
        }
        out.flip();
        write(out);
        boolean all = !out.hasRemaining();
        out.compact();
        return all;
    }

    /**
     * Reads until the socket has nothing more (edge-triggered: a short read means drained, and new bytes bring a
     * new edge), handing what arrived to the conversation after each read.
     */
    private void readable() throws IOException {
        for (int turn = 0; turn < 64 && !isFinished(); turn++) {
            boolean eof;
            boolean more;
            if (engine == null) {
                ensureRoom();
                int room = in.remaining();
                int n = read(in);
                eof = n < 0;
                more = n == room || (peerClosed && n > 0);
            } else {
                int room = netIn.remaining();
                int n = read(netIn);
                eof = n < 0;
                more = room > 0 && (n == room || (peerClosed && n > 0));
                netIn.flip();
                try {
                    while (netIn.hasRemaining()) {
                        ensureRoom();
                        SSLEngineResult r = engine.unwrap(netIn, in);
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            eof = true;
                            break;
                        }
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                                || r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                            break;
                        }
                        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                            Runnable task;
                            while ((task = engine.getDelegatedTask()) != null) {
                                task.run();
                            }
                        }
                    }
                } finally {
                    netIn.compact();
                }
            }
            in.flip();
            try {
                conversation.onData(in, eof);
            } finally {
                in.compact();
            }
            if (isFinished()) {
                return;
            }
            if (eof) {
                fail(conversation.phase() + ": connection closed by the server");
                return;
            } else if (in.position() >= Conversation.MAX_RECEIVED) {
                fail(conversation.phase() + ": more than " + Conversation.MAX_RECEIVED / 1024
                        + " KiB without a match");
                return;
            }
            if (!more) {
                return;
            }
        }
    }

    private void ensureRoom() {
        int need = engine == null ? 256 : engine.getSession().getApplicationBufferSize();
        if (in.remaining() < need && in.capacity() < Conversation.MAX_RECEIVED + need) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(in.capacity() * 2, Conversation.MAX_RECEIVED + need));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
    }

    @Override
    void release() {
        if (fd >= 0) {
            if (connected) {
                // SO_LINGER 0: close with a reset, so that no TIME_WAIT stays behind on either side
                Pointer v = loop.option;
                v.putInt(0, 1);
                v.putInt(4, 0);
                libc.setsockopt(fd, Native.SOL_SOCKET, Native.SO_LINGER, v, 8);
            }
            loop.close(fd);
            fd = -1;
        }
    }

    @Override
    String timeoutReason() {
        String after = seconds(timeoutNanos);
        if (!connected) {
            return "connect timeout after " + after;
        }
        return "timeout after " + after + " " + phase();
    }

    static String describe(IOException e) {
        if (e instanceof ConnectException) {
            String m = String.valueOf(e.getMessage());
            return m.contains("refused") ? "connection refused" : m;
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SSLException) {
            return "TLS: " + e.getMessage();
        }
        String m = String.valueOf(e.getMessage());
        if (m.toLowerCase(java.util.Locale.ROOT).contains("reset")) {
            return "connection reset";
        }
        return m;
    }
}
