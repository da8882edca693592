package dev.lbkit.examples.appliance;

import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;

/**
 * Start-up work done on a second core while the main thread reads the configuration: the JDK's default trust
 * store (which the health checker's HTTPS client loads when it is built) and JNR-FFI's native platform (which
 * its event loop loads). Both sit on the path to the first request; doing them early in parallel shortens
 * it. Failures are ignored: the real users report them.
 */
final class Warmup {
    private Warmup() {}

    static void start() {
        Thread t = new Thread(() -> {
            try {
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
            } catch (Exception | LinkageError e) {
                // the health checker reports it when it needs TLS
            }
            try {
                jnr.ffi.Platform.getNativePlatform();
            } catch (Exception | LinkageError e) {
                // the health checker reports it
            }
        }, "lbkit-warmup");
        t.setDaemon(true);
        t.start();
    }
}
