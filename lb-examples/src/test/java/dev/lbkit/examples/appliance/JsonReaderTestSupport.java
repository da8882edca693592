package dev.lbkit.examples.appliance;

/** Reads one string field of a JSON object reply with the appliance's own strict reader. */
final class JsonReaderTestSupport {
    private JsonReaderTestSupport() {}

    static String string(String json, String key) throws ConfigException {
        Node n = ((Node.MapNode) JsonReader.read("reply", json)).entries().get(key);
        return ((Node.ScalarNode) n).text();
    }
}
