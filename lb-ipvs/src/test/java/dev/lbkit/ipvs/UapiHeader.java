package dev.lbkit.ipvs;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the integer constants of a kernel UAPI header: {@code #define NAME <number|(a|b)|(1 << n)|OTHER>} and
 * the members of anonymous {@code enum {...}} blocks (counting from 0 or from an explicit {@code = value}).
 * Just enough C for netlink.h, genetlink.h and ip_vs.h.
 */
final class UapiHeader {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+([^/\\n]+?)\\s*(?:/\\*.*)?$");
    private static final Pattern ENUM = Pattern.compile("enum\\s*\\w*\\s*\\{([^}]*)}");

    private UapiHeader() {}

    static Map<String, Long> parse(String text) {
        String noComments = text.replaceAll("(?s)/\\*.*?\\*/", "");
        Map<String, Long> out = new HashMap<>();
        Matcher e = ENUM.matcher(noComments);
        while (e.find()) {
            long next = 0;
            for (String member : e.group(1).split(",")) {
                String m = member.trim();
                if (m.isEmpty() || m.startsWith("#")) {
                    continue;
                }
                int eq = m.indexOf('=');
                String name = (eq < 0 ? m : m.substring(0, eq)).trim();
                Long v = eq < 0 ? Long.valueOf(next) : eval(m.substring(eq + 1).trim(), out);
                if (v != null) {
                    out.put(name, v);
                    next = v + 1;
                }
            }
        }
        Matcher d = DEFINE.matcher(text);
        while (d.find()) {
            Long v = eval(d.group(2).trim(), out);
            if (v != null) {
                out.putIfAbsent(d.group(1), v);
            }
        }
        return out;
    }

    private static Long eval(String expr, Map<String, Long> known) {
        String x = expr.trim();
        while (x.startsWith("(") && x.endsWith(")")) {
            x = x.substring(1, x.length() - 1).trim();
        }
        x = x.replaceAll("\\b(\\d+)[uU][lL]*\\b", "$1");
        if (x.contains("|")) {
            long v = 0;
            for (String part : x.split("\\|")) {
                Long p = eval(part, known);
                if (p == null) {
                    return null;
                }
                v |= p;
            }
            return v;
        }
        if (x.contains("<<")) {
            String[] p = x.split("<<");
            Long a = eval(p[0], known);
            Long b = eval(p[1], known);
            return a == null || b == null ? null : a << b;
        }
        if (x.contains("+")) {
            long v = 0;
            for (String part : x.split("\\+")) {
                Long p = eval(part, known);
                if (p == null) {
                    return null;
                }
                v += p;
            }
            return v;
        }
        if (x.contains("-")) {
            String[] p = x.split("-", 2);
            Long a = eval(p[0], known);
            Long b = eval(p[1], known);
            return a == null || b == null ? null : a - b;
        }
        try {
            return x.startsWith("0x") || x.startsWith("0X") ? Long.parseLong(x.substring(2), 16) : Long.parseLong(x);
        } catch (NumberFormatException ex) {
            return known.get(x);
        }
    }
}
