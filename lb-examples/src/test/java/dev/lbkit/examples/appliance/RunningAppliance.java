package dev.lbkit.examples.appliance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An appliance started in this JVM from a YAML text in a temporary directory, with its API client. */
final class RunningAppliance implements AutoCloseable {
    static final String PASSWORD = "correct horse battery";

    final Path dir;
    final Path file;
    final Appliance appliance;
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final ApiClient client;

    RunningAppliance(Path dir, String yaml) throws Exception {
        this.dir = dir;
        this.file = dir.resolve("lbkit.yaml");
        Files.writeString(file, yaml);
        appliance = new Appliance(file, ConfigFiles.load(file), new PrintStream(output, true, StandardCharsets.UTF_8));
        client = new ApiClient(appliance.adminAddress().orElseThrow(), appliance.stateDirectory());
    }

    String setupToken() {
        Matcher m = Pattern.compile("(setup-[A-Za-z0-9_-]+)").matcher(output.toString(StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("no setup token printed: " + output);
        }
        return m.group(1);
    }

    /** Sets the admin password through the setup token and switches the client to it. */
    ApiClient admin() throws Exception {
        client.bearer(setupToken());
        var r = client.send("POST", "/api/v1/setup", "{\"password\": \"" + PASSWORD + "\"}");
        if (r.statusCode() != 204) {
            throw new AssertionError("setup failed: " + r.statusCode() + " " + r.body());
        }
        return client.basic("admin", PASSWORD);
    }

    /** A port free on 127.0.0.1 now (for a VIP: the proxy needs a real port). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The port a proxy VIP really listens on. */
    int vipPort(String label) {
        return appliance.proxy().localAddress(label).orElseThrow().getPort();
    }

    /** One HTTP/1.0 request through a VIP; returns the body (the backend's name). */
    static String fetch(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200")) {
                throw new IOException("unexpected response: " + response);
            }
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @Override
    public void close() {
        appliance.close();
    }
}
