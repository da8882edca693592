package dev.lbkit.examples.appliance;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.VirtualServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A child process for {@link AtomicPersistenceIT}: rewrites a configuration file through {@link ConfigStore}
 * as fast as it can (each version a different size) until it is killed. Prints "writing" once it has begun.
 */
public final class PersistenceWriterMain {
    private PersistenceWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        ConfigStore store = new ConfigStore(file, file.resolveSibling("versions"), 3);
        long deadline = System.nanoTime() + 60_000_000_000L; // never outlive a forgotten parent by much
        for (int i = 1; System.nanoTime() < deadline; i++) {
            store.write(ConfigEncoder.yaml(config(1 + i % 200)));
            if (i == 1) {
                System.out.println("writing");
                System.out.flush();
            }
        }
    }

    /** A configuration with {@code n} real servers, each labelled with n so a reader can check it is whole. */
    static ApplianceConfig config(int n) {
        VirtualServer.Builder b = VirtualServer.builder("web").vip("127.0.0.1:8080/tcp")
                .forwardingMethod(ForwardingMethod.PROXY);
        for (int i = 0; i < n; i++) {
            b.realServer(RealServer.builder("n" + n + "-" + i).address("127.0.0." + (1 + i % 250))
                    .port(1000 + i).build());
        }
        return ApplianceConfig.empty().withServers(Configuration.of(b.build()), Map.of());
    }
}
