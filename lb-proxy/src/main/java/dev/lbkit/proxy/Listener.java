package dev.lbkit.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket of one VIP. It is bound by the applying thread (so that a bind error reaches
 * {@code apply}) and then served by one {@link IoLoop}, which accepts in batches and spreads the connections
 * over all loops round robin. A handed-over connection costs the receiving loop at most one wake-up per burst.
 */
final class Listener implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int ACCEPT_BATCH = 64;
    private static final long PAUSE_AFTER_ERROR_NANOS = 100_000_000L;

    private final ServerSocketChannel channel;
    private final InetSocketAddress address;
    private final ProxyDataplane dataplane;
    private final IoLoop loop;
    /** Swapped by the applying thread when a VIP moves to another virtual server in one diff. */
    volatile VirtualService service;
    private SelectionKey key;
    private long acceptErrors;
    private long pausedUntil;
    private boolean paused;

    private Listener(ServerSocketChannel channel, InetSocketAddress address, ProxyDataplane dataplane, IoLoop loop,
            VirtualService service) {
        this.channel = channel;
        this.address = address;
        this.dataplane = dataplane;
        this.loop = loop;
        this.service = service;
    }

    /**
     * Binds {@code address} now, on the calling thread.
     *
     * @throws IOException when it cannot be bound (the caller names the VIP)
     */
    static Listener bind(InetSocketAddress address, int backlog, ProxyDataplane dataplane, IoLoop loop)
            throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(address.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.configureBlocking(false);
            ch.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new Listener(ch, address, dataplane, loop, null);
    }

    /** The address the socket is bound to (the VIP). */
    InetSocketAddress address() {
        return address;
    }

    InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return address;
        }
    }

    /** Starts accepting (asynchronously, on the loop). */
    void start() {
        loop.execute(() -> {
            try {
                key = channel.register(loop.selector, SelectionKey.OP_ACCEPT, this);
            } catch (IOException | RuntimeException e) {
                log.error("listener {}: cannot register with its I/O loop", address, e);
            }
        });
    }

    /**
     * Closes the socket and waits (up to 5 s) until the port is free again, so that the same address can be
     * bound right after. Connections already accepted are not touched.
     */
    void close() {
        if (loop.inLoop() || !loop.thread().isAlive()) {
            closeNow();
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            closeNow();
            done.countDown();
        });
        try {
            if (!done.await(5, TimeUnit.SECONDS)) {
                log.warn("listener {}: its I/O loop did not close it within 5 s; closing it here", address);
                closeNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeNow();
        }
    }

    private void closeNow() {
        try {
            if (key != null) {
                key.cancel();
            }
            channel.close();
            if (loop.inLoop() && loop.selector.isOpen()) {
                loop.selector.selectNow(k -> { }); // flushes the cancelled key: the socket really closes now
            }
        } catch (IOException e) {
            log.warn("listener {}: error while closing", address, e);
        }
    }

    /** Called by the loop's sweep: resumes accepting after a pause for an accept error; true once resumed. */
    boolean resumeIfDue(long now) {
        if (!paused) {
            return true;
        }
        if (now - pausedUntil < 0) {
            return false;
        }
        paused = false;
        if (key != null && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
        return true;
    }

    @Override
    public void onReady(SelectionKey k) {
        VirtualService vs = service;
        for (int i = 0; i < ACCEPT_BATCH; i++) {
            SocketChannel c;
            try {
                c = channel.accept();
            } catch (IOException e) {
                // EMFILE and the like: the socket stays readable, so stop asking for a moment instead of spinning
                acceptErrors++;
                if (acceptErrors <= 10 || Long.bitCount(acceptErrors) == 1) {
                    log.warn("listener {} of virtual server '{}': accept failed ({} so far): {}", address, vs.label,
                            acceptErrors, e.toString());
                }
                paused = true;
                pausedUntil = loop.now + PAUSE_AFTER_ERROR_NANOS;
                k.interestOps(0);
                loop.pause(this);
                return;
            }
            if (c == null) {
                return;
            }
            IoLoop target = dataplane.nextLoop();
            Session s = vs.state.http ? new HttpSession(target, vs, c) : new TcpSession(target, vs, c);
            if (target == loop) {
                s.start();
            } else {
                target.handoff(s);
            }
        }
    }

    @Override
    public void onFailure(Throwable error) {
        loop.countError(error);
    }
}
