package dev.lbkit.proxy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on 127.0.0.1 for the HTTP proxy's tests: the JDK's {@code com.sun.net.httpserver}
 * (keep-alive, chunked, 100-continue), with handlers that say which backend answered and what arrived:
 * <ul>
 *   <li>{@code /echo...}: the request body back, chunked;</li>
 *   <li>{@code /headers}: the request's header fields, one {@code name: value} per line, lower-case names;</li>
 *   <li>{@code /login}: sets {@code JSESSIONID=<name>-<n>} (and, with {@code ?cookie=NAME}, {@code NAME=app<n>});</li>
 *   <li>{@code /slow}: answers after 3 s;</li>
 *   <li>anything else: {@code <name> <path>}.</li>
 * </ul>
 * Every response carries {@code X-Backend: <name>}. It counts requests and the distinct client connections
 * (remote ports) it saw.
 */
final class HttpBackend implements AutoCloseable {
    final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "http-backend");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger requests = new AtomicInteger();
    final Set<Integer> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessions = new AtomicInteger();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

    HttpBackend(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Loopback.HOST), 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        connections.add(x.getRemoteAddress().getPort());
        String path = x.getRequestURI().getRawPath();
        Headers in = x.getRequestHeaders();
        lastHeaders.clear();
        in.forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), String.join(", ", v)));
        Headers out = x.getResponseHeaders();
        out.set("X-Backend", name);
        byte[] body;
        try (InputStream req = x.getRequestBody()) {
            if (path.startsWith("/echo")) {
                byte[] data = req.readAllBytes();
                x.sendResponseHeaders(200, 0); // chunked
                try (OutputStream o = x.getResponseBody()) {
                    int half = data.length / 2;
                    o.write(data, 0, half);
                    o.flush();
                    o.write(data, half, data.length - half);
                }
                return;
            }
            req.readAllBytes();
            if (path.equals("/headers")) {
                StringBuilder s = new StringBuilder();
                in.forEach((k, v) -> v.forEach(val -> s.append(k.toLowerCase(java.util.Locale.ROOT)).append(": ")
                        .append(val).append('\n')));
                body = s.toString().getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/login")) {
                int n = sessions.incrementAndGet();
                out.add("Set-Cookie", "JSESSIONID=" + name + "-" + n + "; Path=/");
                String q = x.getRequestURI().getRawQuery();
                if (q != null && q.startsWith("cookie=")) {
                    out.add("Set-Cookie", q.substring(7) + "=app" + n + "; Path=/; HttpOnly");
                }
                body = (name + " " + path).getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/slow")) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = (name + " slow").getBytes(StandardCharsets.UTF_8);
            } else {
                body = (name + " " + path).getBytes(StandardCharsets.UTF_8);
            }
        }
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(200, -1);
            x.close();
            return;
        }
        x.sendResponseHeaders(200, body.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(body);
        }
    }

    /** The Cookie header the last request carried, or null. */
    String lastCookie() {
        return lastHeaders.get("cookie");
    }

    static List<String> lines(String s) {
        return List.of(s.split("\n"));
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
