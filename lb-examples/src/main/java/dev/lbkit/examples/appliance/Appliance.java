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
import dev.lbkit.api.Vip;
import dev.lbkit.api.VirtualServer;
import dev.lbkit.ha.VrrpInstanceConfig;
import dev.lbkit.ha.VrrpRouter;
import dev.lbkit.ha.VrrpStatus;
import dev.lbkit.health.HealthChecker;
import dev.lbkit.ipvs.Ipvs;
import dev.lbkit.ipvs.IpvsDataplane;
import dev.lbkit.ipvs.IpvsOptions;
import dev.lbkit.ipvs.IpvsSyncFollower;
import dev.lbkit.ipvs.IpvsSysctl;
import dev.lbkit.proxy.ProxyDataplane;
import dev.lbkit.proxy.ProxyOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
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
 * writes the audit log. With an {@code ha} section it also runs lb-ha's {@link VrrpRouter}: the load balancer is its
 * listener (HA state in status and events), proxy VIPs on its floating IPs wait for their address on the backup,
 * and an {@link IpvsSyncFollower} runs the IPVS connection-sync daemon in the role the pair gives this node.
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
    private VrrpRouter vrrp; // nullable: no HA section
    private IpvsSyncFollower ipvsSync; // nullable
    /** The proxy options as last given to the dataplane (the file's, plus floatingAddress on floating VIPs). */
    private Map<String, ProxyOptions> appliedOptions = Map.of();
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
            applyHa(ApplianceConfig.Ha.NONE, config.ha());
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
        boolean haChanged = !next.ha().equals(current.ha());
        if (haChanged) {
            checkHaChange(current.ha(), next.ha());
        }
        if (dryRun || (diff.isEmpty() && !optionsChanged && !haChanged)) {
            return new Result(diff, version, false);
        }
        ApplianceConfig before = current;
        applyNow(next);
        current = next;
        try {
            applyHa(before.ha(), next.ha());
        } catch (RuntimeException e) {
            applyNow(before);
            current = before;
            throw e;
        }
        if (persist) {
            try {
                store.write(ConfigEncoder.yaml(current));
            } catch (IOException e) {
                log.error("cannot write {}; undoing the change: {}", configFile, e.toString());
                applyNow(before);
                applyHa(next.ha(), before.ha());
                current = before;
                throw e;
            }
        }
        version++;
        audit.record(who, via, action, "version " + version + ": " + diff.toString().replace('\n', ';')
                + (optionsChanged ? "; dataplane options changed" : "") + (haChanged ? "; ha changed" : ""));
        return new Result(diff, version, true);
    }

    /**
     * Applies proxy and IPVS options, the IPVS sysctls (once IPVS is in use) and then the configuration; the
     * options of VIPs that went away are dropped. Proxy VIPs on a floating IP of the {@code ha} section get
     * {@link ProxyOptions#floatingAddress()}, so that the backup runs them too.
     */
    private void applyNow(ApplianceConfig next) {
        Configuration configuration = next.configuration();
        Map<String, ProxyOptions> options = effectiveOptions(configuration, next.proxyOptions(), next.ha());
        Map<String, IpvsOptions> ipvsBefore = current == null ? Map.of() : current.ipvsOptions();
        Map<String, ProxyOptions> before = appliedOptions;
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
            appliedOptions = options;
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

    /** The file's proxy options with {@code floatingAddress} set on every proxied VIP that is a floating IP. */
    static Map<String, ProxyOptions> effectiveOptions(Configuration configuration, Map<String, ProxyOptions> options,
            ApplianceConfig.Ha ha) {
        Set<InetAddress> floating = ha.floatingAddresses();
        if (floating.isEmpty()) {
            return options;
        }
        Map<String, ProxyOptions> out = new LinkedHashMap<>(options);
        for (VirtualServer vs : configuration.virtualServers()) {
            if (!vs.forwardingMethod().isKernel() && vs.vip() instanceof Vip.Socket s
                    && floating.contains(s.address())) {
                ProxyOptions o = out.getOrDefault(vs.label(), ProxyOptions.defaults());
                out.put(vs.label(), o.toBuilder().floatingAddress(true).build());
            }
        }
        return out;
    }

    /** Sync groups and the connection-sync daemon are fixed while the VRRP router runs. */
    private void checkHaChange(ApplianceConfig.Ha before, ApplianceConfig.Ha next) throws ConfigException {
        if (vrrp == null || next.isEmpty()) {
            return;
        }
        Node.Location at = new Node.Location(configFile.toString(), 1, 1, "ha");
        if (!before.syncGroups().equals(next.syncGroups())) {
            throw new ConfigException(at, "syncGroups change only at restart (lb-ha fixes them when the VRRP router "
                    + "starts); restart the appliance, or keep them as they were: " + before.syncGroups());
        }
        if (!before.ipvsSync().equals(next.ipvsSync())) {
            throw new ConfigException(at, "ipvsSync changes only at restart; restart the appliance, or keep it as it "
                    + "was");
        }
    }

    /**
     * Brings the VRRP router in line with {@code next}: starts it when HA appears, applies changed instances in
     * place (unchanged ones are not touched), stops it when the section goes away.
     */
    private void applyHa(ApplianceConfig.Ha before, ApplianceConfig.Ha next) {
        if (next.equals(before) && (vrrp != null || next.isEmpty())) {
            return;
        }
        if (next.isEmpty()) {
            stopHa();
            before.instances().forEach(i -> lb.forgetHaState(i.name()));
            try {
                // no floating IPs any more: a later crash must not remove addresses that are no longer VRRP's
                java.nio.file.Files.deleteIfExists(stateDirectory.resolve(RELEASE_SCRIPT));
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", stateDirectory.resolve(RELEASE_SCRIPT), e.toString());
            }
            return;
        }
        if (vrrp == null) {
            VrrpRouter.Builder b = VrrpRouter.builder().listener(lb::reportHaState);
            next.instances().forEach(b::instance);
            next.syncGroups().forEach((g, members) -> b.syncGroup(g, members.toArray(new String[0])));
            IpvsSyncFollower follower = next.ipvsSync()
                    .map(s -> IpvsSyncFollower.of(s.instance(), s.interfaceName(), s.syncId())).orElse(null);
            if (follower != null) {
                b.listener(follower);
            }
            vrrp = b.start();
            ipvsSync = follower;
            writeReleaseScript(next);
            log.info("HA: VRRP instances {} started", next.instances().stream().map(VrrpInstanceConfig::name).toList());
            return;
        }
        vrrp.apply(next.instances());
        writeReleaseScript(next);
        Set<String> kept = new HashSet<>();
        next.instances().forEach(i -> kept.add(i.name()));
        before.instances().stream().map(VrrpInstanceConfig::name).filter(n -> !kept.contains(n))
                .forEach(lb::forgetHaState);
    }

    /** The script that removes this node's floating IPs after a crash; see {@link #writeReleaseScript}. */
    static final String RELEASE_SCRIPT = "release-floating-ips.sh";

    /**
     * Writes {@code STATE/release-floating-ips.sh}: {@code ip address del} for every floating IP (and, with
     * {@code ha.ipvsSync}, {@code ipvsadm --stop-daemon master} where ipvsadm is installed). A clean stop
     * releases them itself; after a crash (SIGKILL, out of memory) they would stay on the interface until the next
     * start, and the node would go on answering ARP for them beside the new master. The systemd unit runs the
     * script as {@code ExecStopPost}, which systemd runs after any end of the process.
     */
    private void writeReleaseScript(ApplianceConfig.Ha ha) {
        StringBuilder s = new StringBuilder("#!/bin/sh\n# written by the lbkit appliance at each HA start and reload; "
                + "run after the appliance ended (systemd ExecStopPost)\n");
        for (VrrpInstanceConfig c : ha.instances()) {
            for (VrrpInstanceConfig.VirtualAddress v : c.virtualAddresses()) {
                s.append("ip address del ").append(v).append(" dev ").append(c.interfaceName())
                        .append(" 2>/dev/null\n");
            }
        }
        if (ha.ipvsSync().isPresent()) {
            // the dead master's kernel sync daemon would go on multicasting until the next start replaces it
            s.append("command -v ipvsadm > /dev/null && ipvsadm --stop-daemon master 2>/dev/null\n");
        }
        s.append("exit 0\n");
        Path file = stateDirectory.resolve(RELEASE_SCRIPT);
        try {
            Path tmp = stateDirectory.resolve(RELEASE_SCRIPT + ".tmp");
            java.nio.file.Files.writeString(tmp, s.toString());
            java.nio.file.Files.setPosixFilePermissions(tmp,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot write {}: {}; after a crash the floating IPs stay until the next start", file,
                    e.toString());
        }
    }

    private void stopHa() {
        if (vrrp != null) {
            vrrp.close(); // masters send priority 0 and release their floating IPs
            vrrp = null;
        }
        if (ipvsSync != null) {
            ipvsSync.close();
            ipvsSync = null;
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
                        + "servers and HA instances only", configFile);
            }
        }
        return change(who, via, "reload", c -> c.withServers(loaded.configuration(), loaded.proxyOptions(),
                loaded.ipvsOptions()).withIpvsSysctls(loaded.runtime().ipvsSysctls()).withHa(loaded.ha()), false,
                null, false);
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

    /** The VRRP router's snapshot, if an {@code ha} section runs one. */
    synchronized Optional<VrrpStatus> haStatus() {
        return vrrp == null ? Optional.empty() : Optional.of(vrrp.status());
    }

    /** The IPVS connection-sync follower, if {@code ha.ipvsSync} is set. */
    synchronized Optional<IpvsSyncFollower> ipvsSyncFollower() {
        return Optional.ofNullable(ipvsSync);
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
        stopHa(); // first: the peer takes over at once (priority 0) while this node still serves
        lb.close();
    }
}
