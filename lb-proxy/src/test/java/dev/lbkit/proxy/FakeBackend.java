package dev.lbkit.proxy;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real server on 127.0.0.1 for tests, one thread per connection, speaking a line protocol:
 * <ul>
 *   <li>{@code name}: answers its name;</li>
 *   <li>{@code stream N}: sends N bytes (byte i is {@code i % 251}), ends its output, then reads to the end;</li>
 *   <li>{@code sink}: reads to the end of the client's stream, then answers {@code got <bytes>} and closes;</li>
 *   <li>{@code fin}: answers {@code bye}, ends its output, then reads to the end and records the bytes;</li>
 *   <li>anything else: echoed back.</li>
 * </ul>
 * With {@code readProxyHeader} it first decodes a PROXY protocol header and records it.
 */
final class FakeBackend implements AutoCloseable {
    final String name;
    private final ServerSocket server;
    private final boolean readProxyHeader;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    final AtomicLong streamed = new AtomicLong();
    final AtomicLong sunk = new AtomicLong(-1);
    final List<ProxyHeader> headers = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    FakeBackend(String name) throws IOException {
        this(name, false);
    }

    FakeBackend(String name, boolean readProxyHeader) throws IOException {
        this.name = name;
        this.readProxyHeader = readProxyHeader;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(Loopback.HOST), 0), 1024);
        Thread t = new Thread(this::acceptLoop, "fake-backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fake-backend-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (readProxyHeader) {
                headers.add(readHeader(in));
            }
            String line;
            while ((line = Loopback.readLine(in)) != null) {
                if (line.equals("name")) {
                    Loopback.writeLine(out, name);
                } else if (line.startsWith("stream ")) {
                    stream(out, Long.parseLong(line.substring(7)));
                    s.shutdownOutput();
                    drain(in);
                    return;
                } else if (line.equals("sink")) {
                    long n = drain(in);
                    Loopback.writeLine(out, "got " + n);
                    return;
                } else if (line.equals("fin")) {
                    Loopback.writeLine(out, "bye");
                    s.shutdownOutput();
                    sunk.set(drain(in));
                    return;
                } else {
                    Loopback.writeLine(out, line);
                }
            }
        } catch (IOException e) {
            if (!server.isClosed()) {
                failures.add(e.toString());
            }
        } finally {
            open.remove(s);
        }
    }

    private void stream(OutputStream out, long n) throws IOException {
        byte[] chunk = new byte[8192];
        long sent = 0;
        while (sent < n) {
            int len = (int) Math.min(chunk.length, n - sent);
            for (int i = 0; i < len; i++) {
                chunk[i] = (byte) ((sent + i) % 251);
            }
            out.write(chunk, 0, len);
            sent += len;
            streamed.set(sent);
        }
        out.flush();
    }

    private static long drain(InputStream in) throws IOException {
        byte[] b = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(b)) != -1) {
            total += n;
        }
        return total;
    }

    /** Reads exactly one PROXY header, byte by byte, so that nothing after it is consumed. */
    private static ProxyHeader readHeader(InputStream in) throws IOException {
        ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("end of stream before a PROXY header");
            }
            b.put((byte) c);
            ByteBuffer view = b.duplicate().flip();
            ProxyProtocolDecoder.Result r = decoder.decode(view);
            if (r.isComplete()) {
                return r.header();
            }
        }
    }

    /** Kills the backend: no more accepts, every connection closed. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** Resets every open connection (SO_LINGER 0, then close); keeps accepting. */
    void resetConnections() throws IOException {
        for (Socket s : open) {
            s.setSoLinger(true, 0);
            s.close();
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
