package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The docs agree with the code: routes with the OpenAPI document, keys with the decoder, examples parse. */
class DocsTest {
    static final Path DOCS = Path.of("..", "docs");

    private static Node.MapNode openApi() throws Exception {
        return (Node.MapNode) JsonReader.read("openapi.json", OpenApi.document());
    }

    private static Node.MapNode child(Node n, String key) {
        return (Node.MapNode) ((Node.MapNode) n).entries().get(key);
    }

    @Test
    void restApiPageListsEveryRouteOfTheOpenApiDocument() throws Exception {
        String page = Files.readString(DOCS.resolve("rest-api.md"));
        for (Map.Entry<String, Node> p : child(openApi(), "paths").entries().entrySet()) {
            for (String method : ((Node.MapNode) p.getValue()).entries().keySet()) {
                if (!method.equals("parameters")) {
                    assertThat(page).contains("| " + method.toUpperCase() + " | `" + p.getKey() + "` |");
                }
            }
        }
    }

    @Test
    void configurationPageDescribesEveryKeyOfTheSchemas() throws Exception {
        String page = Files.readString(DOCS.resolve("configuration.md"));
        Node.MapNode schemas = child(child(openApi(), "components"), "schemas");
        for (String schema : List.of("VirtualServer", "RealServer", "Persistence", "HealthCheck", "ProxyOptions")) {
            for (String key : child(schemas.entries().get(schema), "properties").entries().keySet()) {
                assertThat(page).as(schema + "." + key).contains("`" + key + "`");
            }
        }
    }

    @Test
    void configurationPageDescribesEveryKeyOfTheDataplaneOptionSchemas() throws Exception {
        String page = Files.readString(DOCS.resolve("configuration.md"));
        Node.MapNode schemas = child(child(openApi(), "components"), "schemas");
        for (String schema : List.of("HttpOptions", "HttpLimits", "ErrorPage", "IpvsOptions", "Tunnel")) {
            for (String key : child(schemas.entries().get(schema), "properties").entries().keySet()) {
                assertThat(page).as(schema + "." + key).contains("`" + key + "`");
            }
        }
        assertThat(child(child(schemas.entries().get("VirtualServer"), "properties"), "ipvs")).isNotNull();
        for (dev.lbkit.ipvs.IpvsSysctl s : dev.lbkit.ipvs.IpvsSysctl.values()) {
            assertThat(page).contains("`" + s.fileName() + "`");
        }
    }

    @Test
    void everyYamlExampleInTheAppliancePagesParses() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String doc : List.of("configuration.md", "appliance.md")) {
            Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(
                    DOCS.resolve(doc)));
            int n = 0;
            while (m.find()) {
                n++;
                String yaml = m.group(1);
                if (!yaml.contains("virtualServers:")) {
                    continue;
                }
                try {
                    ConfigFiles.parse(Path.of(doc + "#" + n), yaml.replace("pbkdf2-sha256:310000:...:...",
                            Passwords.hash("example password".toCharArray(), 1000)));
                } catch (ConfigException e) {
                    failures.add(e.getMessage());
                }
            }
            assertThat(n).isPositive();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void shippedExampleConfigurationIsValid() throws Exception {
        assertThat(ConfigFiles.load(Path.of("src", "main", "dist", "lbkit.yaml")).configuration().size())
                .isEqualTo(1);
    }
}
