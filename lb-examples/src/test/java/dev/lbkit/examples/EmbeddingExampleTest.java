package dev.lbkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EmbeddingExampleTest {
    private static List<String> exampleLines() throws Exception {
        Path source = Path.of("src/main/java/dev/lbkit/examples/EmbeddingExample.java");
        List<String> lines = Files.readAllLines(source);
        int begin = lines.indexOf("        // README:begin");
        int end = lines.indexOf("        // README:end");
        return lines.subList(begin + 1, end).stream().map(l -> l.substring(8)).collect(Collectors.toList());
    }

    @Test
    void readmeShowsExactlyTheCodeThatCompilesHere() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String example = String.join("\n", exampleLines());

        assertThat(exampleLines()).hasSizeLessThanOrEqualTo(15);
        assertThat(readme).contains(example);
    }

    @Test
    void theExampleRunsAndPrintsTheDrainedServer() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EmbeddingExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String table = captured.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("127.0.0.1:18080/tcp").contains("app1").contains("DRAIN").contains("app2");
    }
}
