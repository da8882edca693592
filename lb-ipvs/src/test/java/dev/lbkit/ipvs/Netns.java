package dev.lbkit.ipvs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * Real sockets inside network namespaces made by {@code ip netns add}, from this JVM: a fresh thread enters the
 * namespace with {@code setns(2)} (which changes only the calling thread), creates the socket there and ends; the
 * socket stays in that namespace whatever thread uses it later. Test code only.
 */
final class Netns {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** The two calls JNR-FFI maps for this. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int setns(int fd, int nstype);

        int close(int fd);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private Netns() {}

    /** Runs {@code body} on a new thread inside network namespace {@code ns} and returns its result. */
    static <T> T call(String ns, Callable<T> body) {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                LibC c = Holder.LIBC;
                int fd = c.open("/run/netns/" + ns, O_RDONLY_CLOEXEC);
                if (fd < 0) {
                    throw new IllegalStateException("open /run/netns/" + ns + " failed");
                }
                try {
                    if (c.setns(fd, CLONE_NEWNET) != 0) {
                        throw new IllegalStateException("setns into " + ns + " failed");
                    }
                } finally {
                    c.close(fd);
                }
                out.set(body.call());
            } catch (Throwable e) {
                out.set(new Failure(e));
            }
        }, "lbk-ipvs-netns-" + ns);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Object r = out.get();
        if (r instanceof Failure f) {
            throw new IllegalStateException("in netns " + ns + ": " + f.cause, f.cause);
        }
        @SuppressWarnings("unchecked")
        T result = (T) r;
        return result;
    }

    private record Failure(Throwable cause) {}

    /**
     * A tiny TCP server in a namespace: on every connection it writes its name and a newline, then answers each
     * line it reads with {@code name line}; it listens on all addresses on every given port.
     */
    static final class NameServer implements AutoCloseable {
        final String name;
        private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        NameServer(String ns, String name, int... ports) {
            this.name = name;
            for (int port : ports) {
                ServerSocket s = call(ns, () -> {
                    ServerSocket ss = new ServerSocket();
                    ss.setReuseAddress(true);
                    ss.bind(new InetSocketAddress(port), 64);
                    return ss;
                });
                listeners.add(s);
                Thread t = new Thread(() -> acceptLoop(s), "lbk-ipvs-server-" + name + "-" + port);
                t.setDaemon(true);
                t.start();
            }
        }

        private void acceptLoop(ServerSocket s) {
            while (!s.isClosed()) {
                Socket c;
                try {
                    c = s.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.add(c);
                Thread t = new Thread(() -> serve(c), "lbk-ipvs-conn-" + name);
                t.setDaemon(true);
                t.start();
            }
        }

        private void serve(Socket c) {
            try (c) {
                OutputStream out = c.getOutputStream();
                out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.write((name + " " + line + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() {
            for (ServerSocket s : listeners) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            for (Socket s : accepted) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    /** A client connection made from a namespace: the first line the server sent is its name. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        final String server;
        private final BufferedReader in;

        private Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.server = in.readLine();
            if (server == null) {
                throw new IOException("connection closed before the server named itself");
            }
        }

        /** Connects from namespace {@code ns} (optionally from {@code source}) with a 5 s connect and read timeout. */
        static Conn open(String ns, String source, String address, int port) {
            return call(ns, () -> {
                Socket s = new Socket();
                try {
                    s.setSoTimeout(5000);
                    if (source != null) {
                        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
                    }
                    s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 5000);
                    return new Conn(s);
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
            });
        }

        /** Sends a line and returns the answer within 5 s; fails when the connection no longer works. */
        String ask(String line) {
            send(line);
            return readLine(5000);
        }

        /** Sends a line without waiting for the answer. */
        void send(String line) {
            try {
                socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The next line from the server within {@code timeoutMillis}; an {@link UncheckedIOException} around a
         * {@link java.net.SocketTimeoutException} when none came (the connection stays usable), or around the
         * reset or end of stream that ended the connection.
         */
        String readLine(int timeoutMillis) {
            try {
                socket.setSoTimeout(timeoutMillis);
                String answer = in.readLine();
                if (answer == null) {
                    throw new IOException("connection closed by the peer");
                }
                return answer;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
