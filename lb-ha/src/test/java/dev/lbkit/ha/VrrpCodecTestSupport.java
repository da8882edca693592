package dev.lbkit.ha;

final class VrrpCodecTestSupport {
    private VrrpCodecTestSupport() {}

    /** The folded 16-bit one's complement sum of an IPv4 header with its checksum field taken as 0. */
    static int ipHeaderSum(byte[] packet) {
        int s = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i == 10) {
                continue;
            }
            s += (packet[i] & 0xff) << 8 | (packet[i + 1] & 0xff);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }
}
