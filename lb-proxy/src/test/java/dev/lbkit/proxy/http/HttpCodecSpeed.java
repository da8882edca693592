package dev.lbkit.proxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Not a test: a small main that times the proxy's per-request codec work on one thread, for the report and
 * {@code docs/http-codec.md}. Run after {@code mvn test-compile}:
 * {@code java -cp lb-proxy/target/classes:lb-proxy/target/test-classes dev.lbkit.proxy.http.HttpCodecSpeed}.
 * Prints {@code FIGURE} lines measured in thread CPU time; bounded in count.
 */
public final class HttpCodecSpeed {
    /** Thread CPU time, not wall time: the machine is shared, so wall time measures the neighbours. */
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private HttpCodecSpeed() {
    }

    static final byte[] REQUEST = ("GET /api/v1/items?id=12345 HTTP/1.1\r\nHost: www.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
            + "Cookie: SERVERID=s1; JSESSIONID=0123456789ABCDEF\r\nConnection: keep-alive\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx/1.26\r\nDate: Thu, 26 Nov 2026 00:00:00 GMT\r\n"
            + "Content-Type: text/html\r\nContent-Length: 100\r\nConnection: keep-alive\r\n"
            + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    public static void main(String[] args) throws Exception {
        ByteBuffer in = ByteBuffer.allocateDirect(16384);
        ByteBuffer out = ByteBuffer.allocateDirect(16384);
        ByteBuffer rin = ByteBuffer.allocateDirect(16384);
        HttpRequestParser rp = new HttpRequestParser();
        HttpResponseParser sp = new HttpResponseParser();
        HttpBodyScanner body = HttpBodyScanner.of(BodyFraming.NONE, -1, HttpLimits.defaults());
        long sink = 0;
        com.sun.management.ThreadMXBean mem = (com.sun.management.ThreadMXBean) CPU;
        long me = Thread.currentThread().getId();
        for (int round = 0; round < 5; round++) {
            int n = 400_000;
            long a0 = mem.getThreadAllocatedBytes(me);
            long t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                in.clear();
                in.put(REQUEST).flip();
                HttpRequestHead h = rp.parse(in);
                h.removeHopByHop(false);
                h.add("X-Forwarded-For", "192.0.2.10");
                out.clear();
                h.encodeTo(out);
                sink += out.position() + (h.isKeepAlive() ? 1 : 0);
                rin.clear();
                rin.put(RESPONSE).flip();
                HttpResponseHead r = sp.parse(rin, h);
                body.reset(r);
                r.removeHopByHop(false);
                out.clear();
                r.encodeTo(out);
                sink += out.position();
                sp.recycle(r); // as the proxy does once an exchange is over
                rp.recycle(h);
            }
            long ns = CPU.getCurrentThreadCpuTime() - t0;
            long bytes = mem.getThreadAllocatedBytes(me) - a0;
            if (round == 4) {
                double per = ns / (double) n;
                System.out.printf("FIGURE http_codec.exchange_ns %.0f%n", per);
                System.out.printf("FIGURE http_codec.exchange_alloc_bytes %.0f%n", bytes / (double) n);
                System.out.printf("FIGURE http_codec.exchanges_per_cpu_second %.0f%n", 1e9 / per);
            }
        }
        for (int round = 0; round < 5; round++) {
            int n = 1_000_000;
            long t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                in.clear();
                in.put(REQUEST).flip();
                HttpRequestHead h = rp.parse(in);
                sink += h.fieldCount();
                rp.recycle(h);
            }
            long ns = CPU.getCurrentThreadCpuTime() - t0;
            if (round == 4) {
                double per = ns / (double) n;
                System.out.printf("FIGURE http_codec.request_parse_ns %.0f (%d-byte head, %.2f ns/byte)%n", per,
                        REQUEST.length, per / REQUEST.length);
            }
        }
        System.out.println("# sink " + sink);
    }
}
