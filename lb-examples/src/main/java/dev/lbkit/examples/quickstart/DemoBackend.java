package dev.lbkit.examples.quickstart;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A tiny HTTP server on loopback that says which backend answered: the quickstart's real servers. */
final class DemoBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;

    DemoBackend(String name, int port) throws IOException {
        this.name = name;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new IOException("demo backend '" + name + "': cannot listen on 127.0.0.1:" + port + ": "
                    + e.getMessage(), e);
        }
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-" + name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body = ("Hello from " + name + " (127.0.0.1:" + port() + ") — you asked for "
                    + exchange.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("X-Backend", name);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
