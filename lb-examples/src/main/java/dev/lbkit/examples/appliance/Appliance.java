package dev.lbkit.examples.appliance;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import dev.lbkit.api.Configuration;
import dev.lbkit.api.ConfigurationDiff;
import dev.lbkit.api.DataplaneException;
import dev.lbkit.api.LoadBalancer;
import dev.lbkit.api.LoadBalancerStatus;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.SourceIpPersistence;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.ipvs.Ipvs;
import dev.lbkit.ipvs.IpvsDataplane;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.proxy.ProxyDataplane;
import dev.lbkit.proxy.ProxyOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: a {@link LoadBalancer} with the proxy dataplane, the IPVS dataplane (when enabled)
 * and lb-health's {@link HealthChecker}, driven by the configuration file; the REST API; metrics. Every change
 * (reload, REST edit, operator action) goes through {@link #change}, one at a time: it validates, applies only
 * the difference, writes the file atomically (unless the file is where it came from), bumps the version and
 * writes the audit log.
 */
final class Appliance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    private final Path configFile;
    private final Path stateDirectory;
    private final MetricRegistry metrics = new MetricRegistry();
    private final ProxyDataplane proxy;
    private final IpvsDataplane ipvs; // nullable
    private final LoadBalancer lb;
    private final DeferredHealthMonitor health;
    private final ConfigStore store;
    private final AuditLog audit;
    private final Credentials credentials;
    private final JmxReporter jmx; // nullable
    private AdminServer admin; // nullable
    private ApplianceConfig current;
    private long version = 1;
    /** The IPVS sysctls set from dataplanes.ipvs.sysctls, and what each was before lbkit first set it. */
    private Map<IpvsSysctl, Integer> sysctlsSet = Map.of();
    private final Map<IpvsSysctl, Integer> sysctlOriginals = new EnumMap<>(IpvsSysctl.class);

    /** What a change did: the diff and the version after it. */
    record Result(ConfigurationDiff diff, long version, boolean applied) {}

    /** The version a caller based its edit on is no longer current. */
    static final class VersionConflict extends Exception {
        private static final long serialVersionUID = 1L;
        final long current;

        VersionConflict(long expected, long current) {
            super("the configuration changed meanwhile: expected version " + expected + " but it is " + current
                    + "; read it again and retry");
            this.current = current;
        }
    }

    /** An edit of the whole appliance configuration. */
    interface Edit {
        ApplianceConfig apply(ApplianceConfig current) throws ConfigException;
    }

    Appliance(Path configFile, ApplianceConfig config, PrintStream out) throws IOException {
        this.configFile = configFile.toAbsolutePath();
        this.stateDirectory = StateDirectory.resolve(this.configFile, config.admin());
        ApplianceConfig.Runtime rt = config.runtime();
        this.proxy = ProxyDataplane.builder().metricRegistry(metrics).ioThreads(rt.proxyIoThreads()).build();
        this.ipvs = rt.ipvs() ? new IpvsDataplane() : null;
        this.health = new DeferredHealthMonitor(() -> HealthChecker.builder().metricRegistry(metrics)
                .historySize(rt.healthHistory()).ioThreads(1).blockingThreads(1).build());
        LoadBalancer.Builder b = LoadBalancer.builder().dataplane(proxy).healthMonitor(health)
                .healthHistory(rt.healthHistory());
        if (ipvs != null) {
            b.dataplane(ipvs);
        }
        this.lb = b.build();
        this.store = new ConfigStore(this.configFile, stateDirectory.resolve("versions"), config.admin().keepVersions());
        this.audit = new AuditLog(stateDirectory.resolve("audit.log"), Clock.systemUTC());
        this.credentials = new Credentials(stateDirectory.resolve("credentials.properties"),
                config.admin().passwordHash());
        this.current = new ApplianceConfig(Configuration.empty(), Map.of(), config.admin(), config.runtime());
        try {
            applyNow(config);
            this.current = config;
            audit.record("system", "start", "start", "version " + version + ": " + config.configuration().size()
                    + " virtual servers from " + this.configFile);
            this.jmx = config.admin().jmx() ? JmxReporter.forRegistry(metrics).inDomain("lbkit").build() : null;
            if (jmx != null) {
                jmx.start();
            }
            if (config.admin().listenPort() >= 0) {
                admin = new AdminServer(this, config.admin(), stateDirectory);
                admin.start();
                out.println("lbkit appliance: REST API on https://" + hostPort(admin.address()) + "/api/v1/");
            }
            credentials.setupToken().filter(t -> admin != null).ifPresent(t -> {
                out.println("lbkit appliance: no admin password is set. One-time setup token (valid until a "
                        + "password is set or the appliance restarts):");
                out.println("  " + t);
                out.println("  set the password with: curl -k -X POST -H 'Authorization: Bearer " + t + "' "
                        + "-H 'Content-Type: application/json' -d '{\"password\":\"...\"}' https://"
                        + hostPort(admin.address()) + "/api/v1/setup");
            });
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** Changes the running configuration; see the class comment. */
    synchronized Result change(String who, String via, String action, Edit edit, boolean dryRun,
            Long expectedVersion, boolean persist) throws ConfigException, VersionConflict, IOException {
        if (expectedVersion != null && expectedVersion != version) {
            throw new VersionConflict(expectedVersion, version);
        }
        ApplianceConfig next = edit.apply(current);
        ConfigurationDiff diff;
        try {
            diff = lb.dryRun(next.configuration()); // routes every VIP to a dataplane, or throws
        } catch (IllegalArgumentException e) {
            throw explain(next.configuration(), e);
        }
        boolean optionsChanged = !next.proxyOptions().equals(current.proxyOptions())
                || !next.ipvsOptions().equals(current.ipvsOptions())
                || !next.runtime().ipvsSysctls().equals(current.runtime().ipvsSysctls());
        if (dryRun || (diff.isEmpty() && !optionsChanged)) {
            return new Result(diff, version, false);
        }
        ApplianceConfig before = current;
        applyNow(next);
        current = next;
        if (persist) {
            try {
                store.write(ConfigEncoder.yaml(current));
            } catch (IOException e) {
                log.error("cannot write {}; undoing the change: {}", configFile, e.toString());
                applyNow(before);
                current = before;
                throw e;
            }
        }
        version++;
        audit.record(who, via, action, "version " + version + ": " + diff.toString().replace('\n', ';')
                + (optionsChanged ? "; dataplane options changed" : ""));
        return new Result(diff, version, true);
    }

    /**
     * Applies proxy and IPVS options, the IPVS sysctls (once IPVS is in use) and then the configuration; the
     * options of VIPs that went away are dropped.
     */
    private void applyNow(ApplianceConfig next) {
        Configuration configuration = next.configuration();
        Map<String, ProxyOptions> options = next.proxyOptions();
        Map<String, IpvsOptions> ipvsBefore = current == null ? Map.of() : current.ipvsOptions();
        Map<String, ProxyOptions> before = new LinkedHashMap<>(current == null ? Map.of() : current.proxyOptions());
        Set<String> labels = new HashSet<>(before.keySet());
        labels.addAll(options.keySet());
        for (String label : labels) {
            if (!Objects.equals(before.get(label), options.get(label))) {
                proxy.setOptions(label, options.get(label));
            }
        }
        Configuration running = current == null ? Configuration.empty() : current.configuration();
        boolean applied = false;
        try {
            Map<String, IpvsOptions> late = setIpvsOptions(ipvsBefore, next.ipvsOptions(), running, configuration);
            applyIpvsSysctls(next.runtime().ipvsSysctls(), configuration);
            lb.apply(configuration);
            applied = true;
            late.forEach((label, o) -> ipvs.setOptions(label, o));
        } catch (RuntimeException e) {
            for (String label : labels) {
                if (!Objects.equals(before.get(label), options.get(label))) {
                    proxy.setOptions(label, before.get(label));
                }
            }
            undoIpvs(next, ipvsBefore, applied);
            throw explain(configuration, e);
        }
    }

    /**
     * Gives the IPVS dataplane the options that changed, around the apply that takes {@code running} to
     * {@code target}. IPVS reconciles a running virtual server at once, so options must fit the virtual server
     * they meet: options that fit the running one are set now; those that fit only the target one are returned,
     * to be set after the apply (e.g. scheduler wlc to sh together with schedulerFallback); when neither, the
     * defaults (which fit any) are set now and the options after the apply.
     */
    private Map<String, IpvsOptions> setIpvsOptions(Map<String, IpvsOptions> from, Map<String, IpvsOptions> to,
            Configuration running, Configuration target) {
        Map<String, IpvsOptions> late = new HashMap<>();
        if (ipvs == null) {
            return late;
        }
        Set<String> labels = new HashSet<>(from.keySet());
        labels.addAll(to.keySet());
        for (String label : labels) {
            IpvsOptions old = from.get(label);
            IpvsOptions now = to.get(label);
            if (Objects.equals(old, now)) {
                continue;
            }
            Optional<VirtualServer> was = running.virtualServer(label);
            Optional<VirtualServer> will = target.virtualServer(label);
            if (will.isEmpty()) {
                late.put(label, now); // forgotten once the virtual server is gone
            } else if (was.isEmpty() || fits(was.get(), now)) {
                ipvs.setOptions(label, now);
            } else if (fits(will.get(), old)) {
                late.put(label, now);
            } else {
                ipvs.setOptions(label, null);
                late.put(label, now);
            }
        }
        return late;
    }

    /** Whether IPVS accepts these options with this virtual server (the rules of lb-ipvs's translation). */
    static boolean fits(VirtualServer vs, IpvsOptions o) {
        if (o == null) {
            return true;
        }
        boolean hashing = vs.scheduler() == Scheduler.SH || vs.scheduler() == Scheduler.MH;
        return (hashing || (!o.schedulerFallback() && !o.schedulerPort()))
                && (o.persistenceEngine() == null || vs.persistence() instanceof SourceIpPersistence);
    }

    /**
     * After a failed change: the configuration, IPVS options and sysctls that ran before, as far as possible
     * ({@code applied}: the new configuration was applied and only options set after it failed).
     */
    private void undoIpvs(ApplianceConfig tried, Map<String, IpvsOptions> before, boolean applied) {
        if (ipvs == null) {
            return;
        }
        try {
            Configuration was = current == null ? Configuration.empty() : current.configuration();
            if (applied) {
                Map<String, IpvsOptions> late = setIpvsOptions(tried.ipvsOptions(), before, tried.configuration(),
                        was);
                lb.apply(was);
                late.forEach((label, o) -> ipvs.setOptions(label, o));
            } else {
                setIpvsOptions(tried.ipvsOptions(), before, was, was)
                        .forEach((label, o) -> ipvs.setOptions(label, o));
            }
            if (current != null) {
                applyIpvsSysctls(current.runtime().ipvsSysctls(), was);
            }
        } catch (RuntimeException e) {
            log.warn("could not restore the configuration, IPVS options or sysctls after a failed change: {}",
                    e.getMessage());
        }
    }

    /**
     * Sets {@code dataplanes.ipvs.sysctls} once IPVS is in use (a direct-routing, nat or tunnel virtual server is
     * configured): nothing touches the kernel before. A sysctl dropped from the file gets back the value it had
     * before lbkit first set it.
     *
     * @throws DataplaneException naming {@code dataplanes.ipvs.sysctls} when IPVS or the sysctl is not available
     */
    private void applyIpvsSysctls(Map<IpvsSysctl, Integer> want, Configuration configuration) {
        if (ipvs == null || want.equals(sysctlsSet)
                || (sysctlsSet.isEmpty() && configuration.virtualServers().stream()
                        .noneMatch(v -> v.forwardingMethod().isKernel()))) {
            return;
        }
        Map<IpvsSysctl, Integer> set = new EnumMap<>(IpvsSysctl.class);
        set.putAll(sysctlsSet);
        try {
            Ipvs kernel = ipvs.ipvs();
            for (IpvsSysctl s : IpvsSysctl.values()) {
                Integer w = want.get(s);
                Integer had = set.get(s);
                if (w != null && !w.equals(had)) {
                    if (!sysctlOriginals.containsKey(s)) {
                        sysctlOriginals.put(s, kernel.sysctl(s));
                    }
                    kernel.setSysctl(s, w);
                    set.put(s, w);
                    log.info("IPVS sysctl {} = {} (dataplanes.ipvs.sysctls)", s.key(), w);
                } else if (w == null && had != null) {
                    int original = sysctlOriginals.remove(s);
                    kernel.setSysctl(s, original);
                    set.remove(s);
                    log.info("IPVS sysctl {} = {} again (no longer in dataplanes.ipvs.sysctls)", s.key(), original);
                }
            }
        } catch (RuntimeException e) {
            throw new DataplaneException(null, "dataplanes.ipvs.sysctls: cannot set the IPVS sysctls: "
                    + e.getMessage(), e);
        } finally {
            sysctlsSet = set.isEmpty() ? Map.of() : Map.copyOf(set);
        }
    }

    private RuntimeException explain(Configuration configuration, RuntimeException e) {
        if (ipvs == null && e instanceof IllegalArgumentException) {
            for (VirtualServer vs : configuration.virtualServers()) {
                if (vs.forwardingMethod().isKernel()) {
                    return new IllegalArgumentException(vs.describe() + " uses " + vs.forwardingMethod()
                            + ", which needs the IPVS dataplane, but dataplanes.ipvs.enabled is false", e);
                }
            }
        }
        return e;
    }

    /** Re-reads the configuration file and applies the difference (SIGHUP and {@code POST /reload}). */
    Result reload(String who, String via) throws ConfigException, IOException, VersionConflict {
        ApplianceConfig loaded = ConfigFiles.load(configFile);
        synchronized (this) {
            if (!loaded.admin().equals(current.admin()) || !loaded.runtime().withIpvsSysctls(
                    current.runtime().ipvsSysctls()).equals(current.runtime())) {
                log.warn("{}: admin, dataplanes and health settings change only at restart; reloading the virtual "
                        + "servers only", configFile);
            }
        }
        return change(who, via, "reload", c -> c.withServers(loaded.configuration(), loaded.proxyOptions(),
                loaded.ipvsOptions()).withIpvsSysctls(loaded.runtime().ipvsSysctls()), false, null, false);
    }

    synchronized ApplianceConfig current() {
        return current;
    }

    synchronized long version() {
        return version;
    }

    LoadBalancerStatus status() {
        return lb.status();
    }

    LoadBalancer loadBalancer() {
        return lb;
    }

    ProxyDataplane proxy() {
        return proxy;
    }

    /** True once the health checker runs (it is built in the background at start). */
    boolean healthCheckerRunning() {
        return health.running();
    }

    MetricRegistry metrics() {
        return metrics;
    }

    AuditLog audit() {
        return audit;
    }

    Credentials credentials() {
        return credentials;
    }

    Path configFile() {
        return configFile;
    }

    Path stateDirectory() {
        return stateDirectory;
    }

    ConfigStore store() {
        return store;
    }

    /** Where the REST API listens, if it runs. */
    Optional<InetSocketAddress> adminAddress() {
        return admin == null ? Optional.empty() : Optional.of(admin.address());
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (jmx != null) {
            jmx.close();
        }
        lb.close();
    }
}
