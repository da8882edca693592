package dev.lbkit.proxy.proxyprotocol;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The networks a listener accepts PROXY headers from. The spec (sections 2 and 5) forbids guessing whether a
 * header is present and wants access filtered "so that only trusted proxies are allowed to use this protocol":
 * anyone else could claim any client address. Immutable and thread-safe.
 *
 * <p>Accepted forms, each an IP literal (never a host name; nothing is resolved):
 * <ul>
 *   <li>{@code 10.0.0.0/8}, {@code 127.0.0.0/8}, {@code 0.0.0.0/0}: an IPv4 network, prefix 0..32;</li>
 *   <li>{@code 2001:db8::/32}, {@code ::1/128}, {@code ::/0}: an IPv6 network, prefix 0..128;</li>
 *   <li>{@code 192.0.2.7}, {@code ::1}: one host (/32 or /128).</li>
 * </ul>
 * A network whose address has bits set past its prefix ({@code 10.0.0.1/8}) is refused: it is usually a typo
 * for a host, and silently widening it would trust more than was written.
 *
 * <p>IPv4 and IPv6 meet in the IPv4-mapped range: {@code 10.0.0.0/8} also holds {@code ::ffff:10.1.2.3} (as a
 * dual-stack socket may report an IPv4 peer), and {@code ::/0} holds every IPv4 address too.
 */
public final class TrustedSources {
    private static final TrustedSources NONE = new TrustedSources(List.of());
    private static final TrustedSources ALL = of("0.0.0.0/0", "::/0");

    private final List<Network> networks;

    private TrustedSources(List<Network> networks) {
        this.networks = networks;
    }

    /** Trusts nobody: every PROXY header is refused. */
    public static TrustedSources none() {
        return NONE;
    }

    /** Trusts every address, IPv4 and IPv6. Only for listeners that nothing untrusted can reach. */
    public static TrustedSources all() {
        return ALL;
    }

    /**
     * The given networks.
     *
     * @throws IllegalArgumentException naming the value, when one is not a network or host of the forms above
     */
    public static TrustedSources of(String... networks) {
        return of(List.of(networks));
    }

    /** The given networks; see {@link #of(String...)}. */
    public static TrustedSources of(Collection<String> networks) {
        List<Network> parsed = new ArrayList<>(networks.size());
        for (String text : networks) {
            parsed.add(Network.parse(Objects.requireNonNull(text, "network")));
        }
        return new TrustedSources(List.copyOf(parsed));
    }

    /**
     * Networks from one configuration value separated by commas and/or white space, e.g.
     * {@code "10.0.0.0/8, 192.168.0.0/16 ::1/128"}; an empty or blank value is {@link #none()}.
     *
     * @throws IllegalArgumentException naming the value, as {@link #of(String...)}
     */
    public static TrustedSources parse(String list) {
        String trimmed = list.trim();
        return trimmed.isEmpty() ? NONE : of(List.of(trimmed.split("[,\\s]+")));
    }

    /** True when {@code address} lies in one of the networks. */
    public boolean contains(InetAddress address) {
        byte[] bytes = IpLiterals.toIpv6Bytes(Objects.requireNonNull(address, "address"));
        long high = word(bytes, 0);
        long low = word(bytes, 8);
        for (Network network : networks) {
            if (network.contains(high, low)) {
                return true;
            }
        }
        return false;
    }

    /** True when nothing is trusted. */
    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** The networks in canonical form, e.g. {@code [10.0.0.0/8, ::1/128]}, in the order given. */
    public List<String> networks() {
        List<String> out = new ArrayList<>(networks.size());
        for (Network network : networks) {
            out.add(network.text);
        }
        return List.copyOf(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedSources && ((TrustedSources) o).networks().equals(networks());
    }

    @Override
    public int hashCode() {
        return networks().hashCode();
    }

    @Override
    public String toString() {
        return "TrustedSources" + networks();
    }

    private static long word(byte[] bytes, int from) {
        long w = 0;
        for (int i = from; i < from + 8; i++) {
            w = (w << 8) | (bytes[i] & 0xff);
        }
        return w;
    }

    /** One network, kept as a 128-bit prefix in the IPv6 space (IPv4 ones IPv4-mapped). */
    private static final class Network {
        final long high;
        final long low;
        final long highMask;
        final long lowMask;
        final String text;

        private Network(byte[] address, int bits, String text) {
            this.highMask = mask(bits);
            this.lowMask = mask(bits - 64);
            this.high = word(address, 0);
            this.low = word(address, 8);
            this.text = text;
        }

        static Network parse(String value) {
            String text = value.trim();
            int slash = text.indexOf('/');
            String literal = slash < 0 ? text : text.substring(0, slash);
            boolean v6 = literal.indexOf(':') >= 0;
            byte[] address = v6 ? IpLiterals.parseIpv6(literal) : IpLiterals.parseIpv4(literal);
            if (address == null) {
                throw new IllegalArgumentException("trusted source '" + value + "': '" + literal + "' is not an "
                        + (v6 ? "IPv6 literal" : "IPv4 dotted quad") + " (host names are not accepted)");
            }
            int maxBits = v6 ? 128 : 32;
            int bits = maxBits;
            if (slash >= 0) {
                String prefix = text.substring(slash + 1);
                if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(prefix) > maxBits) {
                    throw new IllegalArgumentException("trusted source '" + value + "': prefix length must be 0.."
                            + maxBits + " but was '" + prefix + "'");
                }
                bits = Integer.parseInt(prefix);
            }
            byte[] mapped = v6 ? address : IpLiterals.toIpv6Bytes(IpLiterals.fromBytes(address));
            Network network = new Network(mapped, v6 ? bits : bits + 96,
                    (v6 ? IpLiterals.formatIpv6(address) : IpLiterals.formatIpv4(address)) + "/" + bits);
            if ((network.high & ~network.highMask) != 0 || (network.low & ~network.lowMask) != 0) {
                throw new IllegalArgumentException("trusted source '" + value + "': the address has bits set past the "
                        + "/" + bits + " prefix; write the network address, or /" + maxBits + " for one host");
            }
            return network;
        }

        boolean contains(long addressHigh, long addressLow) {
            return (addressHigh & highMask) == high && (addressLow & lowMask) == low;
        }

        /** A mask of the first {@code bits} bits of a 64-bit word (0 for bits <= 0, all for bits >= 64). */
        private static long mask(int bits) {
            if (bits <= 0) {
                return 0;
            }
            return bits >= 64 ? -1L : -1L << (64 - bits);
        }
    }
}
