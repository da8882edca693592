package dev.lbkit.proxy;

import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Client-side helpers for the HTTP proxy's tests: curl, the JDK HttpClient, raw responses. */
final class Http {
    private Http() {}

    /** An HTTP virtual server on 127.0.0.1:{@code port}. */
    static VirtualServer.Builder vip(String label, int port) {
        return VirtualServer.builder(label).address(Loopback.HOST).port(port).forwardingMethod(ForwardingMethod.HTTP);
    }

    static RealServer server(String label, HttpBackend b) {
        return RealServer.builder(label).address(Loopback.HOST).port(b.port()).build();
    }

    /** A JDK client that keeps connections (HTTP/1.1 only). */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpResponse<String> get(HttpClient c, int port, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What curl printed and its exit status. */
    record Curl(int exit, String out, String err) {
        /** The status of the last response in {@code -i} output. */
        int status() {
            int at = out.lastIndexOf("HTTP/1.1 ");
            return at < 0 ? -1 : Integer.parseInt(out.substring(at + 9, at + 12));
        }

        /** The body after the last head. */
        String body() {
            int at = out.lastIndexOf("\r\n\r\n");
            return at < 0 ? out : out.substring(at + 4);
        }

        /** Every value of a header in the last head, case-insensitive name. */
        List<String> headers(String name) {
            int start = out.lastIndexOf("HTTP/1.1 ");
            int end = out.indexOf("\r\n\r\n", start);
            List<String> out2 = new ArrayList<>();
            for (String line : out.substring(start, end < 0 ? out.length() : end).split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    out2.add(line.substring(c + 1).strip());
                }
            }
            return out2;
        }
    }

    /** Runs curl with {@code -sS -i --max-time 15} and these arguments. */
    static Curl curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "15"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not end: " + cmd);
        }
        t.join(5000);
        return new Curl(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** A response read off a raw socket. */
    record Raw(int status, Map<String, List<String>> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null ? null : v.get(0);
        }
    }

    /** Reads one response (Content-Length, chunked, or until close) from {@code in}. */
    static Raw readResponse(InputStream in) throws IOException {
        String status = Loopback.readLine(in);
        if (status == null) {
            return null;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = Loopback.readLine(in)) != null && !line.equals("\r") && !line.isEmpty()) {
            line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            int c = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, c).strip().toLowerCase(java.util.Locale.ROOT),
                    k -> new ArrayList<>()).add(line.substring(c + 1).strip());
        }
        int code = Integer.parseInt(status.substring(9, 12));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> cl = headers.get("content-length");
        List<String> te = headers.get("transfer-encoding");
        if (code / 100 == 1 || code == 204 || code == 304) {
            return new Raw(code, headers, new byte[0]);
        }
        if (te != null && te.get(te.size() - 1).equalsIgnoreCase("chunked")) {
            while (true) {
                String size = Loopback.readLine(in).strip();
                int n = Integer.parseInt(size.split(";")[0], 16);
                if (n == 0) {
                    while (!Loopback.readLine(in).strip().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(n));
                Loopback.readLine(in);
            }
        } else if (cl != null) {
            body.write(in.readNBytes(Integer.parseInt(cl.get(0))));
        } else {
            in.transferTo(body);
        }
        return new Raw(code, headers, body.toByteArray());
    }
}
