package dev.lbkit.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on a loopback address for tests: one thread accepts, one thread per connection runs the
 * behaviour. It counts connections; {@link #close()} closes the listener and every connection, which ends every
 * thread. Behaviours cover what a real server does wrong: pass, fail, hang, reset, garbage.
 */
final class LoopbackServer implements AutoCloseable {
    /** What the server does with one accepted connection. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket s) throws IOException;
    }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    LoopbackServer(String address, Behaviour behaviour) throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 1024);
        this.behaviour = behaviour;
        Thread t = new Thread(this::acceptLoop, "loopback-server-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    static LoopbackServer on(String address, Behaviour behaviour) {
        try {
            return new LoopbackServer(address, behaviour);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    String address() {
        return listener.getInetAddress().getHostAddress();
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                connections.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> {
                    try (s) {
                        behaviour.serve(s);
                    } catch (IOException e) {
                        // the checker went away; fine
                    } finally {
                        open.remove(s);
                    }
                }, "loopback-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    // ---- behaviours ----

    /** Reads the request head (up to a blank line), answers {@code response}, closes. */
    static Behaviour answers(String response) {
        return s -> {
            readHead(s.getInputStream());
            write(s, response);
        };
    }

    static Behaviour http(int status, String headers, String body) {
        return answers("HTTP/1.0 " + status + " X\r\n" + headers + "Content-Length: " + body.length()
                + "\r\n\r\n" + body);
    }

    /** Sends {@code greeting} at once, then answers each line received with {@code replies} in turn, closes. */
    static Behaviour greets(String greeting, String... replies) {
        return s -> {
            write(s, greeting);
            InputStream in = s.getInputStream();
            for (String r : replies) {
                if (readLine(in) == null) {
                    return;
                }
                write(s, r);
            }
        };
    }

    /** Accepts, reads, never answers: the connection stays open until the server closes. */
    static Behaviour hangs() {
        return s -> {
            InputStream in = s.getInputStream();
            byte[] b = new byte[1024];
            while (in.read(b) >= 0) {
                // swallow
            }
        };
    }

    /** Accepts and closes with a reset. */
    static Behaviour resets() {
        return s -> s.setSoLinger(true, 0);
    }

    /** Reads a little, answers bytes that mean nothing, closes. */
    static Behaviour garbage() {
        return s -> {
            s.setSoTimeout(50);
            try {
                s.getInputStream().read(new byte[1024]);
            } catch (IOException e) {
                // nothing sent first: fine
            }
            s.getOutputStream().write(new byte[] {0, 1, 2, (byte) 0xff, 'z', 'q', '\r', '\n', 'x', '\n'});
            s.getOutputStream().flush();
        };
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static void readHead(InputStream in) throws IOException {
        int state = 0;
        for (int i = 0; i < 65536; i++) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            state = c == '\n' ? (state == 1 ? 2 : 1) : (c == '\r' ? state : 0);
            if (state == 2) {
                return;
            }
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4096; i++) {
            int c = in.read();
            if (c < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
