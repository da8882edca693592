package dev.lbkit.examples;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.PersistencePolicy;
import dev.lbkit.api.RealServer;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.proxy.ProxyDataplane;
import java.time.Duration;

/**
 * The embedding example of the README, verbatim between the markers ({@code EmbeddingExampleTest} checks that
 * the README holds exactly these lines and runs them).
 */
public final class EmbeddingExample {
    private EmbeddingExample() {}

    public static void main(String[] args) {
        // README:begin
        VirtualServer web = VirtualServer.builder("web")
                .vip("127.0.0.1:18080/tcp")
                .forwardingMethod(ForwardingMethod.PROXY)              // Layer 4 full proxy
                .scheduler(Scheduler.WLC)
                .persistence(PersistencePolicy.sourceIp(Duration.ofMinutes(5)))
                .realServer(RealServer.builder("app1").address("127.0.0.1").port(9001).build())
                .realServer(RealServer.builder("app2").address("127.0.0.1").port(9002).weight(2).build())
                .build();
        try (LoadBalancer lb = LoadBalancer.builder().dataplane(new ProxyDataplane()).build()) {
            lb.apply(Configuration.of(web));        // listens on 127.0.0.1:18080 now
            lb.drain("web", "app1");                // weight 0: its live connections finish
            System.out.print(lb.status().toTable());
        }                                           // close(): listeners and connections closed
        // README:end
    }
}
