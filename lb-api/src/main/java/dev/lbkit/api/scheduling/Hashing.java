package dev.lbkit.api.scheduling;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

/**
 * The 64-bit hashes behind {@link PickKey} and Maglev's server permutations: a murmur3-style block mix
 * finished with murmur3's {@code fmix64}. Fixed seeds, so a key hashes alike in every JVM and on every run:
 * two proxies built from the same server list send a client to the same server.
 *
 * <p>Not a cryptographic hash: a client who can choose many source addresses can aim them at one bucket,
 * as it can with IPVS's own hashes.
 */
final class Hashing {
    static final long IPV4_SEED = 0x9E3779B97F4A7C15L;
    static final long IPV6_SEED = 0xC2B2AE3D27D4EB4FL;
    static final long BYTES_SEED = 0x165667B19E3779F9L;
    static final long CHARS_SEED = 0x27D4EB2F165667C5L;
    /** Maglev's two permutation hashes of a server identity (offset and skip) use these. */
    static final long OFFSET_SEED = 0x2545F4914F6CDD1DL;
    static final long SKIP_SEED = 0x5851F42D4C957F2DL;

    private static final long C1 = 0x87C37B91114253D5L;
    private static final long C2 = 0x4CF5AD432745937FL;
    private static final VarHandle LONGS_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Hashing() {}

    /** murmur3's 64-bit finalizer: a bijection whose every output bit depends on every input bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }

    /**
     * Hashes an address. For IPv4 this allocates nothing: {@link Inet4Address#hashCode()} is the address itself
     * in every JDK since 1.0 (a test pins it). IPv6 has no allocation-free view of its bytes, so it costs one
     * 16-byte copy.
     */
    static long address(InetAddress address) {
        if (address instanceof Inet4Address) {
            return ipv4(address.hashCode());
        }
        return bytes(address.getAddress(), IPV6_SEED);
    }

    /** Hashes an IPv4 address given as a big-endian int ({@code 10.0.0.1} is {@code 0x0A000001}). */
    static long ipv4(int address) {
        return fmix64((address & 0xFFFF_FFFFL) ^ IPV4_SEED);
    }

    /** Hashes bytes, 8 at a time. */
    static long bytes(byte[] b, long seed) {
        long h = seed ^ (b.length * C1);
        int i = 0;
        for (; i + Long.BYTES <= b.length; i += Long.BYTES) {
            h = round(h, (long) LONGS_LE.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        return fmix64(round(h, tail) ^ b.length);
    }

    /** Hashes a string's UTF-16 code units, 4 at a time, without encoding it first. */
    static long chars(CharSequence s, long seed) {
        int length = s.length();
        long h = seed ^ (length * C1);
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            long block = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            h = round(h, block);
        }
        long tail = 0;
        for (int shift = 0; i < length; i++, shift += 16) {
            tail |= (long) s.charAt(i) << shift;
        }
        return fmix64(round(h, tail) ^ length);
    }

    private static long round(long h, long block) {
        long k = Long.rotateLeft(block * C1, 31) * C2;
        return Long.rotateLeft(h ^ k, 27) * 5 + 0x52DCE729;
    }
}
