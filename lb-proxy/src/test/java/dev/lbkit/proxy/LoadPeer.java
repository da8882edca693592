package dev.lbkit.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The other side of {@link ProxyScaleIT}, run in its own JVM so that its sockets do not count against the
 * proxy's open-files limit: an NIO echo server on 127.0.0.1 and an NIO client that holds many connections
 * through the proxy. It talks to the test over stdin/stdout:
 * <pre>
 *   peer  -> test: PORT &lt;echo server port&gt;
 *   test  -> peer: CONNECT &lt;vip port&gt; &lt;connections&gt;
 *   peer  -> test: HELD &lt;connections that got their echo&gt; FAILED &lt;failures&gt;
 *   test  -> peer: CLOSE
 *   peer  -> test: DONE
 * </pre>
 * Every phase is bounded in time; the peer exits when stdin closes.
 */
public final class LoadPeer {
    private static final long PHASE_NANOS = 90_000_000_000L;

    private LoadPeer() {}

    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4096);
        Thread echo = new Thread(() -> echo(server), "echo");
        echo.setDaemon(true);
        echo.start();
        System.out.println("PORT " + server.socket().getLocalPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String[] cmd = in.readLine().split(" ");
        int vipPort = Integer.parseInt(cmd[1]);
        int n = Integer.parseInt(cmd[2]);
        List<SocketChannel> clients = new ArrayList<>(n);
        int[] result = hold(vipPort, n, clients);
        System.out.println("HELD " + result[0] + " FAILED " + result[1]);
        System.out.flush();
        in.readLine(); // CLOSE, or end of stream
        for (SocketChannel c : clients) {
            c.close();
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    /** Opens {@code n} connections (at most 256 connecting at once), sends a line on each, awaits its echo. */
    private static int[] hold(int port, int n, List<SocketChannel> clients) throws IOException {
        InetSocketAddress vip = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        Selector sel = Selector.open();
        ByteBuffer buf = ByteBuffer.allocate(256);
        int started = 0;
        int inFlight = 0;
        int echoed = 0;
        int failed = 0;
        long deadline = System.nanoTime() + PHASE_NANOS;
        while (echoed + failed < n && System.nanoTime() - deadline < 0) {
            while (started < n && inFlight < 256) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                clients.add(c);
                String msg = "hello " + started + "\n";
                c.connect(vip);
                c.register(sel, SelectionKey.OP_CONNECT, new StringBuilder(msg));
                started++;
                inFlight++;
            }
            sel.select(100);
            for (SelectionKey k : sel.selectedKeys()) {
                SocketChannel c = (SocketChannel) k.channel();
                StringBuilder expected = (StringBuilder) k.attachment();
                try {
                    if (k.isConnectable()) {
                        c.finishConnect();
                        c.write(ByteBuffer.wrap(expected.toString().getBytes(StandardCharsets.US_ASCII)));
                        k.interestOps(SelectionKey.OP_READ);
                        expected.append('|'); // what was echoed so far follows the bar
                    } else if (k.isReadable()) {
                        buf.clear();
                        int r = c.read(buf);
                        if (r < 0) {
                            throw new IOException("closed before the echo");
                        }
                        expected.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                        int bar = expected.indexOf("|");
                        if (expected.length() - bar - 1 >= bar) {
                            if (!expected.substring(bar + 1).equals(expected.substring(0, bar))) {
                                throw new IOException("wrong echo");
                            }
                            k.interestOps(0);
                            echoed++;
                            inFlight--;
                        }
                    }
                } catch (IOException e) {
                    k.cancel();
                    failed++;
                    inFlight--;
                }
            }
            sel.selectedKeys().clear();
        }
        return new int[] {echoed, failed + (n - echoed - failed)};
    }

    private static void echo(ServerSocketChannel server) {
        try (Selector sel = Selector.open()) {
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            ByteBuffer buf = ByteBuffer.allocateDirect(16384);
            while (true) {
                sel.select();
                for (SelectionKey k : sel.selectedKeys()) {
                    try {
                        if (k.isAcceptable()) {
                            SocketChannel c;
                            while ((c = server.accept()) != null) {
                                c.configureBlocking(false);
                                c.register(sel, SelectionKey.OP_READ);
                            }
                        } else if (k.isReadable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            buf.clear();
                            if (c.read(buf) < 0) {
                                c.close();
                                continue;
                            }
                            buf.flip();
                            c.write(buf); // small lines: the socket buffer always takes them
                        }
                    } catch (IOException e) {
                        k.channel().close();
                    }
                }
                sel.selectedKeys().clear();
            }
        } catch (IOException e) {
            System.err.println("echo server failed: " + e);
        }
    }
}
