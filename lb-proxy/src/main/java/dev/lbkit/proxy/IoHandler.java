package dev.lbkit.proxy;

import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * What a {@link SelectionKey} of an {@link IoLoop} is attached to: a listener, a TCP relay, and later the HTTP
 * and TLS pipelines. Called on the loop's thread only, so implementations are confined to it and take no lock.
 */
interface IoHandler {

    /** The key is ready ({@link SelectionKey#readyOps()}); must not block. */
    void onReady(SelectionKey key) throws IOException;

    /** {@link #onReady} threw: release everything; must not throw. */
    void onFailure(Throwable error);
}
