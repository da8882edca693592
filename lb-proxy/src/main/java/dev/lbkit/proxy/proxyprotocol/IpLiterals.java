package dev.lbkit.proxy.proxyprotocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals parsed and printed by hand, so that no text ever reaches a resolver: the JDK's
 * {@code InetAddress.getByName} looks up anything that is not a literal, and this package must never do DNS.
 */
final class IpLiterals {
    /** The longest IPv6 literal this class parses: eight groups, or six groups and a dotted quad (45). */
    static final int MAX_IPV6_LITERAL_LENGTH = 45;

    private IpLiterals() {}

    /**
     * Parses a dotted quad as the PROXY protocol wants it: exactly four decimal numbers 0..255, one dot between
     * them, no leading zeros ("0" itself is fine), nothing else.
     *
     * @return the four address bytes, or null when the text is not such a dotted quad
     */
    static byte[] parseIpv4(CharSequence text) {
        return parseIpv4(text, 0, text.length());
    }

    private static byte[] parseIpv4(CharSequence text, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int i = from;
        while (true) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 4 && isDigit(text.charAt(i))) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (part == 4) {
                return i == to ? out : null;
            }
            if (i >= to || text.charAt(i) != '.') {
                return null;
            }
            i++;
        }
    }

    /**
     * Parses an IPv6 literal in any form {@code inet_pton(AF_INET6)} accepts: groups of one to four hex digits
     * (either case), at most one {@code ::}, and an optional dotted quad as the last 32 bits. Zone ids
     * ({@code %eth0}) and brackets are refused.
     *
     * @return the sixteen address bytes, or null when the text is not an IPv6 literal
     */
    static byte[] parseIpv6(CharSequence text) {
        int length = text.length();
        if (length < 2 || length > MAX_IPV6_LITERAL_LENGTH) {
            return null;
        }
        String s = text.toString();
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int headCount;
        int tailCount;
        if (gap < 0) {
            headCount = parseGroups(s, 0, length, head, true);
            tailCount = 0;
            if (headCount != 8) {
                return null;
            }
        } else {
            headCount = gap == 0 ? 0 : parseGroups(s, 0, gap, head, false);
            tailCount = gap + 2 == length ? 0 : parseGroups(s, gap + 2, length, tail, true);
            if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
                return null;
            }
        }
        byte[] out = new byte[16];
        for (int g = 0; g < headCount; g++) {
            putGroup(out, g, head[g]);
        }
        for (int g = 0; g < tailCount; g++) {
            putGroup(out, 8 - tailCount + g, tail[g]);
        }
        return out;
    }

    /**
     * Parses colon-separated groups in {@code [from, to)} into {@code groups}; a dotted quad may end the run
     * when {@code allowDottedTail} and counts as two groups.
     *
     * @return the number of groups, or -1 when the run is malformed
     */
    private static int parseGroups(String s, int from, int to, int[] groups, boolean allowDottedTail) {
        int count = 0;
        int i = from;
        while (true) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 5 && hexValue(s.charAt(i)) >= 0) {
                value = (value << 4) | hexValue(s.charAt(i));
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                if (!allowDottedTail || count > 6) {
                    return -1;
                }
                byte[] v4 = parseIpv4(s, start, to);
                if (v4 == null) {
                    return -1;
                }
                groups[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                groups[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                return count;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4 || count == 8) {
                return -1;
            }
            groups[count++] = value;
            if (i == to) {
                return count;
            }
            if (s.charAt(i) != ':') {
                return -1;
            }
            i++;
            if (i == to) {
                return -1; // a single trailing colon
            }
        }
    }

    private static void putGroup(byte[] out, int group, int value) {
        out[2 * group] = (byte) (value >>> 8);
        out[2 * group + 1] = (byte) value;
    }

    /** A dotted quad, e.g. {@code 192.168.0.1}. */
    static String formatIpv4(byte[] address) {
        return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
    }

    /**
     * The RFC 5952 text of an IPv6 address: lower-case hex, no leading zeros, the longest run of two or more
     * zero groups (the first one on a tie) written as {@code ::}, and no dotted quad, so that the result is
     * exactly the "hex groups and one double colon" form the PROXY protocol describes.
     */
    static String formatIpv6(byte[] address) {
        int[] groups = new int[8];
        for (int g = 0; g < 8; g++) {
            groups[g] = ((address[2 * g] & 0xff) << 8) | (address[2 * g + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                sb.append("::");
                g += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[g]));
        }
        return sb.toString();
    }

    /** The literal of an address in the form this package prints: dotted quad or RFC 5952. */
    static String format(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? formatIpv4(bytes) : formatIpv6(bytes);
    }

    /**
     * An address from its bytes, without host name or scope; sixteen bytes always give an {@link Inet6Address},
     * even for an IPv4-mapped address (which {@link InetAddress#getByAddress(byte[])} would turn into IPv4).
     */
    static InetAddress fromBytes(byte[] bytes) {
        try {
            if (bytes.length == 16) {
                return Inet6Address.getByAddress(null, bytes, -1);
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    /** The sixteen-byte IPv4-mapped form ({@code ::ffff:a.b.c.d}) of an IPv4 address; IPv6 addresses pass as is. */
    static byte[] toIpv6Bytes(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (!(address instanceof Inet4Address)) {
            return bytes;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
