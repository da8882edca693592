package dev.lbkit.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One TCP check: connect without blocking, optionally run a TLS handshake through an {@link SSLEngine} over the
 * same channel, then let a {@link Conversation} send and judge. The connection is closed with a reset
 * (SO_LINGER 0, as HAProxy's checks do) so that no TIME_WAIT piles up on either side.
 *
 * <p>Buffers: {@code in} holds received application bytes (write mode), grown up to
 * {@link Conversation#MAX_RECEIVED}; {@code out} holds bytes (TLS records when TLS is on) waiting for the socket
 * (write mode). Both belong to this attempt and die with it. Confined to the loop thread.
 */
final class TcpAttempt extends Attempt implements EventLoop.IoHandler {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Conversation conversation;
    private final TlsClient tls; // null for plain TCP
    private SocketChannel channel;
    private SelectionKey selectionKey;
    private boolean connected;
    private SSLEngine engine;
    private boolean handshaking;
    private ByteBuffer netIn;
    private ByteBuffer in;
    private ByteBuffer out;

    TcpAttempt(EventLoop loop, ProbeKey key, Conversation conversation, TlsClient tls, Consumer<Outcome> done) {
        super(loop, key, done);
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
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            // no TCP_NODELAY: a check writes its request once, and every option is a system call per check
            var source = key.check().settings().sourceAddress();
            if (source.isPresent()) {
                channel.bind(new InetSocketAddress(source.get(), 0));
            }
            if (channel.connect(new InetSocketAddress(key.address(), key.port()))) {
                selectionKey = channel.register(loop.selector(), SelectionKey.OP_READ, this);
                connected();
            } else {
                selectionKey = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            fail("connect: " + describe(e));
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        try {
            if (!connected) {
                if (k.isConnectable() && channel.finishConnect()) {
                    k.interestOps(SelectionKey.OP_READ);
                    connected();
                }
                return;
            }
            if (k.isValid() && k.isWritable()) {
                flush();
                if (handshaking && !isFinished()) {
                    handshake();
                }
            }
            if (!isFinished() && k.isValid() && k.isReadable()) {
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
                        return; // resumes on OP_WRITE
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
                        int n = channel.read(netIn);
                        if (n < 0) {
                            fail("TLS handshake: connection closed by the server");
                            return;
                        }
                        if (n == 0) {
                            return; // resumes on OP_READ
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

    /** Writes what is pending; returns true when everything went out. */
    private boolean flush() throws IOException {
        if (out == null || out.position() == 0) {
            return true;
        }
        out.flip();
        channel.write(out);
        boolean all = !out.hasRemaining();
        out.compact();
        int ops = selectionKey.interestOps();
        int wanted = all ? ops & ~SelectionKey.OP_WRITE : ops | SelectionKey.OP_WRITE;
        if (wanted != ops) {
            selectionKey.interestOps(wanted); // each change is an epoll update: only when it changes
        }
        return all;
    }

    private void readable() throws IOException {
        boolean eof = false;
        if (engine == null) {
            ensureRoom();
            eof = channel.read(in) < 0;
        } else {
            int n = channel.read(netIn);
            eof = n < 0;
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
        } else if (in.position() >= Conversation.MAX_RECEIVED) {
            fail(conversation.phase() + ": more than " + Conversation.MAX_RECEIVED / 1024 + " KiB without a match");
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
        if (channel != null) {
            try {
                channel.close(); // cancels the key; SO_LINGER 0 makes it a reset
            } catch (IOException e) {
                // closing anyway
            }
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
