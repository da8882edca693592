package dev.lbkit.examples.appliance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed document (YAML file or JSON request body) as a tree that remembers where each value was: the
 * source name, line and column (1-based) and the dotted path of the field ({@code virtualServers.web.port}).
 * Both readers produce it, so one decoder gives the same field-level errors for both.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {

    /** Where the value starts. */
    Location location();

    /** {@code mapping}, {@code list} or {@code value}, for messages. */
    String kind();

    /** A source position and a field path. */
    record Location(String source, int line, int column, String path) {
        /** {@code config.yaml:12:7: virtualServers.web.port: }. */
        String prefix() {
            return source + ":" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ");
        }

        Location child(String key, int childLine, int childColumn) {
            return new Location(source, childLine, childColumn,
                    path.isEmpty() || key.startsWith("[") ? path + key : path + "." + key);
        }
    }

    /** A mapping with unique string keys in document order. */
    record MapNode(Location location, Map<String, Node> entries) implements Node {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String kind() {
            return "mapping";
        }
    }

    /** A sequence. */
    record ListNode(Location location, List<Node> items) implements Node {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "list";
        }
    }

    /**
     * A scalar: its text and whether it was null ({@code ~}, {@code null}, empty in YAML; {@code null} in JSON).
     * Numbers and booleans keep their text; the decoder converts per field.
     */
    record ScalarNode(Location location, String text, boolean isNull) implements Node {
        @Override
        public String kind() {
            return isNull ? "null" : "value";
        }
    }
}
