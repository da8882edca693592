package dev.lbkit.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random {@link Configuration}s that are valid by construction, for property tests.
 *
 * <p>Each value is drawn as independent raw choices (an index, a family, a number) that a pure function turns
 * into a valid model: a choice the earlier ones forbid is mapped onto an allowed one (a destination scheduler on
 * a proxy becomes another scheduler, a translated port behind DIRECT_ROUTING becomes the VIP's port). So
 * {@code build()} never throws (if it does, the generator or the model is wrong), shrinking still works on the
 * raw choices, and no {@code flatMap} is needed (each costs jqwik about half a millisecond).
 *
 * <p>Labels come from small pools so that two independently drawn configurations share virtual and real
 * servers and their diff holds changes, not only additions and removals. Uniqueness is by position: the i-th
 * virtual server's VIP lives in 10.0.i.0/24 (or 2001:db8:0:i::/64, or is mark 100+i); the k-th real server
 * label of the pool takes host 10k..10k+9 of its virtual server's network.
 */
final class ValidConfigurations {
    static final List<String> VIRTUAL_SERVER_LABELS = List.of("web", "api", "mail", "dns", "db", "cache");
    static final List<String> REAL_SERVER_LABELS = List.of("app1", "app2", "app3", "app4", "app5");
    private static final List<ForwardingMethod> METHODS = List.of(ForwardingMethod.DIRECT_ROUTING,
            ForwardingMethod.NAT, ForwardingMethod.PROXY, ForwardingMethod.HTTP);
    private static final List<Scheduler> PROXY_SCHEDULERS = Arrays.stream(Scheduler.values())
            .filter(s -> !s.keysOnDestination()).toList();
    private static final List<Optional<ForwardingMethod>> KERNEL_OVERRIDES = List.of(Optional.empty(),
            Optional.of(ForwardingMethod.DIRECT_ROUTING), Optional.of(ForwardingMethod.NAT),
            Optional.of(ForwardingMethod.TUNNEL));
    private static final List<String> COOKIE_NAMES = List.of("SRVID", "JSESSIONID", "lb");

    private ValidConfigurations() {}

    /** Any valid configuration, from empty to one virtual server per label. */
    static Arbitrary<Configuration> configurations() {
        int n = VIRTUAL_SERVER_LABELS.size();
        return Combinators.combine(
                        Arbitraries.integers().between(0, n),
                        Arbitraries.shuffle(VIRTUAL_SERVER_LABELS),
                        virtualServerDraws().list().ofSize(n))
                .as((count, labels, draws) -> {
                    Configuration.Builder b = Configuration.builder();
                    for (int i = 0; i < count; i++) {
                        b.add(draws.get(i).build(labels.get(i), i));
                    }
                    return b.build();
                });
    }

    private record VipDraw(IpFamily family, int host, int portIndex, Protocol protocol, boolean mark) {}

    private record PersistenceDraw(int kind, int seconds, int ipv4Prefix, int ipv6Prefix,
            CookiePersistence.Mode mode, int nameIndex, boolean secure) {}

    private record RealServerDraw(int overrideIndex, IpFamily family, int host, int portIndex, int weight,
            int maxConnections, int minConnectionsRaw, RequestedStatus status) {}

    private record VirtualServerDraw(ForwardingMethod method, VipDraw vip, int schedulerIndex,
            PersistenceDraw persistence, HealthCheck healthCheck, List<RealServerDraw> realServers,
            RealServerDraw fallback, List<Duration> timeouts) {

        VirtualServer build(String label, int index) {
            Vip v = toVip(method, vip, index);
            List<RealServer> rs = new ArrayList<>();
            for (int k = 0; k < realServers.size(); k++) {
                if (realServers.get(k) != null) {
                    rs.add(realServer(REAL_SERVER_LABELS.get(k), k + 1, method, v, index, realServers.get(k)));
                }
            }
            List<Scheduler> schedulers = method.isKernel() ? List.of(Scheduler.values()) : PROXY_SCHEDULERS;
            return VirtualServer.builder(label)
                    .vip(v)
                    .forwardingMethod(method)
                    .scheduler(schedulers.get(schedulerIndex % schedulers.size()))
                    .persistence(toPersistence(method, v, persistence))
                    .healthCheck(healthCheck)
                    .realServers(rs)
                    .fallback(fallback == null ? null : realServer("sorry", 9, method, v, index, fallback))
                    .connectTimeout(timeouts.get(0))
                    .idleTimeout(timeouts.get(1))
                    .build();
        }
    }

    private static Arbitrary<VirtualServerDraw> virtualServerDraws() {
        Arbitrary<VipDraw> vips = Combinators.combine(
                        Arbitraries.of(IpFamily.class),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.of(Protocol.class),
                        Arbitraries.integers().between(0, 4).map(i -> i == 0))
                .as(VipDraw::new);
        Arbitrary<PersistenceDraw> persistences = Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(1, 3600),
                        Arbitraries.integers().between(1, 32),
                        Arbitraries.integers().between(1, 128),
                        Arbitraries.of(CookiePersistence.Mode.class),
                        Arbitraries.integers().between(0, COOKIE_NAMES.size() - 1),
                        Arbitraries.of(true, false))
                .as(PersistenceDraw::new);
        Arbitrary<HealthCheck> checks = Arbitraries.oneOf(
                Arbitraries.just(HealthCheck.none()),
                Arbitraries.integers().between(1, 10).map(s -> HealthCheck.connect()
                        .withSettings(CheckSettings.defaults().withInterval(Duration.ofSeconds(s)))),
                Arbitraries.of("/", "/health", "/status").map(HealthCheck::http));
        Arbitrary<List<Duration>> timeouts = Combinators.combine(
                        Arbitraries.integers().between(1, 10), Arbitraries.integers().between(60, 600))
                .as((connect, idle) -> List.of(Duration.ofSeconds(connect), Duration.ofSeconds(idle)));
        return Combinators.combine(
                        Arbitraries.of(METHODS),
                        vips,
                        Arbitraries.integers().between(0, Scheduler.values().length - 1),
                        persistences,
                        checks,
                        realServerDraws().injectNull(0.4).list().ofSize(REAL_SERVER_LABELS.size()),
                        realServerDraws().injectNull(0.7),
                        timeouts)
                .as(VirtualServerDraw::new);
    }

    private static Arbitrary<RealServerDraw> realServerDraws() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, KERNEL_OVERRIDES.size() - 1),
                        Arbitraries.of(IpFamily.class),
                        Arbitraries.integers().between(0, 9),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, RealServer.MAX_WEIGHT),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.of(RequestedStatus.class))
                .as(RealServerDraw::new);
    }

    /** Kernel methods take any protocol, port 0 or a firewall mark; the proxies listen on a TCP port. */
    private static Vip toVip(ForwardingMethod method, VipDraw d, int index) {
        if (method.isKernel() && d.mark()) {
            return Vip.firewallMark(100 + index, d.family());
        }
        List<Integer> ports = method.isKernel() ? List.of(0, 80, 443, 8080) : List.of(80, 443, 8080);
        Protocol protocol = method.isKernel() ? d.protocol() : Protocol.TCP;
        return Vip.of(address(d.family(), index, d.host()), ports.get(d.portIndex() % ports.size()), protocol);
    }

    /** Port 0 needs source-IP persistence; cookies need HTTP. */
    private static PersistencePolicy toPersistence(ForwardingMethod method, Vip vip, PersistenceDraw d) {
        SourceIpPersistence sourceIp = PersistencePolicy.sourceIp(Duration.ofSeconds(d.seconds()), d.ipv4Prefix(),
                d.ipv6Prefix());
        if (everyPort(vip)) {
            return sourceIp;
        }
        int kind = d.kind() % (method == ForwardingMethod.HTTP ? 3 : 2);
        return switch (kind) {
            case 0 -> PersistencePolicy.none();
            case 1 -> sourceIp;
            default -> CookiePersistence.builder(d.mode(), COOKIE_NAMES.get(d.nameIndex())).secure(d.secure())
                    .build();
        };
    }

    /**
     * A real server valid behind {@code vip}: an override only among the kernel methods; the VIP's family unless
     * the method mixes families; a port the method may use; min connections at most max unless max is unlimited.
     */
    private static RealServer realServer(String label, int k, ForwardingMethod vsMethod, Vip vip, int index,
            RealServerDraw d) {
        Optional<ForwardingMethod> override = vsMethod.isKernel()
                ? KERNEL_OVERRIDES.get(d.overrideIndex()) : Optional.empty();
        ForwardingMethod method = override.orElse(vsMethod);
        IpFamily family = method.mixesFamilies() ? d.family() : vip.family();
        List<Integer> ports = ports(vip, method);
        int max = d.maxConnections();
        return RealServer.builder(label)
                .address(address(family, index, 10 * k + d.host()))
                .port(ports.get(d.portIndex() % ports.size()))
                .weight(d.weight())
                .minConnections(max == 0 ? d.minConnectionsRaw() : d.minConnectionsRaw() % (max + 1))
                .maxConnections(max)
                .forwardingMethod(override.orElse(null))
                .requestedStatus(d.status())
                .build();
    }

    /** Port 0 always; the VIP's port without translation; anything with it, except behind a port-0 VIP. */
    private static List<Integer> ports(Vip vip, ForwardingMethod method) {
        if (everyPort(vip)) {
            return List.of(0);
        }
        if (!method.translatesPort()) {
            return vip instanceof Vip.Socket s ? List.of(0, s.port()) : List.of(0);
        }
        return List.of(0, 80, 8080, 8443);
    }

    private static boolean everyPort(Vip vip) {
        return vip instanceof Vip.Socket s && s.port() == 0;
    }

    /** 10.0.{net}.{host} or 2001:db8:0:{net}::{host}. */
    static InetAddress address(IpFamily family, int net, int host) {
        byte[] bytes;
        if (family == IpFamily.IPV4) {
            bytes = new byte[] {10, 0, (byte) net, (byte) host};
        } else {
            bytes = new byte[16];
            bytes[0] = 0x20;
            bytes[1] = 0x01;
            bytes[2] = 0x0d;
            bytes[3] = (byte) 0xb8;
            bytes[7] = (byte) net;
            bytes[15] = (byte) host;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
