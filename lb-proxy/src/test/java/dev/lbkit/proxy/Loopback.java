package dev.lbkit.proxy;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Helpers for tests on 127.0.0.1: free ports, configurations, blocking clients, waiting with a bound. */
final class Loopback {
    static final String HOST = "127.0.0.1";

    private Loopback() {}

    /** A port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RealServer realServer(String label, FakeBackend backend) {
        return RealServer.builder(label).address(HOST).port(backend.port()).build();
    }

    static RealServer realServer(String label, int port) {
        return RealServer.builder(label).address(HOST).port(port).build();
    }

    /** A PROXY virtual server on 127.0.0.1:{@code port}. */
    static VirtualServer.Builder vip(String label, int port) {
        return VirtualServer.builder(label).address(HOST).port(port).forwardingMethod(ForwardingMethod.PROXY);
    }

    /** Applies the difference from {@code before} to {@code after}; returns {@code after}. */
    static Configuration apply(ProxyDataplane d, Configuration before, Configuration after) {
        d.apply(ConfigurationDiff.between(before, after));
        return after;
    }

    static Configuration config(VirtualServer... vs) {
        Configuration.Builder b = Configuration.builder();
        for (VirtualServer v : vs) {
            b.add(v);
        }
        return b.build();
    }

    /** A blocking client connected to the VIP with a read timeout of 10 s. */
    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(HOST, port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads one line (up to '\n', which is dropped); null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Connects, asks for the backend's name, and returns it (the connection is closed); null when the proxy
     * closed or reset the connection instead (a refused client: closing with unread bytes sends a reset).
     */
    static String whoServes(int port) throws IOException {
        try (Socket s = connect(port)) {
            try {
                writeLine(s.getOutputStream(), "name");
            } catch (java.net.SocketException reset) {
                return null; // refused before we could even ask
            }
            return readLineOrNullOnReset(s);
        }
    }

    /** {@link #readLine} that takes a reset for the end of the stream. */
    static String readLineOrNullOnReset(Socket s) throws IOException {
        try {
            return readLine(s.getInputStream());
        } catch (java.net.SocketException reset) {
            if (String.valueOf(reset.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("reset")) {
                return null;
            }
            throw reset;
        }
    }

    /** Waits up to 10 s for {@code condition}; fails naming {@code what} otherwise. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after 10 s waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
