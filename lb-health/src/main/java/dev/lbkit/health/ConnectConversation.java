package dev.lbkit.health;

import java.nio.ByteBuffer;

/** A connect check: up as soon as the connection (and, for TLS, the handshake) completes. */
final class ConnectConversation extends Conversation {
    @Override
    void onConnected() {
        attempt.succeed("connected");
    }

    @Override
    void onData(ByteBuffer received, boolean eof) {
        // decided at connect
    }

    @Override
    String phase() {
        return "connecting";
    }
}
