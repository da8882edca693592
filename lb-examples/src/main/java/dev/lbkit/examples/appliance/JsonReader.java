package dev.lbkit.examples.appliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader producing a {@link Node} tree with positions; anything that is not JSON (a
 * trailing comma, a single quote, text after the value, a duplicate key, nesting deeper than 64) is a
 * {@link ConfigException} with line and column.
 */
final class JsonReader {
    private static final int MAX_DEPTH = 64;

    private final String source;
    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private JsonReader(String source, String text) {
        this.source = source;
        this.text = text;
    }

    static Node read(String source, String text) throws ConfigException {
        JsonReader r = new JsonReader(source, text);
        r.skipSpace();
        if (r.pos >= text.length()) {
            throw r.error("not valid JSON: the body is empty");
        }
        Node n = r.value(new Node.Location(source, 1, 1, ""), 0);
        r.skipSpace();
        if (r.pos < text.length()) {
            throw r.error("not valid JSON: unexpected '" + text.charAt(r.pos) + "' after the value");
        }
        return n;
    }

    private Node.Location here(Node.Location where) {
        return new Node.Location(source, line, pos - lineStart + 1, where.path());
    }

    private ConfigException error(String message) {
        return new ConfigException(new Node.Location(source, line, pos - lineStart + 1, ""), message);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Node value(Node.Location where, int depth) throws ConfigException {
        if (depth > MAX_DEPTH) {
            throw error("not valid JSON: nested deeper than " + MAX_DEPTH);
        }
        if (pos >= text.length()) {
            throw error("not valid JSON: the body ends where a value was expected");
        }
        Node.Location loc = here(where);
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(loc, depth);
            case '[':
                return array(loc, depth);
            case '"':
                return new Node.ScalarNode(loc, string(), false);
            case 't':
                literal("true");
                return new Node.ScalarNode(loc, "true", false);
            case 'f':
                literal("false");
                return new Node.ScalarNode(loc, "false", false);
            case 'n':
                literal("null");
                return new Node.ScalarNode(loc, "null", true);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return new Node.ScalarNode(loc, number(), false);
                }
                throw error("not valid JSON: unexpected '" + c + "'");
        }
    }

    private Node object(Node.Location loc, int depth) throws ConfigException {
        pos++;
        Map<String, Node> entries = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return new Node.MapNode(loc, entries);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("not valid JSON: expected a quoted key");
            }
            int keyLine = line;
            int keyColumn = pos - lineStart + 1;
            String key = string();
            Node.Location child = loc.child(key, keyLine, keyColumn);
            if (entries.containsKey(key)) {
                throw new ConfigException(child, "duplicate key '" + key + "'");
            }
            skipSpace();
            expect(':');
            skipSpace();
            entries.put(key, value(child, depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return new Node.MapNode(loc, entries);
            }
            if (c != ',') {
                pos--;
                throw error("not valid JSON: expected ',' or '}'");
            }
        }
    }

    private Node array(Node.Location loc, int depth) throws ConfigException {
        pos++;
        List<Node> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return new Node.ListNode(loc, items);
        }
        while (true) {
            skipSpace();
            items.add(value(loc.child("[" + items.size() + "]", line, pos - lineStart + 1), depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return new Node.ListNode(loc, items);
            }
            if (c != ',') {
                pos--;
                throw error("not valid JSON: expected ',' or ']'");
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) throws ConfigException {
        if (peek() != c) {
            throw error("not valid JSON: expected '" + c + "'");
        }
        pos++;
    }

    private void literal(String word) throws ConfigException {
        if (!text.startsWith(word, pos)) {
            throw error("not valid JSON: unexpected '" + text.charAt(pos) + "'");
        }
        pos += word.length();
    }

    private String number() throws ConfigException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        } else {
            throw error("not valid JSON: a number needs digits");
        }
        if (peek() == '.') {
            pos++;
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("not valid JSON: a fraction needs digits");
            }
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("not valid JSON: an exponent needs digits");
            }
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        }
        return text.substring(start, pos);
    }

    private String string() throws ConfigException {
        pos++; // opening quote
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("not valid JSON: unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return s.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("not valid JSON: control character in a string");
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = peek();
            pos++;
            switch (e) {
                case '"': s.append('"'); break;
                case '\\': s.append('\\'); break;
                case '/': s.append('/'); break;
                case 'b': s.append('\b'); break;
                case 'f': s.append('\f'); break;
                case 'n': s.append('\n'); break;
                case 'r': s.append('\r'); break;
                case 't': s.append('\t'); break;
                case 'u': {
                    if (pos + 4 > text.length()) {
                        throw error("not valid JSON: short \\u escape");
                    }
                    try {
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("not valid JSON: bad \\u escape");
                    }
                    pos += 4;
                    break;
                }
                default:
                    pos--;
                    throw error("not valid JSON: bad escape '\\" + e + "'");
            }
        }
    }
}
