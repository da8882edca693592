package dev.lbkit.proxy;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.HaState;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.VirtualServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The load-balancer side of {@link FloatingVipIT}, run by it inside a network namespace (a JVM thread cannot
 * move into one). It starts a {@link FakeBackend} named {@code b1}, a proxy dataplane under a LoadBalancer and
 * answers commands read from stdin, one line each, on stdout:
 * <ul>
 *   <li>{@code apply LABEL ADDRESS:PORT floating|fixed}: adds a PROXY virtual server over the backend; answers
 *       {@code applied LABEL listening=BOOL} or {@code rejected MESSAGE};</li>
 *   <li>{@code master}: reports HA state MASTER to the LoadBalancer; answers {@code ok};</li>
 *   <li>{@code listening LABEL}: answers {@code listening=BOOL} (the metric gauge, as an operator sees it).</li>
 * </ul>
 */
public final class FloatingVipNode {
    private FloatingVipNode() {
    }

    public static void main(String[] args) throws Exception {
        try (FakeBackend backend = new FakeBackend("b1");
                LoadBalancer lb = LoadBalancer.builder().dataplane(ProxyDataplane.builder().ioThreads(1).build())
                        .build()) {
            ProxyDataplane proxy = (ProxyDataplane) lb.dataplanes().get(0);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("ready");
            System.out.flush();
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "apply" -> {
                        proxy.setOptions(w[1], ProxyOptions.builder().floatingAddress(w[3].equals("floating")).build());
                        VirtualServer vs = VirtualServer.builder(w[1]).vip(w[2] + "/tcp")
                                .forwardingMethod(ForwardingMethod.PROXY)
                                .realServer(Loopback.realServer("b1", backend)).build();
                        Configuration next = lb.configuration().with(vs);
                        try {
                            lb.apply(next);
                            System.out.println("applied " + w[1] + " listening=" + listening(proxy, w[1]));
                        } catch (DataplaneException e) {
                            System.out.println("rejected " + e.getMessage());
                        }
                    }
                    case "master" -> {
                        lb.reportHaState("vi_1", HaState.BACKUP, HaState.MASTER, "test");
                        System.out.println("ok");
                    }
                    case "listening" -> System.out.println("listening=" + listening(proxy, w[1]));
                    default -> System.out.println("unknown " + line);
                }
                System.out.flush();
            }
        }
    }

    private static boolean listening(ProxyDataplane proxy, String label) {
        return ((Number) proxy.metrics().getGauges().get("lbkit." + label + ".listening").getValue()).longValue() == 1
                && proxy.localAddress(label).isPresent();
    }
}
