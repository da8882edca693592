package dev.lbkit.examples.appliance;

import dev.lbkit.api.Configuration;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ha.VrrpInstanceConfig;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.proxy.ProxyOptions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything an appliance configuration file holds: the lbkit {@link Configuration}, the proxy dataplane's
 * per-virtual-server {@link ProxyOptions}, and the appliance's own settings. Immutable.
 *
 * @param configuration the virtual and real servers
 * @param proxyOptions  options of the proxy dataplane by virtual-server label (absent: the defaults)
 * @param admin         the REST API, state directory, credentials and metrics settings
 * @param runtime       dataplane and health-checker settings read once at start
 * @param ipvsOptions   options of the IPVS dataplane by virtual-server label (absent: the defaults)
 * @param ha            the HA pair: VRRP instances and their floating IPs (none: a single appliance)
 */
record ApplianceConfig(Configuration configuration, Map<String, ProxyOptions> proxyOptions, Admin admin,
        Runtime runtime, Map<String, IpvsOptions> ipvsOptions, Ha ha) {

    ApplianceConfig {
        proxyOptions = Map.copyOf(new LinkedHashMap<>(proxyOptions));
        ipvsOptions = Map.copyOf(new LinkedHashMap<>(ipvsOptions));
    }

    /** A configuration without IPVS options (the defaults for every virtual server) and without HA. */
    ApplianceConfig(Configuration configuration, Map<String, ProxyOptions> proxyOptions, Admin admin,
            Runtime runtime) {
        this(configuration, proxyOptions, admin, runtime, Map.of(), Ha.NONE);
    }

    static ApplianceConfig empty() {
        return new ApplianceConfig(Configuration.empty(), Map.of(), Admin.defaults(), Runtime.defaults());
    }

    /**
     * The same appliance settings with other virtual servers and proxy options; the IPVS options of the virtual
     * servers that remain are kept.
     */
    ApplianceConfig withServers(Configuration configuration, Map<String, ProxyOptions> proxyOptions) {
        Map<String, IpvsOptions> kept = new LinkedHashMap<>();
        for (VirtualServer vs : configuration.virtualServers()) {
            IpvsOptions o = ipvsOptions.get(vs.label());
            if (o != null) {
                kept.put(vs.label(), o);
            }
        }
        return withServers(configuration, proxyOptions, kept);
    }

    /** The same appliance settings with other virtual servers, proxy options and IPVS options. */
    ApplianceConfig withServers(Configuration configuration, Map<String, ProxyOptions> proxyOptions,
            Map<String, IpvsOptions> ipvsOptions) {
        return new ApplianceConfig(configuration, proxyOptions, admin, runtime, ipvsOptions, ha);
    }

    /** The same configuration with other IPVS sysctls (the one runtime setting a reload changes). */
    ApplianceConfig withIpvsSysctls(Map<IpvsSysctl, Integer> sysctls) {
        return new ApplianceConfig(configuration, proxyOptions, admin, runtime.withIpvsSysctls(sysctls),
                ipvsOptions, ha);
    }

    /** The same with another HA section. */
    ApplianceConfig withHa(Ha ha) {
        return new ApplianceConfig(configuration, proxyOptions, admin, runtime, ipvsOptions, ha);
    }

    /**
     * The HA pair (section {@code ha}): lb-ha's VRRP instances, sync groups, and the IPVS connection-sync daemon
     * that follows one instance's state.
     *
     * @param instances  the VRRP instances in file order
     * @param syncGroups sync-group name to member instances (each at least two)
     * @param ipvsSync   the connection-sync daemon, if any
     */
    record Ha(List<VrrpInstanceConfig> instances, Map<String, List<String>> syncGroups, Optional<IpvsSync> ipvsSync) {
        static final Ha NONE = new Ha(List.of(), Map.of(), Optional.empty());

        Ha {
            instances = List.copyOf(instances);
            Map<String, List<String>> g = new LinkedHashMap<>();
            syncGroups.forEach((k, v) -> g.put(k, List.copyOf(v)));
            syncGroups = java.util.Collections.unmodifiableMap(g);
        }

        boolean isEmpty() {
            return instances.isEmpty();
        }

        /** Every floating IP of every instance. */
        Set<InetAddress> floatingAddresses() {
            Set<InetAddress> out = new LinkedHashSet<>();
            for (VrrpInstanceConfig c : instances) {
                out.addAll(c.addresses());
            }
            return out;
        }

        /**
         * The IPVS connection-sync daemon: master while {@code instance} is MASTER, backup while BACKUP.
         *
         * @param instance      the VRRP instance it follows
         * @param interfaceName the interface the sync messages use (usually the heartbeat link)
         * @param syncId        the sync id both directors share (0..255)
         */
        record IpvsSync(String instance, String interfaceName, int syncId) {}
    }

    /**
     * The REST API and its state.
     *
     * @param listenAddress      the IP literal the HTTPS API binds to (default 127.0.0.1)
     * @param listenPort         its port (default 9443; 0 picks a free one); -1 turns the API off
     * @param stateDirectory     where certificate, credentials, audit log and config versions go (default: a
     *                           directory {@code lbkit-state} beside the configuration file)
     * @param keystore           a PKCS#12 keystore with the API's certificate (default: generated on first start)
     * @param keystorePassword   its password (required with {@code keystore})
     * @param passwordHash       the admin password as {@code pbkdf2-sha256:iterations:salt:hash} (see
     *                           {@code hash-password}); empty to use the one set through the setup token
     * @param keepVersions       how many earlier versions of the configuration file to keep (default 10)
     * @param metricsWithoutAuth whether {@code /metrics} answers without credentials (default false)
     * @param jmx                whether the metrics are also published over JMX (default true)
     */
    record Admin(String listenAddress, int listenPort, Optional<Path> stateDirectory, Optional<Path> keystore,
            Optional<String> keystorePassword, Optional<String> passwordHash, int keepVersions,
            boolean metricsWithoutAuth, boolean jmx) {
        static Admin defaults() {
            return new Admin("127.0.0.1", 9443, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), 10, false, true);
        }
    }

    /**
     * Settings read once at start.
     *
     * @param proxyIoThreads I/O threads of the proxy dataplane (default 1)
     * @param ipvs           whether the IPVS dataplane is registered (default true; it touches the kernel only
     *                       when a DR, NAT or TUN virtual server is applied)
     * @param healthHistory  health results kept per real server (default 10)
     * @param ipvsSysctls    IPVS kernel settings ({@code dataplanes.ipvs.sysctls}) set when the IPVS dataplane is
     *                       first used and again on reload (default none: the kernel's values are left alone)
     */
    record Runtime(int proxyIoThreads, boolean ipvs, int healthHistory, Map<IpvsSysctl, Integer> ipvsSysctls) {
        Runtime {
            ipvsSysctls = ipvsSysctls.isEmpty() ? Map.of()
                    : java.util.Collections.unmodifiableMap(new EnumMap<>(ipvsSysctls));
        }

        Runtime(int proxyIoThreads, boolean ipvs, int healthHistory) {
            this(proxyIoThreads, ipvs, healthHistory, Map.of());
        }

        static Runtime defaults() {
            return new Runtime(1, true, 10);
        }

        Runtime withIpvsSysctls(Map<IpvsSysctl, Integer> sysctls) {
            return new Runtime(proxyIoThreads, ipvs, healthHistory, sysctls);
        }
    }
}
