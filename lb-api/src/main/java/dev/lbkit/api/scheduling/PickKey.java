package dev.lbkit.api.scheduling;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the hashing schedulers hash: a connection's source and destination addresses, or an arbitrary client
 * key when an application balances its own requests (client-side balancing).
 *
 * <p>Which half is used:
 * <table>
 *   <caption>the part of the key each scheduler hashes</caption>
 *   <tr><th>scheduler</th><th>hashes</th></tr>
 *   <tr><td>{@code SH}, {@code MH}</td><td>the source, or the arbitrary key</td></tr>
 *   <tr><td>{@code DH}, {@code LBLC}, {@code LBLCR}</td><td>the destination, or the arbitrary key</td></tr>
 *   <tr><td>every other scheduler</td><td>nothing: the key is ignored</td></tr>
 * </table>
 * A missing half ({@link #none()}, or the destination of {@link #of(InetAddress)}) hashes to one fixed value,
 * so every such key maps to the same server.
 *
 * <p>The hashes are computed once, here, with fixed seeds: the same input gives the same key in every JVM, so
 * pickers built from the same server list in different processes agree. A key keeps only its two 64-bit
 * hashes, never its input; two different inputs whose hashes collide (probability 2<sup>-64</sup> for a pair)
 * are the same key to every picker.
 *
 * <p>Immutable and thread-safe. Creating a key allocates only the key, except for an IPv6 address, whose bytes
 * the JDK can only hand out as a 16-byte copy. Every factory rejects {@code null} with a
 * {@link NullPointerException}.
 */
public final class PickKey {
    private static final long MISSING = Hashing.fmix64(0x6A09E667F3BCC908L);
    private static final PickKey NONE = new PickKey(MISSING, MISSING);

    private final long sourceHash;
    private final long destinationHash;

    private PickKey(long sourceHash, long destinationHash) {
        this.sourceHash = sourceHash;
        this.destinationHash = destinationHash;
    }

    /** The key with neither source nor destination: for schedulers that ignore the key; shared, never null. */
    public static PickKey none() {
        return NONE;
    }

    /** A connection from {@code source}; the destination is missing (a proxy listening on one VIP). */
    public static PickKey of(InetAddress source) {
        Objects.requireNonNull(source, "source");
        return new PickKey(Hashing.address(source), MISSING);
    }

    /** A connection from {@code source} to {@code destination} (the address the client connected to). */
    public static PickKey of(InetAddress source, InetAddress destination) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        return new PickKey(Hashing.address(source), Hashing.address(destination));
    }

    /**
     * An arbitrary client key (a user id, a cache key, a shard name), used as both source and destination. The
     * array is read here and not kept; equal contents give equal keys.
     */
    public static PickKey of(byte[] key) {
        Objects.requireNonNull(key, "key");
        long h = Hashing.bytes(key, Hashing.BYTES_SEED);
        return new PickKey(h, h);
    }

    /**
     * An arbitrary client key given as text, used as both source and destination. The UTF-16 characters are
     * hashed as they are, without encoding, so {@code of("k")} is not {@code of("k".getBytes(UTF_8))}; equal
     * strings give equal keys.
     */
    public static PickKey of(String key) {
        Objects.requireNonNull(key, "key");
        long h = Hashing.chars(key, Hashing.CHARS_SEED);
        return new PickKey(h, h);
    }

    long sourceHash() {
        return sourceHash;
    }

    long destinationHash() {
        return destinationHash;
    }

    /** The two hashes in hex, for logs; the input is not kept and so not shown. */
    @Override
    public String toString() {
        if (this == NONE) {
            return "PickKey{none}";
        }
        return "PickKey{source=" + Long.toHexString(sourceHash) + ", destination="
                + (destinationHash == MISSING ? "none" : Long.toHexString(destinationHash)) + '}';
    }
}
