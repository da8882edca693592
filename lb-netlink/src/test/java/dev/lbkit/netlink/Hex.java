package dev.lbkit.netlink;

import java.util.HexFormat;

/** Golden bytes written as spaced hex, as in the kernel headers' diagrams. */
final class Hex {
    private Hex() {}

    static byte[] bytes(String spacedHex) {
        return HexFormat.of().parseHex(spacedHex.replaceAll("[\\s|]", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
