package dev.lbkit.health;

import java.nio.ByteBuffer;

/**
 * The application side of a TCP check (HTTP, send/expect, agent, plain connect): what to send once connected,
 * and what the bytes received so far mean. Confined to the loop; it talks back through its {@link TcpAttempt}.
 */
abstract class Conversation {
    /** The most a conversation keeps of what it received: 64 KiB. */
    static final int MAX_RECEIVED = 64 * 1024;

    TcpAttempt attempt;

    /**
     * Whether the client speaks first (so the handshake's last ACK may wait for those bytes). A conversation
     * where the server speaks first, or a plain connect, says no: its server must see the connection at once.
     */
    boolean clientSpeaksFirst() {
        return false;
    }

    /** Connected (and TLS established): send the first bytes, or decide. */
    abstract void onConnected();

    /**
     * More bytes arrived. {@code received} holds everything received and not yet consumed, in read mode; the
     * conversation may consume from it (advance its position). {@code eof} is true once the server closed.
     * Must decide (succeed or fail) at the latest when {@code eof} is true or the buffer holds
     * {@link #MAX_RECEIVED} bytes.
     */
    abstract void onData(ByteBuffer received, boolean eof);

    /** What the conversation waits for, for the timeout reason, e.g. {@code waiting for the response}. */
    abstract String phase();

    /** Up to 40 characters of what was received, printable, for a reason. */
    static String snippet(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        for (int i = b.position(); i < b.limit() && sb.length() < 40; i++) {
            int c = b.get(i) & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : c == '\r' ? "\\r" : c == '\n' ? "\\n" : ".");
        }
        return sb.toString();
    }

    static String latin1(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
