package dev.lbkit.examples.appliance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads YAML 1.2 (SnakeYAML Engine's composer, core schema) into a {@link Node} tree with line and column of
 * every value. Syntax errors and duplicate keys are {@link ConfigException}s with the position.
 */
final class YamlReader {
    private YamlReader() {}

    static Node read(String source, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false).setMaxAliasesForCollections(50).setCodePointLimit(16 * 1024 * 1024)
                .build();
        Optional<org.snakeyaml.engine.v2.nodes.Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new ConfigException(new Node.Location(source, m == null ? 1 : m.getLine() + 1,
                    m == null ? 1 : m.getColumn() + 1, ""), "not valid YAML: " + problem + context, e);
        } catch (YamlEngineException e) {
            throw new ConfigException(new Node.Location(source, 1, 1, ""), "not valid YAML: " + e.getMessage(), e);
        }
        if (root.isEmpty()) {
            return new Node.MapNode(new Node.Location(source, 1, 1, ""), Map.of());
        }
        return convert(root.get(), new Node.Location(source, 1, 1, ""), source);
    }

    private static Node.Location at(org.snakeyaml.engine.v2.nodes.Node n, Node.Location pathOnly) {
        Optional<Mark> m = n.getStartMark();
        return new Node.Location(pathOnly.source(), m.map(x -> x.getLine() + 1).orElse(pathOnly.line()),
                m.map(x -> x.getColumn() + 1).orElse(pathOnly.column()), pathOnly.path());
    }

    private static Node convert(org.snakeyaml.engine.v2.nodes.Node n, Node.Location where, String source)
            throws ConfigException {
        Node.Location loc = at(n, where);
        if (n instanceof MappingNode) {
            Map<String, Node> entries = new LinkedHashMap<>();
            for (NodeTuple t : ((MappingNode) n).getValue()) {
                org.snakeyaml.engine.v2.nodes.Node k = t.getKeyNode();
                Node.Location keyLoc = at(k, loc);
                if (!(k instanceof ScalarNode) || k.getTag().equals(Tag.NULL)) {
                    throw new ConfigException(keyLoc, "a key must be a plain name");
                }
                String key = ((ScalarNode) k).getValue();
                Node.Location child = loc.child(key, keyLoc.line(), keyLoc.column());
                if (entries.containsKey(key)) {
                    throw new ConfigException(child, "duplicate key '" + key + "'");
                }
                entries.put(key, convert(t.getValueNode(), child, source));
            }
            return new Node.MapNode(loc, entries);
        }
        if (n instanceof SequenceNode) {
            List<Node> items = new ArrayList<>();
            int i = 0;
            for (org.snakeyaml.engine.v2.nodes.Node item : ((SequenceNode) n).getValue()) {
                Node.Location itemLoc = at(item, loc);
                items.add(convert(item, loc.child("[" + i++ + "]", itemLoc.line(), itemLoc.column()), source));
            }
            return new Node.ListNode(loc, items);
        }
        ScalarNode s = (ScalarNode) n;
        return new Node.ScalarNode(loc, s.getValue(), s.getTag().equals(Tag.NULL));
    }
}
