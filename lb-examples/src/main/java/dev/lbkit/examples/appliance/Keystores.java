package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The REST API's TLS identity: the configured PKCS#12 keystore, or one generated on first start by the JDK's
 * own {@code keytool} (EC P-256, self-signed, 10 years, names localhost, 127.0.0.1, ::1 and the listen
 * address) and kept in the state directory with a random password beside it.
 */
final class Keystores {
    private Keystores() {}

    static SSLContext context(ApplianceConfig.Admin admin, Path stateDirectory) throws IOException {
        Path ks;
        char[] password;
        if (admin.keystore().isPresent()) {
            ks = admin.keystore().get();
            password = admin.keystorePassword().orElseThrow().toCharArray();
        } else {
            ks = stateDirectory.resolve("admin-tls.p12");
            Path pw = stateDirectory.resolve("admin-tls.password");
            if (!Files.exists(ks) || !Files.exists(pw)) {
                generate(ks, pw, admin.listenAddress());
            }
            password = Files.readString(pw, StandardCharsets.UTF_8).trim().toCharArray();
        }
        try (InputStream in = Files.newInputStream(ks)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the keystore " + ks + ": " + e.getMessage(), e);
        }
    }

    /** Generates a self-signed certificate with keytool. */
    static void generate(Path keystore, Path passwordFile, String listenAddress) throws IOException {
        String password = Passwords.secret("");
        Files.deleteIfExists(keystore);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String san = "dns:localhost,ip:127.0.0.1,ip:::1" + (listenAddress.equals("127.0.0.1")
                || listenAddress.equals("::1") || listenAddress.equals("0.0.0.0") || listenAddress.equals("::") ? ""
                        : ",ip:" + listenAddress);
        Path tmp = keystore.resolveSibling(keystore.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        List<String> cmd = List.of(keytool, "-genkeypair", "-alias", "lbkit-admin", "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650", "-dname", "CN=lbkit appliance",
                "-ext", "SAN=" + san, "-storetype", "PKCS12", "-keystore", tmp.toString(), "-storepass", password,
                "-keypass", password, "-noprompt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the certificate", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (exit " + p.exitValue() + "): " + output.strip());
        }
        ConfigStore.atomicWrite(passwordFile, password.getBytes(StandardCharsets.UTF_8));
        StateDirectory.ownerOnly(passwordFile);
        Files.move(tmp, keystore, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        StateDirectory.ownerOnly(keystore);
    }
}
