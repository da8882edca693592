package dev.lbkit.examples.appliance;

import java.util.List;
import java.util.Map;

/** Writes a tree of maps, lists, strings, numbers, booleans and nulls as indented JSON. */
final class JsonWriter {
    private JsonWriter() {}

    static String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(s, value, 0);
        return s.append('\n').toString();
    }

    private static void indent(StringBuilder s, int level) {
        s.append('\n');
        for (int i = 0; i < level; i++) {
            s.append("  ");
        }
    }

    private static void write(StringBuilder s, Object v, int level) {
        if (v == null) {
            s.append("null");
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                s.append("{}");
                return;
            }
            s.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    s.append(',');
                }
                first = false;
                indent(s, level + 1);
                string(s, String.valueOf(e.getKey()));
                s.append(": ");
                write(s, e.getValue(), level + 1);
            }
            indent(s, level);
            s.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                s.append("[]");
                return;
            }
            s.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                indent(s, level + 1);
                write(s, l.get(i), level + 1);
            }
            indent(s, level);
            s.append(']');
        } else if (v instanceof Number || v instanceof Boolean) {
            s.append(v);
        } else {
            string(s, v.toString());
        }
    }

    static void string(StringBuilder s, String t) {
        s.append('"');
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            switch (c) {
                case '"': s.append("\\\""); break;
                case '\\': s.append("\\\\"); break;
                case '\n': s.append("\\n"); break;
                case '\r': s.append("\\r"); break;
                case '\t': s.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
            }
        }
        s.append('"');
    }
}
