package dev.lbkit.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec against real peers from Debian over loopback sockets: requests as curl writes them, responses as
 * nginx writes them. Reads go through a 7-byte buffer so every head and body arrives split.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpCodecInteropIT {
    private static final int READ = 7;
    private static Path dir;
    private static Process nginx;
    private static int nginxPort;

    // ---- curl as the client ----

    /** What a test server read from curl: the head, the body bytes as framed on the wire. */
    record Received(HttpRequestHead head, byte[] body, boolean complete) {
    }

    private static Received fromCurl(boolean sendContinue, String... curlArgs) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "--max-time", "10"));
            for (String a : curlArgs) {
                cmd.add(a.replace("PORT", Integer.toString(port)));
            }
            Process curl = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(READ);
                HttpRequestParser parser = new HttpRequestParser();
                HttpRequestHead head = null;
                while (head == null) {
                    if (c.read(in) < 0) {
                        throw new IOException("curl closed before a whole head");
                    }
                    in.flip();
                    head = parser.parse(in);
                    in.compact();
                }
                if (sendContinue && head.expectsContinue()) {
                    c.write(HttpResponseHead.create(100, "Continue", HttpVersion.HTTP_1_1).encode());
                }
                HttpBodyScanner body = HttpBodyScanner.forMessage(head, parser.limits());
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                in.flip();
                while (true) {
                    int n = body.scan(in);
                    bytes.write(in.array(), in.position(), n);
                    in.position(in.position() + n);
                    if (body.isComplete()) {
                        break;
                    }
                    in.compact();
                    if (c.read(in) < 0) {
                        break;
                    }
                    in.flip();
                }
                HttpResponseHead ok = HttpResponseHead.create(200, "OK", HttpVersion.HTTP_1_1);
                ok.setContentLength(0);
                ok.add("Connection", "close");
                c.write(ok.encode());
                return new Received(head, bytes.toByteArray(), body.isComplete());
            } finally {
                curl.getOutputStream().close();
                if (!curl.waitFor(10, TimeUnit.SECONDS)) {
                    curl.destroyForcibly();
                }
            }
        }
    }

    @Test
    void readsCurlsGetRequest() throws Exception {
        Received r = fromCurl(false, "http://127.0.0.1:PORT/path/a?b=c&d=%20e");
        assertThat(r.head().method()).isEqualTo(HttpMethod.GET);
        assertThat(r.head().target()).isEqualTo("/path/a?b=c&d=%20e");
        assertThat(r.head().host()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(r.head().get("user-agent")).startsWith("curl/");
        assertThat(r.head().isKeepAlive()).isTrue();
        assertThat(r.head().framing()).isEqualTo(BodyFraming.NONE);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void readsCurlsPostWithContentLength() throws Exception {
        Path data = Files.writeString(dir.resolve("post.txt"), "0123456789".repeat(300));
        Received r = fromCurl(false, "--data-binary", "@" + data, "-H", "Expect:", "http://127.0.0.1:PORT/p");
        assertThat(r.head().method()).isEqualTo(HttpMethod.POST);
        assertThat(r.head().framing()).isEqualTo(BodyFraming.CONTENT_LENGTH);
        assertThat(r.head().contentLength()).isEqualTo(3000);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("0123456789".repeat(300));
    }

    @Test
    void readsCurlsChunkedUploadWithoutChangingIt() throws Exception {
        Path data = Files.writeString(dir.resolve("chunked.txt"), "abcdefghij".repeat(2000));
        Received r = fromCurl(false, "-H", "Transfer-Encoding: chunked", "-H", "Expect:", "--data-binary",
                "@" + data, "http://127.0.0.1:PORT/upload");
        assertThat(r.head().framing()).isEqualTo(BodyFraming.CHUNKED);
        assertThat(r.complete()).isTrue();
        String wire = new String(r.body(), StandardCharsets.US_ASCII);
        assertThat(wire).endsWith("0\r\n\r\n");
        assertThat(dechunk(wire)).isEqualTo("abcdefghij".repeat(2000));
    }

    @Test
    void answersCurlsExpectContinue() throws Exception {
        Path data = Files.writeString(dir.resolve("expect.txt"), "x".repeat(5000));
        Received r = fromCurl(true, "-H", "Expect: 100-continue", "--expect100-timeout", "8", "--data-binary",
                "@" + data, "http://127.0.0.1:PORT/e");
        assertThat(r.head().expectsContinue()).isTrue();
        assertThat(r.body()).hasSize(5000);
    }

    @Test
    void readsCurlsHttp10Request() throws Exception {
        Received r = fromCurl(false, "--http1.0", "http://127.0.0.1:PORT/old");
        assertThat(r.head().version()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(r.head().isKeepAlive()).isFalse();
    }

    private static String dechunk(String wire) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int crlf = wire.indexOf("\r\n", i);
            int size = Integer.parseInt(wire.substring(i, crlf).split(";")[0], 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(wire, crlf + 2, crlf + 2 + size);
            i = crlf + 2 + size + 2;
        }
    }

    // ---- nginx as the server ----

    @BeforeAll
    static void startNginx() throws Exception {
        dir = Files.createTempDirectory("lbk-httpcodec-");
        Files.createDirectories(dir.resolve("www/static"));
        Files.writeString(dir.resolve("www/static/f.txt"), "static file body\n".repeat(200));
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nginxPort = probe.getLocalPort();
        }
        String d = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "daemon off;", "master_process off;", "worker_processes 1;", "pid " + d + "/nginx.pid;",
                "error_log " + d + "/error.log;", "events { worker_connections 64; }", "http {",
                "  access_log off;", "  client_body_temp_path " + d + "/cb;", "  proxy_temp_path " + d + "/pt;",
                "  fastcgi_temp_path " + d + "/ft;", "  uwsgi_temp_path " + d + "/ut;",
                "  scgi_temp_path " + d + "/st;", "  keepalive_requests 1000;",
                "  server {", "    listen 127.0.0.1:" + nginxPort + ";", "    root " + d + "/www;",
                "    location = /cl { return 200 'hello'; }", "    location = /nocontent { return 204; }",
                "    location = /gz { gzip on; gzip_min_length 0; gzip_types text/plain; default_type text/plain;",
                "      alias " + d + "/www/static/f.txt; }",
                "  }", "}", ""));
        nginx = new ProcessBuilder("nginx", "-p", d, "-c", d + "/nginx.conf").redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (SocketChannel probe = SocketChannel.open(new InetSocketAddress("127.0.0.1", nginxPort))) {
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !nginx.isAlive()) {
                    throw new IOException("nginx did not start: " + Files.readString(dir.resolve("nginx.out")), e);
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A response as read: head and body bytes as framed. */
    record Answer(HttpResponseHead head, byte[] body) {
    }

    /** Sends all requests at once (pipelined) on one connection and reads the answers in order. */
    private static List<Answer> pipeline(List<HttpRequestHead> requests) throws IOException {
        List<Answer> answers = new ArrayList<>();
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", nginxPort))) {
            for (HttpRequestHead r : requests) {
                ByteBuffer b = r.encode();
                while (b.hasRemaining()) {
                    c.write(b);
                }
            }
            HttpResponseParser parser = new HttpResponseParser();
            ByteBuffer in = ByteBuffer.allocate(READ);
            in.flip();
            for (HttpRequestHead r : requests) {
                HttpResponseHead head;
                do {
                    head = null;
                    while (head == null) {
                        if (!in.hasRemaining()) {
                            in.clear();
                            if (c.read(in) < 0) {
                                throw new IOException("nginx closed before answering " + r.target());
                            }
                            in.flip();
                        }
                        head = parser.parse(in, r);
                    }
                } while (head.isInterim());
                HttpBodyScanner body = HttpBodyScanner.forMessage(head, parser.limits());
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                while (!body.isComplete()) {
                    if (!in.hasRemaining()) {
                        in.clear();
                        if (c.read(in) < 0) {
                            assertThat(body.endOfInput()).as("body of " + r.target() + " complete").isTrue();
                            break;
                        }
                        in.flip();
                    }
                    int n = body.scan(in);
                    bytes.write(in.array(), in.position(), n);
                    in.position(in.position() + n);
                }
                answers.add(new Answer(head, bytes.toByteArray()));
            }
        }
        return answers;
    }

    private static HttpRequestHead get(String method, String target, String... fields) {
        HttpRequestHead h = HttpRequestHead.create(method, target, HttpVersion.HTTP_1_1);
        h.add("Host", "localhost");
        for (int i = 0; i < fields.length; i += 2) {
            h.add(fields[i], fields[i + 1]);
        }
        return h;
    }

    @Test
    void followsNginxResponsesOfEveryFramingOnOnePipelinedConnection() throws Exception {
        List<Answer> first = pipeline(List.of(get("GET", "/static/f.txt")));
        String etag = first.get(0).head().get("ETag");
        assertThat(etag).isNotNull();
        List<Answer> a = pipeline(List.of(
                get("GET", "/cl"),
                get("HEAD", "/cl"),
                get("GET", "/nocontent"),
                get("GET", "/static/f.txt", "If-None-Match", etag),
                get("GET", "/gz", "Accept-Encoding", "gzip"),
                get("HEAD", "/static/f.txt"),
                get("GET", "/missing"),
                get("GET", "/static/f.txt", "Connection", "close")));
        assertThat(a).extracting(x -> x.head().status()).containsExactly(200, 200, 204, 304, 200, 200, 404, 200);
        assertThat(a).extracting(x -> x.head().framing()).containsExactly(BodyFraming.CONTENT_LENGTH,
                BodyFraming.NONE, BodyFraming.NONE, BodyFraming.NONE, BodyFraming.CHUNKED, BodyFraming.NONE,
                BodyFraming.CONTENT_LENGTH, BodyFraming.CONTENT_LENGTH);
        assertThat(new String(a.get(0).body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(a.get(1).head().contentLength()).as("HEAD: Content-Length describes, no body").isEqualTo(-1);
        assertThat(a.get(4).head().get("Content-Encoding")).isEqualTo("gzip");
        assertThat(new String(a.get(4).body(), StandardCharsets.ISO_8859_1)).endsWith("0\r\n\r\n");
        assertThat(a.get(7).body()).hasSize(17 * 200);
        assertThat(a.subList(0, 7)).allMatch(x -> x.head().isKeepAlive());
        assertThat(a.get(7).head().isKeepAlive()).isFalse();
    }
}
