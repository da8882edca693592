package dev.lbkit.proxy.proxyprotocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test bytes written the way the spec writes them: hex with spaces, or text with CR and LF spelled out. */
final class Bytes {
    private Bytes() {}

    /** {@code hex("0d 0a 51")}: spaces, newlines and {@code |} separators are ignored. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    /** US-ASCII bytes of {@code text}. */
    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A read-mode buffer holding exactly {@code bytes}. */
    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes.clone());
    }

    /** The bytes from the buffer's position to its limit, without moving it. */
    static byte[] remaining(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
