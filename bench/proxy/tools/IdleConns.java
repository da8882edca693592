// Copied from the shared proxy harness (../shared/bench/tools, 2026-11).
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Opens N keep-alive HTTP/1.1 connections to host:port, sends one GET on each, reads the whole
 * response, then leaves every connection open and idle for HOLD seconds and exits by itself.
 *
 * <pre>java IdleConns.java HOST PORT N [PATH=/100b] [HOLD_SECONDS=30]</pre>
 *
 * Prints "READY ok=.. failed=.. ms=.." once every connection is idle (or failed), and at the end
 * "END open=.. closed_by_peer=..". Connects at most 256 at a time so as not to overflow backlogs.
 * Bounded: gives up on connections not done within 120 s.
 */
public class IdleConns {
    static final class Conn {
        final byte[] head = new byte[8192];
        int headLen;
        long bodyLeft = -1; // -1 until the header is parsed
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        String path = args.length > 3 ? args[3] : "/100b";
        int hold = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        byte[] req = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress addr = new InetSocketAddress(host, port);
        Selector sel = Selector.open();
        ByteBuffer rb = ByteBuffer.allocateDirect(64 * 1024);
        List<SocketChannel> idle = new ArrayList<>(n);
        int started = 0, ok = 0, failed = 0, inflight = 0;
        long t0 = System.nanoTime();
        long deadline = t0 + 120_000_000_000L;
        while (ok + failed < n && System.nanoTime() < deadline) {
            while (inflight < 256 && started < n) {
                started++;
                try {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.connect(addr);
                    ch.register(sel, SelectionKey.OP_CONNECT, new Conn());
                    inflight++;
                } catch (IOException e) {
                    failed++;
                }
            }
            sel.select(100);
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                SocketChannel ch = (SocketChannel) k.channel();
                Conn c = (Conn) k.attachment();
                try {
                    if (k.isConnectable()) {
                        ch.finishConnect();
                        ByteBuffer w = ByteBuffer.wrap(req);
                        while (w.hasRemaining()) ch.write(w); // tiny request: fits the send buffer
                        k.interestOps(SelectionKey.OP_READ);
                        continue;
                    }
                    if (k.isReadable()) {
                        rb.clear();
                        int r = ch.read(rb);
                        if (r < 0) throw new IOException("closed before the response ended");
                        rb.flip();
                        if (consume(c, rb)) {
                            k.cancel();          // stays open, no longer watched
                            idle.add(ch);
                            ok++;
                            inflight--;
                        }
                    }
                } catch (IOException e) {
                    k.cancel();
                    try { ch.close(); } catch (IOException ignored) { }
                    failed++;
                    inflight--;
                }
            }
        }
        failed += n - ok - failed;
        sel.selectNow(); // flush cancelled keys
        say("READY ok=" + ok + " failed=" + failed + " ms=" + (System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(hold * 1000L);
        // how many of the idle connections did the peer close meanwhile?
        int closed = 0;
        Selector s2 = Selector.open();
        for (SocketChannel ch : idle) ch.register(s2, SelectionKey.OP_READ);
        s2.selectNow();
        for (SelectionKey k : s2.selectedKeys()) {
            rb.clear();
            try {
                if (((SocketChannel) k.channel()).read(rb) < 0) closed++;
            } catch (IOException e) {
                closed++;
            }
        }
        say("END open=" + (idle.size() - closed) + " closed_by_peer=" + closed);
        for (SocketChannel ch : idle) ch.close();
    }

    /** One whole line in one write(2), so that a reader polling the file never sees half of it. */
    static void say(String line) throws IOException {
        java.io.FileOutputStream out = new java.io.FileOutputStream(java.io.FileDescriptor.out);
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Feeds response bytes; true once the whole response (header + Content-Length body) is read. */
    static boolean consume(Conn c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.bodyLeft < 0) {
                if (c.headLen == c.head.length) throw new IOException("header too long");
                c.head[c.headLen++] = b.get();
                int h = c.headLen;
                if (h >= 4 && c.head[h - 4] == '\r' && c.head[h - 3] == '\n' && c.head[h - 2] == '\r' && c.head[h - 1] == '\n') {
                    String head = new String(c.head, 0, h, StandardCharsets.ISO_8859_1);
                    if (!head.startsWith("HTTP/1.1 200")) throw new IOException("status: " + head.lines().findFirst().orElse(""));
                    c.bodyLeft = 0;
                    for (String line : head.split("\r\n")) {
                        int colon = line.indexOf(':');
                        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                            c.bodyLeft = Long.parseLong(line.substring(colon + 1).trim());
                        }
                    }
                    if (c.bodyLeft == 0) return true;
                }
            } else {
                int take = (int) Math.min(b.remaining(), c.bodyLeft);
                b.position(b.position() + take);
                c.bodyLeft -= take;
                if (c.bodyLeft == 0) return true;
            }
        }
        return false;
    }
}
