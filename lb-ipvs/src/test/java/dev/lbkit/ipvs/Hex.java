package dev.lbkit.ipvs;

import java.util.HexFormat;

final class Hex {
    private Hex() {}

    static String golden(String spacedHex) {
        return HexFormat.ofDelimiter(" ").formatHex(HexFormat.of().parseHex(spacedHex.replaceAll("[\\s|]", "")));
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
