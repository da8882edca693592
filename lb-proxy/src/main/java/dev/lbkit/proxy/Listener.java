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

    /** Null while the listener waits for its floating address (then only the listener's loop sets it). */
    private volatile ServerSocketChannel channel;
    private final InetSocketAddress address;
    private final int backlog;
    private final ProxyDataplane dataplane;
    private final IoLoop loop;
    /** Swapped by the applying thread when a VIP moves to another virtual server in one diff. */
    volatile VirtualService service;
    private SelectionKey key;
    private long acceptErrors;
    private long pausedUntil;
    private boolean paused;
    private volatile boolean closed;
    private long bindFailures;

    private Listener(ServerSocketChannel channel, InetSocketAddress address, int backlog, ProxyDataplane dataplane,
            IoLoop loop, VirtualService service) {
        this.channel = channel;
        this.address = address;
        this.backlog = backlog;
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
        return new Listener(open(address, backlog), address, backlog, dataplane, loop, null);
    }

    /**
     * A listener for a floating address that is not on this host yet: it binds on its loop as soon as it can
     * (see {@link ProxyOptions#floatingAddress()}).
     */
    static Listener waiting(InetSocketAddress address, int backlog, ProxyDataplane dataplane, IoLoop loop) {
        return new Listener(null, address, backlog, dataplane, loop, null);
    }

    private static ServerSocketChannel open(InetSocketAddress address, int backlog) throws IOException {
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
        return ch;
    }

    /** True when {@code address} is on none of this host's interfaces (an HA backup's floating IP). */
    static boolean notLocal(java.net.InetAddress address) {
        try {
            return java.net.NetworkInterface.getByInetAddress(address) == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the socket is bound (false while waiting for a floating address). */
    boolean bound() {
        return channel != null;
    }

    /** The address the socket is bound to (the VIP). */
    InetSocketAddress address() {
        return address;
    }

    InetSocketAddress localAddress() {
        ServerSocketChannel ch = channel;
        if (ch == null) {
            return address;
        }
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return address;
        }
    }

    /** Starts accepting (asynchronously, on the loop); a waiting listener tries to bind first. */
    void start() {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            if (channel == null && !tryBind()) {
                loop.pause(this); // the sweep retries through resumeIfDue
                return;
            }
            register();
        });
    }

    /** Tries at once to bind a waiting listener (e.g. this host just became HA master); any thread. */
    void retryBind() {
        if (channel != null) {
            return;
        }
        loop.execute(() -> {
            if (!closed && channel == null && tryBind()) {
                register();
            }
        });
    }

    private void register() {
        try {
            key = channel.register(loop.selector, SelectionKey.OP_ACCEPT, this);
        } catch (IOException | RuntimeException e) {
            log.error("listener {}: cannot register with its I/O loop", address, e);
        }
    }

    /** On the loop: binds a waiting listener; true once bound. */
    private boolean tryBind() {
        try {
            channel = open(address, backlog);
            log.info("listener {} of virtual server '{}': floating address arrived, listening", address,
                    service == null ? "?" : service.label);
            return true;
        } catch (IOException | RuntimeException e) {
            bindFailures++;
            if (bindFailures == 1) {
                log.info("listener {} of virtual server '{}': waiting for the floating address ({})", address,
                        service == null ? "?" : service.label, e.getMessage());
            } else if (!notLocal(address.getAddress()) && Long.bitCount(bindFailures) == 1) {
                log.warn("listener {} of virtual server '{}': the address is local but cannot be bound ({} tries): {}",
                        address, service == null ? "?" : service.label, bindFailures, e.toString());
            }
            return false;
        }
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
        closed = true;
        ServerSocketChannel channel = this.channel;
        if (channel == null) {
            return;
        }
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
        if (closed) {
            return true;
        }
        if (channel == null) {
            if (!tryBind()) {
                return false;
            }
            register();
            return true;
        }
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
