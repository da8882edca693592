package dev.lbkit.examples.appliance;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP through {@code sun.misc.Signal} (module jdk.unsupported), handled on its own thread. */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    @SuppressWarnings("restriction")
    static void onHangUp(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                Thread t = new Thread(action, "lbkit-reload");
                t.setDaemon(true);
                t.start();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.warn("SIGHUP cannot be handled here ({}); reload through POST /api/v1/reload", e.toString());
        }
    }
}
