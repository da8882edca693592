package dev.lbkit.proxy.proxyprotocol;

import dev.lbkit.proxy.proxyprotocol.ProxyHeader.Transport;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The version 1 text line (spec section 2.1):
 * {@code "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP sport SP dport CRLF}, or {@code "PROXY UNKNOWN"} followed
 * by anything up to the CRLF.
 */
final class V1Line {
    private static final String TCP4 = "TCP4";
    private static final String TCP6 = "TCP6";
    private static final String UNKNOWN = "UNKNOWN";
    private static final int FIELDS = 5;

    private V1Line() {}

    /**
     * Parses a complete line, without its CRLF; each char is one byte of the line (ISO-8859-1), so bytes outside
     * US-ASCII show up in the checks and messages.
     */
    static ProxyHeader parse(String line) throws ProxyProtocolException {
        String rest = line.substring(ProxyProtocolDecoder.V1_SIGNATURE.length);
        if (rest.startsWith(UNKNOWN) && (rest.length() == UNKNOWN.length() || rest.charAt(UNKNOWN.length()) == ' ')) {
            return ProxyHeader.v1Unknown(); // the spec: the receiver must ignore anything before the CRLF
        }
        String[] fields = rest.split(" ", -1);
        String protocol = fields[0];
        if (!protocol.equals(TCP4) && !protocol.equals(TCP6)) {
            throw badProtocol(protocol);
        }
        for (int i = 1; i < fields.length; i++) {
            if (fields[i].isEmpty()) {
                throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 line has an empty field (two spaces "
                        + "in a row, or a space before CRLF): " + quote(line));
            }
        }
        if (fields.length != FIELDS) {
            throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 " + protocol + " line must have "
                    + "protocol, source, destination, source port and destination port separated by single spaces, "
                    + "but has " + fields.length + " fields: " + quote(line));
        }
        boolean v4 = protocol.equals(TCP4);
        InetSocketAddress source = new InetSocketAddress(
                IpLiterals.fromBytes(address(protocol, "source", fields[1], v4)), port("source", fields[3]));
        InetSocketAddress destination = new InetSocketAddress(
                IpLiterals.fromBytes(address(protocol, "destination", fields[2], v4)), port("destination", fields[4]));
        return ProxyHeader.decoded(1, ProxyHeader.Command.PROXY, v4 ? Transport.TCP4 : Transport.TCP6, source,
                destination, null, null, java.util.List.of());
    }

    private static byte[] address(String protocol, String what, String text, boolean v4)
            throws ProxyProtocolException {
        byte[] bytes = v4 ? IpLiterals.parseIpv4(text) : IpLiterals.parseIpv6(text);
        if (bytes != null) {
            return bytes;
        }
        byte[] other = v4 ? IpLiterals.parseIpv6(text) : IpLiterals.parseIpv4(text);
        if (other != null) {
            throw new ProxyProtocolException(Reason.BAD_ADDRESS, "PROXY v1 " + protocol + " line carries an "
                    + (v4 ? "IPv6" : "IPv4") + " " + what + " address " + quote(text));
        }
        throw new ProxyProtocolException(Reason.BAD_ADDRESS, "PROXY v1 " + what + " address " + quote(text)
                + " is not " + (v4 ? "a dotted quad (four decimal numbers 0..255 without leading zeros)"
                        : "an IPv6 literal"));
    }

    private static int port(String what, String text) throws ProxyProtocolException {
        boolean digits = text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (text.length() > 1 && text.charAt(0) == '0') || Integer.parseInt(text) > 0xFFFF) {
            throw new ProxyProtocolException(Reason.BAD_PORT, "PROXY v1 " + what + " port " + quote(text)
                    + " is not a decimal number 0..65535 without leading zeros");
        }
        return Integer.parseInt(text);
    }

    /**
     * Fails on the first byte of a line still without CRLF that no valid line could have at that place, so that
     * garbage is refused before 107 bytes have arrived. {@code [p, p + length)} starts with {@code "PROXY "}.
     */
    static void checkPrefix(ByteBuffer in, int p, int length) throws ProxyProtocolException {
        int start = ProxyProtocolDecoder.V1_SIGNATURE.length;
        int end = start;
        while (end < length && in.get(p + end) != ' ' && in.get(p + end) != '\r') {
            end++;
        }
        String word = ascii(in, p + start, end - start);
        if (end == length) { // the protocol word may still be growing
            if (!TCP4.startsWith(word) && !TCP6.startsWith(word) && !UNKNOWN.startsWith(word)) {
                throw badProtocol(word);
            }
            return;
        }
        if (word.equals(UNKNOWN)) {
            return;
        }
        if (!word.equals(TCP4) && !word.equals(TCP6)) {
            throw badProtocol(word);
        }
        int field = 0;
        boolean fieldEmpty = true;
        for (int i = end; i < length; i++) {
            int c = in.get(p + i) & 0xff;
            if (c == ' ' || c == '\r') {
                if (field > 0 && fieldEmpty) {
                    throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 line has an empty field (two "
                            + "spaces in a row, or a space before CRLF): " + ProxyProtocolDecoder.quote(in, p, i + 1));
                }
                if (c == '\r' ? field != FIELDS - 1 : ++field >= FIELDS) {
                    throw new ProxyProtocolException(Reason.BAD_SYNTAX, "PROXY v1 " + word + " line must have "
                            + "protocol, source, destination, source port and destination port separated by single "
                            + "spaces: " + ProxyProtocolDecoder.quote(in, p, i + 1));
                }
                fieldEmpty = true;
                continue;
            }
            fieldEmpty = false;
            boolean addressField = field <= 2;
            if (addressField ? !isAddressChar(c) : (c < '0' || c > '9')) {
                String what = field == 1 ? "source address" : field == 2 ? "destination address"
                        : field == 3 ? "source port" : "destination port";
                throw new ProxyProtocolException(addressField ? Reason.BAD_ADDRESS : Reason.BAD_PORT, "PROXY v1 "
                        + what + " cannot contain " + ProxyProtocolDecoder.quote(in, p + i, 1) + ": "
                        + ProxyProtocolDecoder.quote(in, p, i + 1));
            }
        }
    }

    private static boolean isAddressChar(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    }

    private static ProxyProtocolException badProtocol(String word) {
        return new ProxyProtocolException(Reason.BAD_FAMILY, "PROXY v1 protocol " + quote(word)
                + " is not TCP4, TCP6 or UNKNOWN");
    }

    private static String ascii(ByteBuffer in, int from, int count) {
        char[] chars = new char[count];
        for (int i = 0; i < count; i++) {
            chars[i] = (char) (in.get(from + i) & 0xff);
        }
        return new String(chars);
    }

    private static String quote(String text) {
        char[] chars = text.toCharArray();
        byte[] bytes = new byte[chars.length];
        for (int i = 0; i < chars.length; i++) {
            bytes[i] = (byte) chars[i];
        }
        return ProxyProtocolDecoder.quote(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
