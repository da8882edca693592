package dev.lbkit.examples.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer process is killed (SIGKILL) at random moments mid-write; the file must always parse whole. */
class AtomicPersistenceIT {
    @TempDir
    Path dir;

    @Test
    void aKilledWriterNeverLeavesAFileThatDoesNotParse() throws Exception {
        Path file = dir.resolve("lbkit.yaml");
        Files.writeString(file, ConfigEncoder.yaml(PersistenceWriterMain.config(1)));
        Random random = new Random(42);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 0; round < 12; round++) {
            Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), PersistenceWriterMain.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = out.readLine();
                assertThat(line).as("writer output").isEqualTo("writing");
                Thread.sleep(random.nextInt(400));
            } finally {
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally in the writer
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            checkWhole(file);
            for (Path v : new ConfigStore(file, dir.resolve("versions"), 3).versions()) {
                checkWhole(v);
            }
        }
        assertThat(new ConfigStore(file, dir.resolve("versions"), 3).versions()).hasSizeLessThanOrEqualTo(3);
    }

    /** Parses and checks that the version is complete: n real servers all labelled n-i. */
    private static void checkWhole(Path file) throws Exception {
        ApplianceConfig c = ConfigFiles.load(file);
        VirtualServer web = c.configuration().virtualServer("web").orElseThrow();
        List<RealServer> rss = web.realServers();
        String n = rss.get(0).label().substring(1, rss.get(0).label().indexOf('-'));
        assertThat(rss).as(file.toString()).hasSize(Integer.parseInt(n));
        assertThat(rss).allMatch(r -> r.label().startsWith("n" + n + "-"));
    }
}
