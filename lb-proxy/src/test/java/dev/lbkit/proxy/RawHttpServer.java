package dev.lbkit.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on 127.0.0.1 whose answers a test writes byte by byte: one thread per connection reads
 * each request head (requests without body) and hands it to the test's {@link Handler}, which writes whatever
 * it likes, as slowly or as much as it likes, on the blocking socket. For what the JDK server cannot do: stall in
 * the middle of a body, hold a request until the test lets it go, stream more than every buffer on the way holds.
 */
final class RawHttpServer implements AutoCloseable {
    /** Answers one request; returning keeps the connection for the next one, throwing closes it. */
    interface Handler {
        void handle(String head, Socket socket, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    RawHttpServer(Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(Loopback.HOST), 0), 128);
        Thread t = new Thread(this::acceptLoop, "raw-http-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "raw-http-server-conn");
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
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                handler.handle(head, s, s.getOutputStream());
            }
        } catch (Exception e) {
            if (!server.isClosed()) {
                failures.add(e);
            }
        } finally {
            open.remove(s);
        }
    }

    /** A request head up to its empty line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            b.append((char) c);
            if (b.length() >= 4 && b.charAt(b.length() - 1) == '\n' && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                return b.toString();
            }
        }
        return null;
    }

    /** The bytes {@code from .. from+len} of the test pattern: byte i is {@code i % 251}. */
    static byte[] pattern(long from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) ((from + i) % 251);
        }
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
