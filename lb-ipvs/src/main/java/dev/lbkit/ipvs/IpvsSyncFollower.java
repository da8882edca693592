package dev.lbkit.ipvs;

import dev.lbkit.api.HaState;
import dev.lbkit.api.HaStateListener;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the kernel's IPVS connection-sync daemon in the role an HA pair gives this director, as keepalived's
 * {@code lvs_sync_daemon} does: while the named VRRP instance is MASTER the daemon runs as master (it multicasts
 * the connection table), while BACKUP it runs as backup (it receives the table, so established connections
 * survive a failover), in INIT and FAULT neither runs. Register it with the HA module as a
 * {@link HaStateListener} (for lb-ha: {@code VrrpRouter.builder().listener(follower)}).
 *
 * <p>The follower owns the kernel's sync daemons: on a transition it stops a daemon of the other role, and
 * restarts one of the right role whose settings differ. Each transition opens its own generic-netlink socket, so
 * it never shares one with an {@link IpvsDataplane}. A failure (no IPVS, a missing interface) is logged, counted
 * and kept in {@link #lastError()}; it never reaches the HA protocol thread. {@link #close()} stops the daemons.
 */
public final class IpvsSyncFollower implements HaStateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IpvsSyncFollower.class);

    private final String instance;
    private final IpvsSyncDaemon settings;
    private IpvsSyncDaemon.Role running;
    private long failures;
    private String lastError;

    /**
     * @param instance the VRRP instance (HA group) to follow; transitions of other instances are ignored
     * @param settings interface, sync id, maximum length and multicast settings of the daemon; its role is
     *                 ignored (the HA state decides it)
     */
    public IpvsSyncFollower(String instance, IpvsSyncDaemon settings) {
        if (instance == null || instance.isBlank()) {
            throw new IllegalArgumentException("sync follower: instance must not be blank but was "
                    + (instance == null ? "null" : "'" + instance + "'"));
        }
        this.instance = instance;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** A follower with the kernel's defaults for everything but the interface and the sync id. */
    public static IpvsSyncFollower of(String instance, String interfaceName, int syncId) {
        return new IpvsSyncFollower(instance, IpvsSyncDaemon.of(IpvsSyncDaemon.Role.BACKUP, interfaceName, syncId));
    }

    @Override
    public void onHaStateChange(String instance, HaState from, HaState to, String reason) {
        if (this.instance.equals(instance)) {
            follow(to);
        }
    }

    /** Brings the kernel's sync daemons in line with {@code state} now (also usable without an HA module). */
    public synchronized void follow(HaState state) {
        IpvsSyncDaemon.Role wanted = switch (Objects.requireNonNull(state, "state")) {
            case MASTER -> IpvsSyncDaemon.Role.MASTER;
            case BACKUP -> IpvsSyncDaemon.Role.BACKUP;
            case INIT, FAULT -> null;
        };
        IpvsSyncDaemon desired = wanted == null ? null : withRole(wanted);
        try (Ipvs ipvs = Ipvs.open()) {
            List<IpvsSyncDaemon> current = ipvs.syncDaemons();
            for (IpvsSyncDaemon d : current) {
                if (!sameDaemon(d, desired)) {
                    ipvs.stopSyncDaemon(d.role());
                }
            }
            if (desired != null && current.stream().noneMatch(d -> sameDaemon(d, desired))) {
                ipvs.startSyncDaemon(desired);
            }
            running = wanted;
            log.info("IPVS sync daemon for VRRP instance '{}' ({}): {}", instance, state,
                    wanted == null ? "stopped" : wanted.name().toLowerCase() + " on " + settings.interfaceName()
                            + " sync id " + settings.syncId());
        } catch (RuntimeException e) {
            failures++;
            lastError = e.getMessage();
            log.warn("IPVS sync daemon for VRRP instance '{}' could not follow {}: {}", instance, state,
                    e.getMessage());
        }
    }

    /** The role this follower last put the daemon in; empty when stopped or never started. */
    public synchronized Optional<IpvsSyncDaemon.Role> role() {
        return Optional.ofNullable(running);
    }

    /** How many transitions could not be applied to the kernel. */
    public synchronized long failures() {
        return failures;
    }

    /** The message of the last failure, if any. */
    public synchronized Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Stops the sync daemons. */
    @Override
    public void close() {
        follow(HaState.INIT);
    }

    private IpvsSyncDaemon withRole(IpvsSyncDaemon.Role role) {
        return new IpvsSyncDaemon(role, settings.interfaceName(), settings.syncId(), settings.maxLength(),
                settings.multicastGroup(), settings.multicastPort(), settings.multicastTtl());
    }

    /**
     * True when {@code running} (as the kernel reports it, defaults filled in) is {@code desired}: same role,
     * interface and sync id, and the same optional settings where {@code desired} sets them.
     */
    private static boolean sameDaemon(IpvsSyncDaemon running, IpvsSyncDaemon desired) {
        return desired != null && running.role() == desired.role()
                && running.interfaceName().equals(desired.interfaceName())
                && running.syncId() == desired.syncId()
                && (desired.maxLength() == 0 || running.maxLength() == desired.maxLength())
                && (desired.multicastGroup() == null || desired.multicastGroup().equals(running.multicastGroup()))
                && (desired.multicastPort() == 0 || running.multicastPort() == desired.multicastPort())
                && (desired.multicastTtl() == 0 || running.multicastTtl() == desired.multicastTtl());
    }

    @Override
    public String toString() {
        return "IpvsSyncFollower{" + instance + " " + settings.interfaceName() + " sync id " + settings.syncId()
                + "}";
    }
}
