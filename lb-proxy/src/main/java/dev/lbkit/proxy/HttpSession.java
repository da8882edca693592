package dev.lbkit.proxy;

import dev.lbkit.api.CookiePersistence;
import dev.lbkit.proxy.HttpOptions.Forwarded;
import dev.lbkit.proxy.HttpOptions.HeaderRule;
import dev.lbkit.proxy.http.BodyFraming;
import dev.lbkit.proxy.http.HttpBodyScanner;
import dev.lbkit.proxy.http.HttpCodecException;
import dev.lbkit.proxy.http.HttpHead;
import dev.lbkit.proxy.http.HttpMethod;
import dev.lbkit.proxy.http.HttpRequestHead;
import dev.lbkit.proxy.http.HttpRequestParser;
import dev.lbkit.proxy.http.HttpResponseHead;
import dev.lbkit.proxy.http.HttpResponseParser;
import dev.lbkit.proxy.http.HttpVersion;
import dev.lbkit.proxy.http.TargetForm;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the HTTP proxy: requests are parsed, routed to a pool, given a real server (cookie
 * or source-IP persistence first, then the pool's scheduler, then the fallback server), forwarded on a pooled or
 * new server connection, and the responses forwarded back, one exchange at a time (pipelined requests wait in
 * the input and are answered in order). Everything runs on the loop's thread.
 *
 * <p>Each direction is a head (parsed, edited, re-encoded) followed by a body passed through unchanged as the
 * {@link HttpBodyScanner} delimits it; while both a request body and a response are in flight both move at once
 * (so {@code Expect: 100-continue} works: the server's 100 reaches the client, which then sends the body).
 * Buffers: at most one per direction and side ({@code cin}, {@code sout}, {@code sin}, {@code cout}), leased from
 * the loop's pool when bytes arrive and returned as soon as they are empty; a source is not read while the buffer
 * its bytes would go to is full (back-pressure). An idle keep-alive connection holds no buffer.
 *
 * <p>The socket is read and written directly; a TLS engine would sit between the socket and these buffers
 * ({@link #readClient}, {@link #flushClient}) without touching the HTTP logic.
 *
 * <p>A response that completed, after a request that was sent completely, on a connection the server keeps, gives
 * the server connection back to the loop's {@link ServerConnectionPool}; anything else closes it. A request that
 * failed on a reused connection before any response byte came is retried once on a new connection, if it had no
 * body. An {@code Upgrade} answered with 101 hands both sockets to a {@link TcpSession} byte relay.
 */
final class HttpSession extends Session {
    private static final Logger accessLog = LoggerFactory.getLogger("dev.lbkit.proxy.access");
    private static final int REQ_HEAD = 0;
    private static final int REQ_BODY = 1;
    private static final int REQ_DONE = 2;
    private static final int RESP_NONE = 0;
    private static final int RESP_HEAD = 1;
    private static final int RESP_BODY = 2;
    /** Reads per readiness event before the selector gets a turn. */
    private static final int READS_PER_EVENT = 4;
    private static final long LINGER_NANOS = 1_000_000_000L;

    private final SocketChannel client;
    private SelectionKey clientKey;
    private InetSocketAddress clientAddress;
    private InetSocketAddress vipAddress;
    private InetAddress source;
    /** The client address as forwarding headers write it, and the VIP port; made once per connection. */
    private String sourceText;
    private String vipPortText;
    private VirtualService.State vip;
    private HttpOptions opts;
    private HttpRequestParser requestParser;
    private HttpResponseParser responseParser;
    private HttpBodyScanner requestBody;
    private HttpBodyScanner responseBody;

    /** Client bytes not yet consumed; read mode. */
    private ByteBuffer cin;
    /** Bytes for the client not yet written; read mode. */
    private ByteBuffer cout;
    /** Server bytes not yet consumed; read mode. */
    private ByteBuffer sin;
    /** Bytes for the server not yet written; read mode. */
    private ByteBuffer sout;

    private boolean closed;
    private boolean handedOff;
    /** The response ends the client connection: once {@link #cout} is written, shut down and linger. */
    private boolean closeAfterFlush;
    private boolean lingering;
    private long lingerUntil;
    private boolean clientEof;

    // the exchange in progress
    private int reqPhase = REQ_HEAD;
    private int respPhase = RESP_NONE;
    private HttpRequestHead request;
    private HttpResponseHead response;
    private VirtualService pool;
    private VirtualService.State poolState;
    private Backend backend;
    private ServerConnection conn;
    private boolean connecting;
    private long connectDeadline;
    private int attempts;
    private Backend[] tried;
    private int triedCount;
    private boolean retried;
    /** Waits in {@link #queuePool}'s queue for a real server below its {@code maxConnections}. */
    private boolean queued;
    private VirtualService queuePool;
    private long queueDeadline;
    /** The cookie's server cannot take the request and the policy forbids another (set by {@link #choose}). */
    private boolean pinnedUnavailable;
    private Backend persisted;
    private String requestCookie;
    private boolean keepClient;
    /** A response head (or an interim one) was sent to the client for this exchange. */
    private boolean responseStarted;
    private int status;
    /** The exchange was counted (it is counted once, however it ends). */
    private boolean recorded = true;
    private long exchangeStart;
    private long requestBytes;
    private long responseBytes;
    private String host;
    private String path;

    // timing
    private long acceptedAt;
    private long lastClient;
    private long lastServer;
    private long headStartedAt;
    private long idleSince;
    private int served;

    HttpSession(IoLoop loop, VirtualService service, SocketChannel client) {
        super(loop, service);
        this.client = client;
    }

    @Override
    void start() {
        vip = service.state;
        opts = vip.httpOptions;
        acceptedAt = loop.now;
        lastClient = acceptedAt;
        idleSince = acceptedAt;
        loop.link(this);
        service.active.incrementAndGet();
        service.connections.increment();
        try {
            client.configureBlocking(false);
            setSocketOptions(client, vip.options);
            clientAddress = (InetSocketAddress) client.getRemoteAddress();
            vipAddress = (InetSocketAddress) client.getLocalAddress();
            source = clientAddress.getAddress();
            sourceText = addressText(source);
            vipPortText = Integer.toString(vipAddress.getPort());
            clientKey = client.register(loop.selector, SelectionKey.OP_READ, this);
        } catch (IOException e) {
            close(true);
            return;
        }
        requestParser = new HttpRequestParser(opts.limits());
    }

    @Override
    void closeUnstarted() {
        closed = true;
        try {
            client.close();
        } catch (IOException ignored) {
            // released either way
        }
    }

    // ---- events ----------------------------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) {
        try {
            int ops = key.readyOps();
            if (key == clientKey) {
                if ((ops & SelectionKey.OP_WRITE) != 0 && cout != null) {
                    flushClient();
                }
                if (!closed && !handedOff && (ops & SelectionKey.OP_READ) != 0) {
                    readClient();
                }
            } else if (conn != null && key == conn.key) {
                if (connecting) {
                    if ((ops & SelectionKey.OP_CONNECT) != 0) {
                        finishConnect();
                    }
                } else if ((ops & SelectionKey.OP_WRITE) != 0 && sout != null) {
                    flushServer();
                }
                if (!closed && !handedOff && conn != null && (ops & SelectionKey.OP_READ) != 0) {
                    readServer();
                }
            }
            if (!closed && !handedOff) {
                updateInterest();
            }
        } catch (HttpCodecException e) {
            close(true); // handled where thrown; a late one (from a flush path) aborts
        } catch (IOException e) {
            close(true);
        }
    }

    @Override
    public void onFailure(Throwable error) {
        loop.countError(error);
        close(true);
    }

    // ---- client side -----------------------------------------------------------------------------------------

    private void readClient() throws IOException {
        if (lingering) {
            ByteBuffer s = loop.scratch;
            s.clear();
            int n = client.read(s);
            s.clear();
            if (n < 0) {
                close(false);
            }
            return;
        }
        for (int round = 0; round < READS_PER_EVENT; round++) {
            if (cin == null) {
                cin = loop.pool.lease();
                cin.flip();
            }
            if (cin.remaining() == cin.capacity()) {
                break; // full: wait until the server side takes some
            }
            cin.compact();
            int n;
            try {
                n = client.read(cin);
            } finally {
                cin.flip();
            }
            if (n < 0) {
                clientEof = true;
                onClientEof();
                return;
            }
            if (n == 0) {
                break;
            }
            lastClient = loop.now;
            processClient();
            if (closed || handedOff || closeAfterFlush || cin == null || n < cin.capacity() / 2) {
                break;
            }
        }
        releaseIfEmpty();
    }

    private void onClientEof() throws IOException {
        releaseIfEmpty();
        if (reqPhase == REQ_BODY) {
            abortExchange(); // truncated request body
        } else {
            endIfClientGone(); // requests already read are still answered, in order
        }
    }

    /** After the client's end of stream: once nothing is in flight, write what is left and close. */
    private void endIfClientGone() {
        if (clientEof && !closed && !handedOff && respPhase == RESP_NONE && reqPhase == REQ_HEAD) {
            closeAfterFlush = true; // a partial head left in the input is dropped
            if (cout == null) {
                close(false);
            }
        }
    }

    /** Parses and forwards what {@link #cin} holds, as far as the exchange allows. */
    private void processClient() throws IOException {
        while (!closed && !handedOff && cin != null && cin.hasRemaining()) {
            if (reqPhase == REQ_HEAD) {
                if (respPhase != RESP_NONE || closeAfterFlush) {
                    return; // a pipelined request waits for the response before it
                }
                if (headStartedAt == 0) {
                    headStartedAt = loop.now;
                }
                HttpRequestHead head;
                try {
                    head = requestParser.parse(cin);
                } catch (HttpCodecException e) {
                    service.http.reject(e);
                    reject(e.status());
                    return;
                }
                if (head == null) {
                    return;
                }
                startExchange(head);
            } else if (reqPhase == REQ_BODY) {
                if (connecting || conn == null) {
                    return; // waits in cin until the server connection is up
                }
                int room = room(sout);
                if (room == 0) {
                    return;
                }
                int n;
                try {
                    n = requestBody.scan(cin, cin.position(), Math.min(cin.remaining(), room));
                } catch (HttpCodecException e) {
                    service.http.reject(e);
                    if (responseStarted) {
                        close(true);
                    } else {
                        reject(e.status());
                    }
                    return;
                }
                requestBytes += n;
                forwardToServer(n);
                if (requestBody.isComplete()) {
                    reqPhase = REQ_DONE;
                    if (respPhase == RESP_NONE) {
                        finishExchange(); // the response ended first (early response)
                    }
                }
            } else {
                return;
            }
        }
    }

    /** Writes {@link #cout}; true when it is empty (and returned) afterwards. */
    private boolean writeClient() throws IOException {
        if (cout == null) {
            return true;
        }
        if (client.write(cout) > 0) {
            lastClient = loop.now;
        }
        if (cout.hasRemaining()) {
            return false;
        }
        loop.pool.release(cout);
        cout = null;
        if (respPhase != RESP_NONE) {
            lastServer = loop.now; // waiting for the server again from now on
        }
        if (closeAfterFlush && respPhase == RESP_NONE) {
            startLinger();
        }
        return true;
    }

    /** The client can take bytes again: write, then go on with server bytes that waited for room. */
    private void flushClient() throws IOException {
        if (writeClient() && !closed && !lingering && sin != null && sin.hasRemaining() && respPhase != RESP_NONE) {
            processServer();
        }
    }

    /** The final response is out and the connection ends: FIN, then drain the client until it closes. */
    private void startLinger() {
        if (clientEof) {
            close(false);
            return;
        }
        try {
            client.shutdownOutput();
        } catch (IOException e) {
            close(true);
            return;
        }
        releaseClientBuffers();
        lingering = true;
        lingerUntil = loop.now + LINGER_NANOS;
    }

    // ---- exchange --------------------------------------------------------------------------------------------

    private void startExchange(HttpRequestHead head) throws IOException {
        request = head;
        recorded = false;
        pool = null;
        backend = null;
        exchangeStart = loop.now;
        headStartedAt = 0;
        status = 0;
        requestBytes = 0;
        responseBytes = 0;
        responseStarted = false;
        attempts = 0;
        triedCount = 0;
        retried = false;
        persisted = null;
        requestCookie = null;
        keepClient = head.isKeepAlive();
        service.http.active.incrementAndGet();

        if (head.method() == HttpMethod.CONNECT) {
            reject(501); // a reverse proxy does not open tunnels to arbitrary hosts
            return;
        }
        if (!vip.routes.isEmpty() || opts.forwarded() != Forwarded.OFF || opts.accessLog()) {
            locate(head);
        } else {
            host = null;
            path = null;
        }
        VirtualService p = vip.routes.isEmpty() ? service : service.route(vip, host, path);
        if (p == null || !p.state.http) {
            sendError(503);
            return;
        }
        pool = p;
        poolState = p.state;
        if (pool != service) {
            pool.http.active.incrementAndGet();
        }
        editRequest(head);
        requestBody = requestBody == null ? HttpBodyScanner.forMessage(head, opts.limits()) : requestBody;
        requestBody.reset(head);
        reqPhase = requestBody.isComplete() ? REQ_DONE : REQ_BODY;
        respPhase = RESP_HEAD;
        if (responseParser == null) {
            responseParser = new HttpResponseParser(opts.limits());
        }
        responseParser.reset();
        Backend b = choose();
        if (b == null) {
            if (!pinnedUnavailable && enqueue()) {
                return; // a slot of a full server frees soon, or the queue timeout answers 503
            }
            b = untriedFallback();
        }
        if (b == null) {
            refuse();
            return;
        }
        assign(b);
    }

    /**
     * Puts the request in the pool's queue when every server that could take it is at its {@code maxConnections}
     * (as the TCP proxy queues connections): the pool's {@code queueSize} and {@code queueTimeout}.
     */
    private boolean enqueue() {
        VirtualService.State st = pool.state;
        if (st.queueSize > 0 && VirtualService.limited(st) && pool.enqueue(this, st.queueSize)) {
            queued = true;
            queuePool = pool;
            queueDeadline = loop.now + st.queueTimeout;
            return true;
        }
        return false;
    }

    /** Leaves the queue (closing, or answering otherwise); a retry already on its way passes its slot on. */
    private void leaveQueue() {
        if (queued) {
            queued = false;
            queuePool.dequeue(this);
        }
    }

    @Override
    void retryFromQueue() {
        if (!queued || closed || handedOff) {
            VirtualService q = queuePool;
            if (q != null) {
                q.slotFreed(); // we left meanwhile: pass the slot on
            }
            return;
        }
        queued = false;
        try {
            poolState = pool.state;
            Backend b = choose();
            if (b != null) {
                assign(b);
            } else if (!pinnedUnavailable && VirtualService.limited(poolState)) {
                queued = true;
                pool.requeue(this);
            } else if ((b = untriedFallback()) != null) {
                assign(b);
            } else {
                refuse();
            }
            updateIfOpen();
        } catch (IOException e) {
            close(true);
        }
    }

    @Override
    void dropFromQueue() {
        if (!queued || closed || handedOff) {
            return;
        }
        queued = false; // already out of the queue
        try {
            refuse();
            updateIfOpen();
        } catch (IOException e) {
            close(true);
        }
    }

    private Backend untriedFallback() {
        Backend f = poolState.fallback;
        return f != null && !hasTried(f) ? f : null;
    }

    /** No real server (nor the fallback server) can take the request: 503, counted as refused by the pool. */
    private void refuse() throws IOException {
        pool.refused.increment();
        sendError(503);
    }

    /** The host and path routes look at: the absolute target's authority, else Host; the path without query. */
    private void locate(HttpRequestHead head) {
        String target = head.target();
        String h = head.host();
        String p = target;
        if (head.targetForm() == TargetForm.ABSOLUTE) {
            int scheme = target.indexOf("://");
            int start = scheme < 0 ? 0 : scheme + 3;
            int slash = target.indexOf('/', start);
            int q = target.indexOf('?', start);
            int end = slash >= 0 ? slash : q >= 0 ? q : target.length();
            int at = target.lastIndexOf('@', end);
            h = target.substring(Math.max(start, at + 1), end);
            p = slash >= 0 ? target.substring(slash) : "/";
        }
        int q = p.indexOf('?');
        host = h;
        path = q >= 0 ? p.substring(0, q) : p;
    }

    /** Hop-by-hop removal, forwarding headers, the persistence cookie, header rules. */
    private void editRequest(HttpRequestHead h) {
        h.removeHopByHop(h.isUpgrade());
        String client = sourceText;
        if (opts.xForwarded() != Forwarded.OFF) {
            int last = -1;
            if (opts.xForwarded() == Forwarded.REPLACE) {
                h.remove("X-Forwarded-For");
            } else {
                for (int i = h.indexOf("X-Forwarded-For"); i >= 0; i = h.indexOf("X-Forwarded-For", i + 1)) {
                    last = i;
                }
            }
            if (last >= 0) { // one list: many applications read only the first field
                h.setValue(last, h.value(last) + ", " + client);
            } else {
                h.add("X-Forwarded-For", client);
            }
            h.set("X-Forwarded-Proto", "http");
            h.set("X-Forwarded-Port", vipPortText);
        }
        if (opts.forwarded() != Forwarded.OFF) {
            if (opts.forwarded() == Forwarded.REPLACE) {
                h.remove("Forwarded");
            }
            StringBuilder f = new StringBuilder(48).append("for=");
            if (source instanceof Inet6Address) {
                f.append("\"[").append(client).append("]\"");
            } else {
                f.append(client);
            }
            f.append(";proto=http");
            if (host != null && isToken(host)) {
                f.append(";host=").append(host);
            } else if (host != null) {
                f.append(";host=\"").append(host).append('"');
            }
            h.add("Forwarded", f.toString());
        }
        CookiePersistence c = poolState.cookie;
        if (c != null) {
            String v = Cookies.find(h, c.name());
            if (v != null) {
                switch (c.mode()) {
                    case INSERT:
                        requestCookie = v;
                        persisted = poolState.byCookieId.get(v);
                        if (c.indirect()) {
                            Cookies.rewrite(h, c.name(), null); // transparent to the application
                        }
                        break;
                    case REWRITE:
                        requestCookie = v;
                        persisted = poolState.byCookieId.get(v);
                        break;
                    case PREFIX:
                        int d = v.indexOf(Cookies.PREFIX_DELIMITER);
                        if (d > 0) {
                            requestCookie = v.substring(0, d);
                            persisted = poolState.byCookieId.get(requestCookie);
                            Cookies.rewrite(h, c.name(), v.substring(d + 1));
                        }
                        break;
                    case PASSIVE:
                        requestCookie = v;
                        persisted = poolState.learned.lookup(v, loop.now);
                        break;
                    default:
                }
            }
        }
        for (HeaderRule r : opts.requestHeaderRules()) {
            apply(h, r);
        }
    }

    private static void apply(HttpHead h, HeaderRule r) {
        if (r.value() == null) {
            h.remove(r.name());
        } else {
            h.set(r.name(), r.value());
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String addressText(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return pct >= 0 ? s.substring(0, pct) : s;
    }

    /**
     * The real server for this request: its persisted one while that may take it (first attempt), else the
     * pool's scheduler (skipping servers tried); null when there is none (the caller queues the request or
     * takes the fallback server), or when the cookie's server is unavailable and the policy forbids
     * redispatching ({@link #pinnedUnavailable}).
     */
    private Backend choose() {
        VirtualService.State st = poolState;
        pinnedUnavailable = false;
        if (attempts == 0) {
            Backend p = persisted;
            if (p != null) {
                if (p.takesPersistedClients() && st.byLabel.get(p.label) == p) {
                    return p;
                }
                if (st.cookie != null && !st.cookie.redispatchWhenUnavailable()) {
                    pinnedUnavailable = true;
                    return null;
                }
            }
            if (st.persistence != null) {
                Backend s = st.persistence.lookup(source, loop.now);
                if (s != null && s.takesPersistedClients() && st.byLabel.get(s.label) == s) {
                    return s;
                }
            }
        }
        Backend b = st.chooser.pick(source);
        if (b != null && hasTried(b)) {
            b = null;
            for (Backend c : st.backends) {
                if (c.inRotation() && !c.full() && !hasTried(c)) {
                    b = c;
                    break;
                }
            }
        }
        return b;
    }

    private boolean hasTried(Backend b) {
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

    /** Gives the exchange to {@code b}: a pooled connection if there is one, else a new one. */
    private void assign(Backend b) throws IOException {
        backend = b;
        b.acquire();
        b.http.active.incrementAndGet();
        ServerConnection c = retried ? null : loop.serverConnections.take(b);
        if (c != null) {
            c.key.attach(this);
            conn = c;
            connecting = false;
            connected();
            return;
        }
        connect(b);
    }

    private void connect(Backend b) throws IOException {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            setSocketOptions(ch, vip.options);
            conn = new ServerConnection(b, ch, loop.serverConnections);
            connectDeadline = loop.now + poolState.connectTimeout;
            if (ch.connect(b.address())) {
                conn.key = ch.register(loop.selector, 0, this);
                connecting = false;
                connected();
            } else {
                conn.key = ch.register(loop.selector, SelectionKey.OP_CONNECT, this);
                connecting = true;
            }
        } catch (IOException e) {
            if (conn == null && ch != null) {
                ch.close();
            }
            connectFailed();
        }
    }

    private void finishConnect() throws IOException {
        try {
            if (!conn.channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            connectFailed();
            return;
        }
        connecting = false;
        connected();
    }

    private void connectFailed() throws IOException {
        Backend b = backend;
        b.connectFailures.increment();
        releaseBackend();
        if (conn != null) {
            conn.close(false);
            conn = null;
        }
        connecting = false;
        addTried(b);
        if (!b.fallback && attempts < poolState.redispatchAttempts) {
            attempts++;
            Backend next = choose();
            if (next != null) {
                assign(next);
                return;
            }
        }
        if (poolState.fallback != null && !hasTried(poolState.fallback)) {
            assign(poolState.fallback);
            return;
        }
        sendError(503);
    }

    /** The server connection is up: send the head and whatever body is buffered. */
    private void connected() throws IOException {
        lastServer = loop.now;
        conn.requests++;
        if (!backend.fallback) {
            pool.persist(source, backend, loop.now);
        }
        if (sout == null) {
            sout = loop.pool.lease();
            sout.flip();
        }
        sout.compact();
        boolean fits = request.encodeTo(sout);
        sout.flip();
        if (!fits) {
            sendError(502); // an edited head larger than a buffer: the limits are far below that
            return;
        }
        if (reqPhase == REQ_BODY && cin != null && cin.hasRemaining()) {
            processClient(); // body bytes that came with the head go out in the same write
        }
        if (!closed && conn != null) {
            writeServer();
        }
    }

    /** Writes {@link #sout}; true when it is empty (and returned) afterwards. */
    private boolean writeServer() throws IOException {
        if (sout == null || conn == null || connecting) {
            return sout == null;
        }
        if (conn.channel.write(sout) > 0) {
            lastServer = loop.now;
        }
        if (sout.hasRemaining()) {
            return false;
        }
        loop.pool.release(sout);
        sout = null;
        return true;
    }

    /** The server can take bytes again: write, then go on with client bytes that waited for room. */
    private void flushServer() throws IOException {
        if (writeServer() && !closed && cin != null && cin.hasRemaining() && reqPhase == REQ_BODY) {
            processClient();
        }
    }

    // ---- server side -----------------------------------------------------------------------------------------

    private void readServer() throws IOException {
        for (int round = 0; round < READS_PER_EVENT && conn != null; round++) {
            if (sin == null) {
                sin = loop.pool.lease();
                sin.flip();
            }
            if (sin.remaining() == sin.capacity()) {
                break;
            }
            sin.compact();
            int n;
            try {
                n = conn.channel.read(sin);
            } catch (IOException e) {
                sin.flip();
                serverFailed();
                return;
            }
            sin.flip();
            if (n < 0) {
                serverEof();
                return;
            }
            if (n == 0) {
                break;
            }
            lastServer = loop.now;
            processServer();
            if (closed || handedOff || sin == null || n < sin.capacity() / 2) {
                break;
            }
        }
        if (sin != null && !sin.hasRemaining()) {
            loop.pool.release(sin);
            sin = null;
        }
    }

    private void serverEof() throws IOException {
        if (respPhase == RESP_BODY && responseBody.endOfInput()) {
            closeServerConnection(false);
            finishResponse(); // a body that runs until close
            return;
        }
        serverFailed();
    }

    /** The server closed or reset before the response was complete. */
    private void serverFailed() throws IOException {
        if (respPhase == RESP_HEAD && !responseStarted && responseParser.isIdle() && conn != null
                && conn.requests > 1 && !retried && request.framing() == BodyFraming.NONE) {
            retryFresh(); // a reused connection the server had closed meanwhile
            return;
        }
        if (respPhase == RESP_HEAD && !responseStarted) {
            closeServerConnection(true);
            sendError(502);
        } else {
            abortExchange();
        }
    }

    /** Sends the request again, once, on a new connection to the same server. */
    private void retryFresh() throws IOException {
        Backend b = backend;
        closeServerConnection(true);
        releaseBackend();
        if (sin != null) {
            loop.pool.release(sin);
            sin = null;
        }
        if (sout != null) {
            loop.pool.release(sout);
            sout = null;
        }
        retried = true;
        responseParser.reset();
        assign(b);
    }

    /** Parses and forwards what {@link #sin} holds. */
    private void processServer() throws IOException {
        while (!closed && !handedOff && sin != null && sin.hasRemaining()) {
            if (respPhase == RESP_HEAD) {
                HttpResponseHead h;
                try {
                    h = responseParser.parse(sin, request);
                } catch (HttpCodecException e) {
                    backend.http.reject(e);
                    if (responseStarted) {
                        abortExchange();
                    } else {
                        closeServerConnection(true);
                        sendError(502);
                    }
                    return;
                }
                if (h == null) {
                    return;
                }
                if (h.framing() == BodyFraming.TUNNEL) {
                    tunnel(h);
                    return;
                }
                if (h.isInterim()) {
                    h.removeHopByHop(false);
                    if (!writeHead(h)) {
                        return;
                    }
                    responseParser.recycle(h);
                    continue; // the final response follows
                }
                response = h;
                status = h.status();
                editResponse(h);
                if (!writeHead(h)) {
                    return;
                }
                if (responseBody == null) {
                    responseBody = HttpBodyScanner.forMessage(h, opts.limits());
                } else {
                    responseBody.reset(h);
                }
                respPhase = RESP_BODY;
                if (responseBody.isComplete()) {
                    finishResponse();
                }
            } else if (respPhase == RESP_BODY) {
                int room = room(cout);
                if (room == 0) {
                    return;
                }
                int n;
                try {
                    n = responseBody.scan(sin, sin.position(), Math.min(sin.remaining(), room));
                } catch (HttpCodecException e) {
                    backend.http.reject(e);
                    abortExchange();
                    return;
                }
                responseBytes += n;
                forwardToClient(n);
                if (responseBody.isComplete()) {
                    finishResponse();
                }
            } else {
                // bytes after a complete response, before the next request: the connection is not reusable
                closeServerConnection(true);
                loop.pool.release(sin);
                sin = null;
                return;
            }
        }
        if (!closed && !handedOff) {
            writeClient();
        }
    }

    private boolean writeHead(HttpResponseHead h) throws IOException {
        if (cout == null) {
            cout = loop.pool.lease();
            cout.flip();
            lastClient = loop.now; // waiting for the client to read from now on
        }
        cout.compact();
        boolean fits = h.encodeTo(cout);
        cout.flip();
        if (!fits) {
            abortExchange();
            return false;
        }
        responseStarted = true;
        return true;
    }

    /** Hop-by-hop removal, keep-alive toward the client, the persistence cookie, header rules. */
    private void editResponse(HttpResponseHead h) {
        h.removeHopByHop(false);
        // the client connection outlives a server that closes, unless the body runs until close or the server
        // answered before the request body was complete (the rest of it is then not read)
        if (h.framing() == BodyFraming.UNTIL_CLOSE || closeAfterFlush || reqPhase != REQ_DONE) {
            keepClient = false;
        }
        if (!keepClient) {
            h.set("Connection", "close");
        } else if (request.version() == HttpVersion.HTTP_1_0) {
            h.set("Connection", "keep-alive");
        }
        CookiePersistence c = poolState.cookie;
        if (c != null && !backend.fallback) {
            String id = backend.cookieId;
            switch (c.mode()) {
                case INSERT:
                    boolean valid = id.equals(requestCookie);
                    if (!(c.indirect() && valid) && (!c.postOnly() || request.method() == HttpMethod.POST)) {
                        removeSetCookie(h, c.name());
                        h.add("Set-Cookie", Cookies.insert(c, id));
                        if (c.noCache()) {
                            noCache(h);
                        }
                    }
                    break;
                case REWRITE:
                case PREFIX:
                    for (int i = h.indexOf("Set-Cookie"); i >= 0; i = h.indexOf("Set-Cookie", i + 1)) {
                        String v = h.value(i);
                        if (c.name().equals(Cookies.setCookieName(v))) {
                            String value = c.mode() == CookiePersistence.Mode.REWRITE ? id
                                    : id + Cookies.PREFIX_DELIMITER + Cookies.setCookieValue(v);
                            h.setValue(i, Cookies.withValue(v, value));
                            if (c.noCache()) {
                                noCache(h);
                            }
                        }
                    }
                    break;
                case PASSIVE:
                    for (int i = h.indexOf("Set-Cookie"); i >= 0; i = h.indexOf("Set-Cookie", i + 1)) {
                        String v = h.value(i);
                        if (c.name().equals(Cookies.setCookieName(v))) {
                            String value = Cookies.setCookieValue(v);
                            if (!value.isEmpty()) {
                                poolState.learned.learn(value, backend, loop.now);
                            }
                        }
                    }
                    break;
                default:
            }
        }
        for (HeaderRule r : opts.responseHeaderRules()) {
            apply(h, r);
        }
    }

    private static void removeSetCookie(HttpHead h, String name) {
        for (int i = h.indexOf("Set-Cookie"); i >= 0; ) {
            if (name.equals(Cookies.setCookieName(h.value(i)))) {
                h.removeAt(i);
                i = h.indexOf("Set-Cookie", i);
            } else {
                i = h.indexOf("Set-Cookie", i + 1);
            }
        }
    }

    /** HAProxy's {@code nocache}: a response that sets the cookie must not be cached by shared caches. */
    private static void noCache(HttpHead h) {
        if (!(h.hasToken("Cache-Control", "private") || h.hasToken("Cache-Control", "no-store")
                || h.hasToken("Cache-Control", "no-cache"))) {
            h.set("Cache-Control", "private");
        }
    }

    /** 101 (or a 2xx to CONNECT): the head goes out, then both sockets become a {@link TcpSession} relay. */
    private void tunnel(HttpResponseHead h) throws IOException {
        status = h.status();
        h.removeHopByHop(true);
        if (!writeHead(h)) {
            return;
        }
        if (sin != null && sin.hasRemaining()) {
            append(false, sin, sin.remaining());
        }
        if (cin != null && cin.hasRemaining()) {
            append(true, cin, cin.remaining());
        }
        releaseIfEmpty();
        if (sin != null) {
            loop.pool.release(sin);
            sin = null;
        }
        if (cin != null) {
            loop.pool.release(cin);
            cin = null;
        }
        record(status);
        handedOff = true;
        loop.unlink(this);
        ServerConnection c = conn;
        Backend b = backend;
        conn = null;
        backend = null; // counted by the relay from now on, released when it closes
        b.http.active.decrementAndGet();
        ByteBuffer up = sout;
        ByteBuffer down = cout;
        sout = null;
        cout = null;
        TcpSession.tunnel(loop, service, client, clientKey, clientAddress, c.channel, c.key, b, up, down);
    }

    /** The response ended: count it, give back the server connection if it can be reused, go on. */
    private void finishResponse() throws IOException {
        record(status);
        respPhase = RESP_NONE;
        if (reqPhase == REQ_DONE) {
            finishExchange();
        } else {
            // early response: the request body is still coming; the server connection cannot be reused
            closeServerConnection(false);
            releaseBackend();
            keepClient = false;
            closeAfterFlush = true;
            if (cout == null) {
                startLinger();
            }
        }
    }

    /** Both request and response are complete. */
    private void finishExchange() throws IOException {
        if (conn != null) {
            boolean reusable = response != null && response.isKeepAlive() && (sin == null || !sin.hasRemaining())
                    && sout == null && reqPhase == REQ_DONE;
            ServerConnection c = conn;
            conn = null;
            if (reusable) {
                loop.serverConnections.offer(c, pool.state.httpOptions.maxIdleServerConnections());
            } else {
                c.close(false);
            }
        }
        releaseBackend();
        if (sin != null) {
            loop.pool.release(sin); // bytes beyond the response belong to a connection now closed
            sin = null;
        }
        // both heads went out and were counted: their storage backs the next exchange's heads
        if (request != null) {
            requestParser.recycle(request);
        }
        if (response != null) {
            responseParser.recycle(response);
        }
        request = null;
        response = null;
        reqPhase = REQ_HEAD;
        served++;
        idleSince = loop.now;
        if (!keepClient) {
            closeAfterFlush = true;
            if (cout == null) {
                startLinger();
            }
            return;
        }
        if (cin != null && cin.hasRemaining()) {
            processClient(); // the next pipelined request
        }
        endIfClientGone();
    }

    private void record(int st) {
        if (recorded) {
            return;
        }
        recorded = true;
        long micros = (loop.now - exchangeStart) / 1000;
        service.http.record(st, micros);
        service.http.active.decrementAndGet();
        if (pool != null && pool != service) {
            pool.http.record(st, micros);
            pool.http.active.decrementAndGet();
        }
        if (backend != null) {
            backend.http.record(st, micros);
            backend.bytesIn.add(requestBytes);
            backend.bytesOut.add(responseBytes);
        }
        service.bytesIn.add(requestBytes);
        service.bytesOut.add(responseBytes);
        if (opts.accessLog() && accessLog.isInfoEnabled()) {
            accessLog.info("vip={} client={} method={} target=\"{}\" host={} pool={} server={} status={} "
                    + "bytes_in={} bytes_out={} micros={}", service.label, addressText(source) + ":"
                    + clientAddress.getPort(), request == null ? "-" : request.methodName(),
                    request == null ? "-" : escape(request.target()), host == null ? "-" : escape(host),
                    pool == null ? "-" : pool.label, backend == null ? "-" : backend.label, st, requestBytes,
                    responseBytes, micros);
        }
    }

    private static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(String.format("\\x%02x", (int) c & 0xff));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    private void releaseBackend() {
        Backend b = backend;
        if (b != null) {
            backend = null;
            b.http.active.decrementAndGet();
            b.release();
            pool.slotFreed(); // a request waiting in the pool's queue may take the slot
        }
    }

    private void closeServerConnection(boolean reset) {
        ServerConnection c = conn;
        if (c != null) {
            conn = null;
            connecting = false;
            c.close(reset);
        }
        if (sout != null) {
            loop.pool.release(sout);
            sout = null;
        }
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    /** A request the parser refused: answer its status, forward nothing, close. */
    private void reject(int st) throws IOException {
        if (request == null) {
            exchangeStart = loop.now;
            recorded = false;
            pool = null;
            service.http.active.incrementAndGet();
        }
        keepClient = false;
        sendError(st);
    }

    /** Answers the client with an error of the proxy's own and ends the connection after it. */
    private void sendError(int st) throws IOException {
        leaveQueue();
        closeServerConnection(true);
        if (responseStarted) {
            record(st);
            close(true);
            return;
        }
        status = st;
        respPhase = RESP_NONE;
        reqPhase = REQ_HEAD;
        keepClient = false;
        closeAfterFlush = true;
        HttpOptions.ErrorPage page = opts.errorPage(st);
        byte[] body = page != null ? page.bodyUnsafe() : defaultPage(st);
        HttpResponseHead h = HttpResponseHead.create(st, reason(st), HttpVersion.HTTP_1_1);
        h.add("Content-Type", page != null ? page.contentType() : "text/html; charset=utf-8");
        h.add("Cache-Control", "no-cache");
        h.add("Connection", "close");
        h.setContentLength(body.length);
        if (cout == null) {
            cout = loop.pool.lease();
            cout.flip();
        }
        cout.compact();
        boolean fits = cout.remaining() >= h.encodedLength() + body.length && h.encodeTo(cout);
        if (fits) {
            cout.put(body);
        }
        cout.flip();
        record(st);
        releaseBackend();
        request = null;
        if (!fits) {
            close(true);
            return;
        }
        releaseInput();
        writeClient();
    }

    private static byte[] defaultPage(int st) {
        String text = switch (st) {
            case 502 -> "The server sent an invalid response or closed the connection.";
            case 503 -> "No server is available to handle this request.";
            case 504 -> "The server did not answer in time.";
            case 408 -> "The request did not arrive in time.";
            default -> "The request was refused.";
        };
        return ("<html><body><h1>" + st + " " + reason(st) + "</h1>\n" + text + "\n</body></html>\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String reason(int st) {
        return switch (st) {
            case 400 -> "Bad Request";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /** Ends an exchange that cannot be answered properly any more: count it and close both sides. */
    private void abortExchange() {
        record(0);
        request = null;
        close(true);
    }

    // ---- buffers ---------------------------------------------------------------------------------------------

    /** Free room in an output buffer (after compaction); a missing buffer has a whole one. */
    private int room(ByteBuffer out) {
        return out == null ? loop.pool.bufferSize() : out.capacity() - out.remaining();
    }

    /** Sends the next {@code n} bytes of {@link #cin} to the server: straight when nothing is queued. */
    private void forwardToServer(int n) throws IOException {
        if (n == 0) {
            return;
        }
        if (sout == null) {
            int limit = cin.limit();
            cin.limit(cin.position() + n);
            int w = conn.channel.write(cin);
            cin.limit(limit);
            lastServer = loop.now;
            n -= w;
            if (n == 0) {
                return;
            }
        }
        append(true, cin, n);
    }

    /** Sends the next {@code n} bytes of {@link #sin} to the client: straight when nothing is queued. */
    private void forwardToClient(int n) throws IOException {
        if (n == 0) {
            return;
        }
        if (cout == null) {
            int limit = sin.limit();
            sin.limit(sin.position() + n);
            int w = client.write(sin);
            sin.limit(limit);
            n -= w;
            if (n == 0) {
                return;
            }
        }
        append(false, sin, n);
    }

    /** Moves {@code n} bytes from {@code src} into the output buffer of one side (which has room for them). */
    private void append(boolean toServer, ByteBuffer src, int n) {
        ByteBuffer out = toServer ? sout : cout;
        if (out == null) {
            out = loop.pool.lease();
            out.flip();
            if (!toServer) {
                lastClient = loop.now; // waiting for the client to read from now on
            }
        }
        out.compact();
        int limit = src.limit();
        src.limit(src.position() + n);
        out.put(src);
        src.limit(limit);
        out.flip();
        if (toServer) {
            sout = out;
        } else {
            cout = out;
        }
    }

    private void releaseIfEmpty() {
        if (cin != null && !cin.hasRemaining()) {
            loop.pool.release(cin);
            cin = null;
        }
    }

    private void releaseInput() {
        if (cin != null) {
            loop.pool.release(cin);
            cin = null;
        }
        if (sin != null) {
            loop.pool.release(sin);
            sin = null;
        }
    }

    private void releaseClientBuffers() {
        releaseInput();
        if (cout != null) {
            loop.pool.release(cout);
            cout = null;
        }
    }

    // ---- interest, timeouts, close ---------------------------------------------------------------------------

    private void updateInterest() {
        int c = 0;
        if (lingering) {
            c = SelectionKey.OP_READ;
        } else {
            // read while a response is pending too (a pipelined request waits in cin, bounded by its size): the
            // interest then stays the same from request to request, which spares two epoll_ctl calls each
            if (!closeAfterFlush && !clientEof && (cin == null || cin.remaining() < cin.capacity())) {
                c |= SelectionKey.OP_READ;
            }
            if (cout != null) {
                c |= SelectionKey.OP_WRITE;
            }
        }
        if (clientKey.isValid() && clientKey.interestOps() != c) {
            clientKey.interestOps(c);
        }
        ServerConnection sc = conn;
        if (sc != null && sc.key != null && sc.key.isValid()) {
            int s;
            if (connecting) {
                s = SelectionKey.OP_CONNECT;
            } else {
                s = 0;
                if (respPhase != RESP_NONE && (cout == null || cout.remaining() < cout.capacity())) {
                    s |= SelectionKey.OP_READ;
                }
                if (sout != null) {
                    s |= SelectionKey.OP_WRITE;
                }
            }
            if (sc.key.interestOps() != s) {
                sc.key.interestOps(s);
            }
        }
    }

    @Override
    void sweep(long now) {
        if (closed || handedOff) {
            return;
        }
        try {
            if (lingering) {
                if (now - lingerUntil >= 0) {
                    close(false);
                }
                return;
            }
            if (queued) {
                if (now - queueDeadline >= 0 && queuePool.dequeue(this)) {
                    queued = false;
                    queuePool.queueTimeouts.increment();
                    refuse();
                    updateIfOpen();
                }
                return;
            }
            if (connecting) {
                if (now - connectDeadline >= 0) {
                    connectFailed();
                    updateIfOpen();
                }
                return;
            }
            if (respPhase != RESP_NONE && conn != null) {
                if (cout != null) {
                    // the server's bytes wait for the client (server reads are paused): the client's idle timeout
                    // runs, not the server's; a slow reader must not turn a healthy server into a 504
                    if (now - lastClient >= vip.clientIdleTimeout) {
                        abortExchange();
                    }
                    return;
                }
                if (now - lastServer >= vip.httpOptions.serverResponseTimeout().toNanos()) {
                    if (!responseStarted) {
                        closeServerConnection(true);
                        sendError(504);
                        updateIfOpen();
                    } else {
                        abortExchange();
                    }
                }
                return;
            }
            if (reqPhase == REQ_BODY || cout != null) {
                if (now - lastClient >= vip.clientIdleTimeout) {
                    abortExchange(); // a client that stopped sending its body or reading its answer
                }
                return;
            }
            if (reqPhase == REQ_HEAD && respPhase == RESP_NONE && !closeAfterFlush) {
                if (requestParser != null && !requestParser.isIdle()) {
                    if (now - headStartedAt >= opts.clientHeaderTimeout().toNanos()) {
                        service.http.headerTimeouts.inc();
                        reject(408); // slowloris
                        updateIfOpen();
                    }
                } else if (served == 0) {
                    if (now - acceptedAt >= opts.clientHeaderTimeout().toNanos()) {
                        close(false); // connected and never sent a request
                    }
                } else if (now - idleSince >= opts.keepAliveTimeout().toNanos()) {
                    close(false);
                }
            }
        } catch (IOException e) {
            close(true);
        }
    }

    private void updateIfOpen() {
        if (!closed && !handedOff) {
            updateInterest();
        }
    }

    @Override
    boolean belongsTo(VirtualService svc, Backend b) {
        if (b != null) {
            return backend == b;
        }
        return service == svc || pool == svc;
    }

    @Override
    void close(boolean abort) {
        if (closed || handedOff) {
            return;
        }
        closed = true;
        loop.unlink(this);
        leaveQueue();
        record(0);
        request = null;
        ServerConnection c = conn;
        conn = null;
        if (c != null) {
            c.close(abort);
        }
        releaseBackend();
        loop.pool.release(cin);
        loop.pool.release(cout);
        loop.pool.release(sin);
        loop.pool.release(sout);
        cin = null;
        cout = null;
        sin = null;
        sout = null;
        try {
            if (abort && client.isOpen()) {
                try {
                    client.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // already reset
                }
            }
            client.close();
        } catch (IOException ignored) {
            // released either way
        }
        service.active.decrementAndGet();
    }
}
