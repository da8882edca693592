package dev.lbkit.examples.appliance;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to the fields of one mapping, remembering which were read so that {@link #done()} can reject
 * unknown keys (a misspelt key is an error, never silently ignored).
 */
final class Fields {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    private final Node.MapNode node;
    private final Set<String> allowed = new LinkedHashSet<>();

    private Fields(Node.MapNode node) {
        this.node = node;
    }

    /** The fields of {@code n}, which must be a mapping (a null value counts as an empty one). */
    static Fields of(Node n) throws ConfigException {
        if (n instanceof Node.ScalarNode s && s.isNull()) {
            return new Fields(new Node.MapNode(n.location(), Map.of()));
        }
        if (!(n instanceof Node.MapNode)) {
            throw new ConfigException(n.location(), "must be a mapping of keys to values but was a " + n.kind());
        }
        return new Fields((Node.MapNode) n);
    }

    Node.MapNode node() {
        return node;
    }

    Node.Location location() {
        return node.location();
    }

    /** The location of a key's value, or of the mapping when it is absent. */
    Node.Location at(String key) {
        Node n = node.entries().get(key);
        return n == null ? node.location() : n.location();
    }

    Optional<Node> get(String key) {
        allowed.add(key);
        Node n = node.entries().get(key);
        if (n instanceof Node.ScalarNode s && s.isNull()) {
            return Optional.empty();
        }
        return Optional.ofNullable(n);
    }

    Node require(String key) throws ConfigException {
        return get(key).orElseThrow(() -> new ConfigException(node.location().child(key, node.location().line(),
                node.location().column()), "is required"));
    }

    Optional<String> string(String key) throws ConfigException {
        Optional<Node> n = get(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(scalar(n.get()));
    }

    String string(String key, String def) throws ConfigException {
        return string(key).orElse(def);
    }

    String requireString(String key) throws ConfigException {
        return scalar(require(key));
    }

    static String scalar(Node n) throws ConfigException {
        if (!(n instanceof Node.ScalarNode)) {
            throw new ConfigException(n.location(), "must be a single value but was a " + n.kind());
        }
        return ((Node.ScalarNode) n).text();
    }

    int integer(String key, int def) throws ConfigException {
        Optional<Node> n = get(key);
        return n.isEmpty() ? def : integer(n.get());
    }

    static int integer(Node n) throws ConfigException {
        String t = scalar(n);
        try {
            return Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(n.location(), "must be a whole number but was '" + t + "'");
        }
    }

    boolean bool(String key, boolean def) throws ConfigException {
        Optional<Node> n = get(key);
        if (n.isEmpty()) {
            return def;
        }
        String t = scalar(n.get()).trim().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw new ConfigException(n.get().location(), "must be true or false but was '" + scalar(n.get()) + "'");
    }

    Optional<Duration> duration(String key) throws ConfigException {
        Optional<Node> n = get(key);
        return n.isEmpty() ? Optional.empty() : Optional.of(duration(n.get()));
    }

    Duration duration(String key, Duration def) throws ConfigException {
        return duration(key).orElse(def);
    }

    /** {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, a bare number of seconds, or ISO-8601. */
    static Duration duration(Node n) throws ConfigException {
        String t = scalar(n).trim();
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long v = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            switch (unit) {
                case "ms": return Duration.ofMillis(v);
                case "m": return Duration.ofMinutes(v);
                case "h": return Duration.ofHours(v);
                case "d": return Duration.ofDays(v);
                default: return Duration.ofSeconds(v);
            }
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        throw new ConfigException(n.location(), "must be a duration such as 250ms, 5s, 2m or 1h but was '" + t + "'");
    }

    /** An enum constant by name, ignoring case, with '-' for '_'; {@code aliases} map extra names. */
    <E extends Enum<E>> Optional<E> enumValue(String key, Class<E> type, Map<String, E> aliases)
            throws ConfigException {
        Optional<Node> n = get(key);
        return n.isEmpty() ? Optional.empty() : Optional.of(enumValue(n.get(), type, aliases));
    }

    static <E extends Enum<E>> E enumValue(Node n, Class<E> type, Map<String, E> aliases) throws ConfigException {
        String t = scalar(n).trim();
        E alias = aliases.get(t.toLowerCase(Locale.ROOT));
        if (alias != null) {
            return alias;
        }
        String norm = t.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(name(e));
        }
        throw new ConfigException(n.location(), "must be one of " + String.join(", ", names) + " but was '" + t + "'");
    }

    /** The name an enum constant is written with: lower case, '-' for '_'. */
    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A mapping's entries in order. */
    Map<String, Node> map(String key) throws ConfigException {
        Optional<Node> n = get(key);
        if (n.isEmpty()) {
            return Map.of();
        }
        return Fields.of(n.get()).node.entries();
    }

    List<Node> list(String key) throws ConfigException {
        Optional<Node> n = get(key);
        if (n.isEmpty()) {
            return List.of();
        }
        if (!(n.get() instanceof Node.ListNode)) {
            throw new ConfigException(n.get().location(), "must be a list but was a " + n.get().kind());
        }
        return ((Node.ListNode) n.get()).items();
    }

    List<String> strings(String key) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (Node n : list(key)) {
            out.add(scalar(n));
        }
        return out;
    }

    /**
     * Rejects keys that were never asked for.
     *
     * @throws ConfigException naming the first unknown key and the known ones
     */
    void done() throws ConfigException {
        for (Map.Entry<String, Node> e : node.entries().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                Node.Location l = e.getValue().location();
                throw new ConfigException(new Node.Location(l.source(), l.line(), l.column(), l.path()),
                        "unknown key '" + e.getKey() + "' (known keys here: " + String.join(", ", allowed) + ")");
            }
        }
    }

    /** The entries for a decoder that needs them in order, e.g. real servers by label. */
    static Map<String, Node> entries(Node n) throws ConfigException {
        return new LinkedHashMap<>(of(n).node.entries());
    }
}
