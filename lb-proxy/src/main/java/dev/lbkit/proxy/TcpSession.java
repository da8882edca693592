package dev.lbkit.proxy;

import dev.lbkit.proxy.ProxyOptions.ProxyProtocol;
import dev.lbkit.proxy.proxyprotocol.ProxyHeader;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolEncoder;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One proxied TCP connection: the client socket, the real-server socket, and the bytes in flight between them.
 * Both sockets are registered with the same {@link IoLoop}, and every method runs on that loop's thread, so the
 * pair needs no lock (the only exception is {@link #loop}'s task queue, through which other threads reach it).
 *
 * <p>Life: {@code start} (optionally read a PROXY protocol header) → schedule (maybe wait in the virtual
 * server's queue) → connect (redispatch to another real server on failure, then the fallback server) → relay →
 * closed. While relaying, bytes are read into the loop's scratch buffer and written straight on; only when the
 * destination cannot take them all does the direction keep that buffer (it then owns it, and returns it to the
 * loop's pool once written) and stop reading its source: back-pressure, and at most one buffer per direction.
 * An idle connection holds no buffer.
 *
 * <p>Half-close: an end of stream from one side is passed on as a FIN (shutdownOutput) once its pending bytes
 * are written, and the other direction goes on. A reset or any I/O error on either side closes both, the other
 * with a reset too (SO_LINGER 0), so that neither peer mistakes an abort for a clean end.
 */
final class TcpSession extends Session {
    private static final int NEW = 0;
    private static final int HEADER = 1;
    private static final int QUEUED = 2;
    private static final int CONNECTING = 3;
    private static final int RELAY = 4;
    private static final int CLOSED = 5;
    /** Reads per readiness event before the selector gets a turn (fairness between connections). */
    private static final int READS_PER_EVENT = 4;
    /** Room kept free in a header buffer for the PROXY header this proxy sends in its place. */
    private static final int HEADER_HEADROOM = 128;
    private static final ProxyProtocolDecoder DECODER = new ProxyProtocolDecoder();
    private static final ProxyProtocolEncoder ENCODER = new ProxyProtocolEncoder();

    private final SocketChannel client;

    private VirtualService.State config;
    private SelectionKey clientKey;
    private SocketChannel server;
    private SelectionKey serverKey;
    /** The real server this connection is counted on, or null. */
    Backend backend;
    private int state = NEW;
    /** Failed connects so far. */
    int attempts;
    private Backend[] tried;
    private int triedCount;

    private InetSocketAddress clientAddress;
    private InetSocketAddress vipAddress;
    private InetAddress source;

    /** Client to server bytes not yet written; owned by this session. */
    private ByteBuffer up;
    /** Server to client bytes not yet written; owned by this session. */
    private ByteBuffer down;
    private boolean clientEof;
    private boolean serverEof;

    private long acceptedAt;
    private long clientSeen;
    private long serverSeen;
    /** Deadline of the current waiting state (header, queue, connect). */
    private long deadline;
    private long bytesIn;
    private long bytesOut;
    private long flushedIn;
    private long flushedOut;

    TcpSession(IoLoop loop, VirtualService service, SocketChannel client) {
        super(loop, service);
        this.client = client;
    }

    /** Starts serving the accepted connection; on the loop thread. */
    @Override
    void start() {
        config = service.state;
        acceptedAt = loop.now;
        clientSeen = acceptedAt;
        serverSeen = acceptedAt;
        loop.link(this);
        service.active.incrementAndGet();
        service.connections.increment();
        try {
            client.configureBlocking(false);
            setSocketOptions(client, config.options);
            clientAddress = (InetSocketAddress) client.getRemoteAddress();
            vipAddress = (InetSocketAddress) client.getLocalAddress();
            source = clientAddress.getAddress();
            clientKey = client.register(loop.selector, 0, this);
        } catch (IOException e) {
            close(true); // the client left before we got to it
            return;
        }
        if (config.trusted != null) {
            if (!config.trusted.contains(source)) {
                service.proxyProtocolRejected.increment();
                close(true);
                return;
            }
            state = HEADER;
            deadline = loop.now + config.headerTimeout;
            clientKey.interestOps(SelectionKey.OP_READ);
            return;
        }
        schedule();
    }

    /**
     * Takes over an HTTP connection that switched protocols (101 to an Upgrade, 2xx to CONNECT) as a byte relay:
     * both sockets, their keys, the real server's count and the bytes not yet written each way ({@code up} to the
     * server, {@code down} to the client; owned by the new session from now on). The HTTP session has unlinked
     * itself and leaves {@link VirtualService#active} counted for this one. On the loop thread.
     */
    static TcpSession tunnel(IoLoop loop, VirtualService service, SocketChannel client, SelectionKey clientKey,
            InetSocketAddress clientAddress, SocketChannel server, SelectionKey serverKey, Backend backend,
            ByteBuffer up, ByteBuffer down) {
        TcpSession t = new TcpSession(loop, service, client);
        t.config = service.state;
        t.acceptedAt = loop.now;
        t.clientSeen = loop.now;
        t.serverSeen = loop.now;
        t.clientKey = clientKey;
        t.server = server;
        t.serverKey = serverKey;
        t.backend = backend;
        t.clientAddress = clientAddress;
        t.source = clientAddress.getAddress();
        t.state = RELAY;
        t.up = up;
        t.down = down;
        clientKey.attach(t);
        serverKey.attach(t);
        loop.link(t);
        try {
            if (t.down != null) {
                t.flush(false);
            }
            if (t.state == RELAY && t.up != null) {
                t.flush(true);
            }
            if (t.state == RELAY) {
                t.updateInterest();
            }
        } catch (IOException e) {
            t.close(true);
        }
        return t;
    }

    /** Closes the socket of a session that was handed over but never started. */
    @Override
    void closeUnstarted() {
        state = CLOSED;
        closeQuietly(client, false);
    }

    boolean hasTried(Backend b) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == b) {
                return true;
            }
        }
        return false;
    }

    private void addTried(Backend b) {
        if (tried == null) {
            tried = new Backend[4];
        } else if (triedCount == tried.length) {
            tried = java.util.Arrays.copyOf(tried, triedCount * 2);
        }
        tried[triedCount++] = b;
    }

    // ---- scheduling ------------------------------------------------------------------------------------------

    private void schedule() {
        VirtualService.State st = service.state;
        Backend b = service.choose(st, source, this, loop.now);
        if (b != null) {
            connect(b);
            return;
        }
        if (state != QUEUED && st.queueSize > 0 && VirtualService.limited(st) && service.enqueue(this, st.queueSize)) {
            state = QUEUED;
            deadline = loop.now + st.queueTimeout;
            return;
        }
        if (st.fallback != null && !hasTried(st.fallback)) {
            connect(st.fallback);
            return;
        }
        service.refused.increment();
        close(false);
    }

    /** A slot may be free: try again (on the loop thread, posted by {@link VirtualService#slotFreed}). */
    @Override
    void retryFromQueue() {
        if (state != QUEUED) {
            service.slotFreed(); // we timed out or closed meanwhile: pass the slot on
            return;
        }
        VirtualService.State st = service.state;
        Backend b = service.choose(st, source, this, loop.now);
        if (b != null) {
            connect(b);
        } else if (VirtualService.limited(st)) {
            service.requeue(this);
        } else if (st.fallback != null && !hasTried(st.fallback)) {
            connect(st.fallback);
        } else {
            service.refused.increment();
            close(false);
        }
    }

    @Override
    void dropFromQueue() {
        close(false);
    }

    private void connect(Backend b) {
        backend = b;
        b.acquire();
        state = CONNECTING;
        deadline = loop.now + service.state.connectTimeout;
        try {
            server = SocketChannel.open();
            server.configureBlocking(false);
            setSocketOptions(server, config.options);
            if (server.connect(b.address())) {
                serverKey = server.register(loop.selector, 0, this);
                connected();
            } else {
                serverKey = server.register(loop.selector, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            connectFailed();
        }
    }

    private void finishConnect() {
        try {
            if (!server.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            connectFailed();
            return;
        }
        connected();
    }

    private void connectFailed() {
        Backend b = backend;
        b.connectFailures.increment();
        b.release();
        backend = null;
        closeQuietly(server, false);
        server = null;
        serverKey = null;
        addTried(b);
        VirtualService.State st = service.state;
        if (!b.fallback && attempts < st.redispatchAttempts) {
            attempts++;
            schedule();
            service.slotFreed();
            return;
        }
        service.slotFreed();
        if (st.fallback != null && !hasTried(st.fallback)) {
            connect(st.fallback);
            return;
        }
        service.refused.increment();
        close(false);
    }

    private void connected() {
        state = RELAY;
        serverSeen = loop.now;
        service.persist(source, backend, loop.now);
        ProxyProtocol version = config.options.sendProxyProtocolTo(backend.label);
        if (version != ProxyProtocol.NONE) {
            prependHeader(version);
        }
        if (up != null) {
            try {
                flush(true);
            } catch (IOException e) {
                close(true);
                return;
            }
            if (state == CLOSED) {
                return;
            }
        }
        updateInterest();
    }

    /** Puts the PROXY protocol header before any client bytes already read. */
    private void prependHeader(ProxyProtocol version) {
        ProxyHeader h = version == ProxyProtocol.V1 ? ProxyHeader.v1(clientAddress, vipAddress)
                : ProxyHeader.v2(clientAddress, vipAddress);
        ByteBuffer b = loop.pool.lease();
        ENCODER.encode(h, b);
        if (up != null) {
            b.put(up); // fits: header reads keep HEADER_HEADROOM free
            loop.pool.release(up);
        }
        b.flip();
        up = b;
    }

    // ---- PROXY protocol from the client ----------------------------------------------------------------------

    private void readHeader() throws IOException {
        ByteBuffer b = up;
        if (b == null) {
            b = loop.pool.lease();
            b.limit(b.capacity() - HEADER_HEADROOM);
            up = b;
        } else {
            b.compact(); // back to write mode, keeping what came so far
            b.limit(b.capacity() - HEADER_HEADROOM);
        }
        int n = client.read(b);
        b.flip();
        if (n < 0) {
            service.proxyProtocolRejected.increment();
            close(false);
            return;
        }
        clientSeen = loop.now;
        ProxyProtocolDecoder.Result r;
        try {
            r = DECODER.decode(b);
        } catch (ProxyProtocolException e) {
            service.proxyProtocolRejected.increment();
            close(true);
            return;
        }
        if (!r.isComplete()) {
            if (b.remaining() >= b.capacity() - HEADER_HEADROOM) {
                service.proxyProtocolRejected.increment(); // cannot grow: the decoder's limit is far below
                close(true);
            }
            return;
        }
        ProxyHeader h = r.header();
        if (h.hasAddresses()) {
            clientAddress = h.source();
            vipAddress = h.destination();
            source = clientAddress.getAddress();
        }
        bytesIn += b.remaining();
        if (!b.hasRemaining()) {
            loop.pool.release(b);
            up = null;
        }
        clientKey.interestOps(0);
        schedule();
    }

    // ---- relay -----------------------------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) {
        try {
            int ops = key.readyOps();
            if (key == clientKey) {
                if (state == RELAY) {
                    if ((ops & SelectionKey.OP_WRITE) != 0 && down != null) {
                        flush(false);
                    }
                    if ((ops & SelectionKey.OP_READ) != 0 && state == RELAY && up == null && !clientEof) {
                        relay(true);
                    }
                } else if (state == HEADER) {
                    readHeader();
                }
            } else if (key == serverKey) {
                if (state == RELAY) {
                    if ((ops & SelectionKey.OP_WRITE) != 0 && up != null) {
                        flush(true);
                    }
                    if ((ops & SelectionKey.OP_READ) != 0 && state == RELAY && down == null && !serverEof) {
                        relay(false);
                    }
                } else if (state == CONNECTING && (ops & SelectionKey.OP_CONNECT) != 0) {
                    finishConnect();
                }
            }
        } catch (IOException e) {
            close(true); // reset or broken pipe: abort both sides
        }
    }

    @Override
    public void onFailure(Throwable error) {
        loop.countError(error);
        close(true);
    }

    /** Moves bytes from one side to the other; {@code upstream} is client to server. */
    private void relay(boolean upstream) throws IOException {
        SocketChannel src = upstream ? client : server;
        SocketChannel dst = upstream ? server : client;
        ByteBuffer buf = loop.scratch;
        for (int round = 0; round < READS_PER_EVENT; round++) {
            buf.clear();
            int n = src.read(buf);
            if (n <= 0) {
                if (n < 0) {
                    endOfStream(upstream);
                }
                return;
            }
            long now = loop.now;
            clientSeen = now;
            serverSeen = now;
            if (upstream) {
                bytesIn += n;
            } else {
                bytesOut += n;
            }
            buf.flip();
            dst.write(buf);
            if (buf.hasRemaining()) {
                // the destination is full: this direction keeps the buffer and its source is not read meanwhile
                if (upstream) {
                    up = buf;
                } else {
                    down = buf;
                }
                loop.renewScratch();
                updateInterest();
                return;
            }
            if (n < buf.capacity()) {
                return;
            }
        }
    }

    private void endOfStream(boolean upstream) throws IOException {
        if (upstream) {
            clientEof = true;
            if (up == null) {
                server.shutdownOutput();
            }
        } else {
            serverEof = true;
            if (down == null) {
                client.shutdownOutput();
            }
        }
        if (finished()) {
            close(false);
        } else {
            updateInterest();
        }
    }

    /** Writes a direction's pending bytes; once all are written, returns the buffer and reads its source again. */
    private void flush(boolean upstream) throws IOException {
        ByteBuffer p = upstream ? up : down;
        SocketChannel dst = upstream ? server : client;
        int n = dst.write(p);
        if (n > 0) {
            if (upstream) {
                serverSeen = loop.now;
            } else {
                clientSeen = loop.now;
            }
        }
        if (p.hasRemaining()) {
            updateInterest();
            return;
        }
        loop.pool.release(p);
        if (upstream) {
            up = null;
            if (clientEof) {
                server.shutdownOutput();
            }
        } else {
            down = null;
            if (serverEof) {
                client.shutdownOutput();
            }
        }
        if (finished()) {
            close(false);
        } else {
            updateInterest();
        }
    }

    private boolean finished() {
        return clientEof && serverEof && up == null && down == null;
    }

    /** Sets both keys' interest from the state of both directions; changes a key only when it differs. */
    private void updateInterest() {
        int c = 0;
        int s = 0;
        if (state == RELAY) {
            if (!clientEof && up == null) {
                c |= SelectionKey.OP_READ;
            }
            if (down != null) {
                c |= SelectionKey.OP_WRITE;
            }
            if (!serverEof && down == null) {
                s |= SelectionKey.OP_READ;
            }
            if (up != null) {
                s |= SelectionKey.OP_WRITE;
            }
        }
        if (clientKey.interestOps() != c) {
            clientKey.interestOps(c);
        }
        if (serverKey != null && serverKey.interestOps() != s) {
            serverKey.interestOps(s);
        }
    }

    // ---- timeouts, stats, close ------------------------------------------------------------------------------

    /** Checks this session's timeouts and publishes its byte counts; called by the loop's sweep. */
    @Override
    void sweep(long now) {
        flushStats();
        switch (state) {
            case HEADER:
                if (now - deadline >= 0) {
                    service.proxyProtocolRejected.increment();
                    close(true);
                }
                return;
            case QUEUED:
                if (now - deadline >= 0 && service.dequeue(this)) {
                    service.queueTimeouts.increment();
                    service.refused.increment();
                    close(false);
                }
                return;
            case CONNECTING:
                if (now - deadline >= 0) {
                    connectFailed();
                }
                return;
            case RELAY:
                if (now - clientSeen >= config.clientIdleTimeout || now - serverSeen >= config.serverIdleTimeout
                        || (config.lifetime > 0 && now - acceptedAt >= config.lifetime)) {
                    close(false);
                }
                return;
            default:
        }
    }

    private void flushStats() {
        long in = bytesIn - flushedIn;
        long out = bytesOut - flushedOut;
        if (in != 0) {
            flushedIn = bytesIn;
            service.bytesIn.add(in);
            if (backend != null) {
                backend.bytesIn.add(in);
            }
        }
        if (out != 0) {
            flushedOut = bytesOut;
            service.bytesOut.add(out);
            if (backend != null) {
                backend.bytesOut.add(out);
            }
        }
    }

    /** True when this session is connected (or connecting) to {@code b}. */
    boolean uses(Backend b) {
        return backend == b;
    }

    @Override
    boolean belongsTo(VirtualService svc, Backend b) {
        return service == svc && (b == null || backend == b);
    }

    /**
     * Closes both sockets and returns every buffer; {@code abort} resets them (SO_LINGER 0) instead of a
     * normal close. Idempotent.
     */
    @Override
    void close(boolean abort) {
        if (state == CLOSED) {
            return;
        }
        int was = state;
        state = CLOSED;
        loop.unlink(this);
        if (was == QUEUED) {
            service.dequeue(this);
        }
        flushStats();
        loop.pool.release(up);
        loop.pool.release(down);
        up = null;
        down = null;
        closeQuietly(client, abort);
        if (server != null) {
            closeQuietly(server, abort);
        }
        service.active.decrementAndGet();
        Backend b = backend;
        if (b != null) {
            backend = null;
            b.release();
            service.slotFreed();
        }
    }

    private static void closeQuietly(SocketChannel ch, boolean reset) {
        try {
            if (reset && ch.isOpen()) {
                try {
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // already reset by the peer: closing is all that is left
                }
            }
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: the descriptor is released either way
        }
    }
}
