package dev.lbkit.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literal parsing and formatting; never looks a name up. */
final class Addresses {
    /**
     * What may reach {@link InetAddress#getByName}: the JDK treats text as a literal only when it starts with a
     * hex digit or ':', and looks anything else up as a host name. An optional zone ({@code %eth0}) is resolved
     * against the local interfaces, never by DNS.
     */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*(%[0-9A-Za-z._-]+)?");

    private Addresses() {}

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (without brackets).
     *
     * @throws IllegalArgumentException when the text is not an IP literal
     */
    static InetAddress parseLiteral(String text) {
        Validation.check(text != null && !text.isEmpty(), "address is empty");
        try {
            if (text.indexOf(':') >= 0) {
                Validation.check(IPV6_LITERAL.matcher(text).matches(), "'%s' is not an IP address", text);
                return InetAddress.getByName(text);
            }
            String[] parts = text.split("\\.", -1);
            Validation.check(parts.length == 4, "'%s' is not an IP address", text);
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                String part = parts[i];
                // ASCII digits only, and no leading zero: inet_aton would read "010" as octal.
                Validation.check(!part.isEmpty() && part.length() <= 3
                        && part.chars().allMatch(c -> c >= '0' && c <= '9')
                        && (part.length() == 1 || part.charAt(0) != '0'),
                        "'%s' is not an IP address (dotted decimal, no leading zeros)", text);
                int v = Integer.parseInt(part);
                Validation.check(v <= 255, "'%s' is not an IP address", text);
                bytes[i] = (byte) v;
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
        }
    }

    /** {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. */
    static String format(InetAddress address, int port) {
        return format(address) + ":" + port;
    }

    /** {@code 10.0.0.1} or {@code [2001:db8::1]}. */
    static String format(InetAddress address) {
        return address instanceof Inet6Address ? "[" + compressIpv6(address.getAddress()) + "]"
                : address.getHostAddress();
    }

    /** {@code 10.0.0.1} or {@code 2001:db8::1} (RFC 5952, no brackets). */
    static String text(InetAddress address) {
        return address instanceof Inet6Address ? compressIpv6(address.getAddress()) : address.getHostAddress();
    }

    /**
     * The RFC 5952 text form of a 16-byte IPv6 address: lower-case hex without leading zeros, the longest run of two
     * or more zero groups (the first one on a tie) written as {@code ::}. The JDK's own form never compresses.
     */
    static String compressIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
