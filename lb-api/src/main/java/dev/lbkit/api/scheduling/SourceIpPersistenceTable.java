package dev.lbkit.api.scheduling;

import dev.lbkit.api.IpFamily;
import dev.lbkit.api.SourceIpPersistence;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Source-IP persistence (IPVS {@code -p timeout -M netmask}): which server a client network was last sent to,
 * so that its next connection goes there too until {@link SourceIpPersistence#timeout()} has passed since the
 * last one was {@linkplain #record recorded}.
 *
 * <p>Clients are masked to the policy's prefix length for their family: at {@code /24}, {@code 10.1.2.3} and
 * {@code 10.1.2.200} share an entry. The table holds at most {@code maxSize} entries; recording a new network
 * in a full table evicts the entry recorded longest ago (the first to expire, and already expired if any is).
 *
 * <p>Time is never read here: every method that needs it takes {@code nowNanos}, a {@link System#nanoTime()}
 * value (only differences between such values mean anything). An entry recorded at {@code t} is live while
 * {@code nowNanos - t < timeout}.
 *
 * <p>Thread-safe: every method holds one lock for a constant time, except {@link #removeServer} (a pass over the
 * table) and {@link #expire} (a pass over the expired entries). Arguments are never null
 * ({@link NullPointerException} otherwise).
 *
 * @param <K> how the caller names a server (a {@code RealServer}, a label); compared with {@code equals}
 */
public final class SourceIpPersistenceTable<K> {
    private final SourceIpPersistence policy;
    private final long timeoutNanos;
    private final int maxSize;
    /** In order of last record: the eldest is the first to expire. Guarded by itself. */
    private final LinkedHashMap<ClientNetwork, Entry<K>> entries = new LinkedHashMap<>();

    /** A client address masked to its prefix; IPv4 uses {@code low} only. */
    private record ClientNetwork(boolean ipv6, long high, long low) {}

    private record Entry<K>(K server, long recordedAt) {}

    /**
     * An empty table.
     *
     * @param policy  the timeout and the prefix lengths; never null
     * @param maxSize the most client networks held, 1 or more
     * @throws IllegalArgumentException when {@code maxSize} is below 1, naming it
     */
    public SourceIpPersistenceTable(SourceIpPersistence policy, int maxSize) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (maxSize < 1) {
            throw new IllegalArgumentException("persistence table maxSize must be 1 or more but was " + maxSize);
        }
        this.timeoutNanos = policy.timeout().toNanos();
        this.maxSize = maxSize;
    }

    /**
     * The server recorded for the client's network, unless its timeout has passed (an expired entry is removed
     * then). Does not refresh the entry: call {@link #record} when a connection is sent there.
     *
     * @return the server, or empty when the network has no live entry
     */
    public Optional<K> lookup(InetAddress client, long nowNanos) {
        ClientNetwork network = networkOf(client);
        synchronized (entries) {
            Entry<K> entry = entries.get(network);
            if (entry == null) {
                return Optional.empty();
            }
            if (nowNanos - entry.recordedAt() >= timeoutNanos) {
                entries.remove(network);
                return Optional.empty();
            }
            return Optional.of(entry.server());
        }
    }

    /**
     * Records that the client's network went to {@code server} at {@code nowNanos}: creates the entry, or
     * replaces it and restarts its timeout. In a full table a new network evicts the entry recorded longest ago.
     */
    public void record(InetAddress client, K server, long nowNanos) {
        ClientNetwork network = networkOf(client);
        Objects.requireNonNull(server, "server");
        synchronized (entries) {
            // Remove first so that the entry moves to the young end of the order.
            entries.remove(network);
            entries.put(network, new Entry<>(server, nowNanos));
            Iterator<Entry<K>> eldest = entries.values().iterator();
            while (entries.size() > maxSize) {
                eldest.next();
                eldest.remove();
            }
        }
    }

    /** Forgets every client network recorded for {@code server} (it left the virtual server). */
    public void removeServer(K server) {
        Objects.requireNonNull(server, "server");
        synchronized (entries) {
            entries.values().removeIf(entry -> entry.server().equals(server));
        }
    }

    /** Entries held, 0..maxSize; expired entries count until {@link #expire} or a lookup removes them. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Removes the entries whose timeout has passed at {@code nowNanos}, oldest first. */
    public void expire(long nowNanos) {
        synchronized (entries) {
            Iterator<Map.Entry<ClientNetwork, Entry<K>>> eldest = entries.entrySet().iterator();
            while (eldest.hasNext()) {
                if (nowNanos - eldest.next().getValue().recordedAt() < timeoutNanos) {
                    return;
                }
                eldest.remove();
            }
        }
    }

    @Override
    public String toString() {
        return "SourceIpPersistenceTable{" + policy + ", max " + maxSize + ", " + size() + " entries}";
    }

    private ClientNetwork networkOf(InetAddress client) {
        Objects.requireNonNull(client, "client");
        int prefix = policy.prefixLength(IpFamily.of(client));
        if (client instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address itself (see Hashing.address); no copy needed.
            int mask = -1 << (32 - prefix);
            return new ClientNetwork(false, 0, (client.hashCode() & mask) & 0xFFFF_FFFFL);
        }
        byte[] b = client.getAddress();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (b[i] & 0xFF);
            low = low << 8 | (b[i + 8] & 0xFF);
        }
        if (prefix >= 64) {
            low &= mask64(prefix - 64);
        } else {
            high &= mask64(prefix);
            low = 0;
        }
        return new ClientNetwork(true, high, low);
    }

    private static long mask64(int bits) {
        return bits == 0 ? 0 : -1L << (64 - bits);
    }
}
