package dev.lbkit.ipvs;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * IPVS's connection-synchronisation daemon, as {@code ipvsadm --start-daemon} sets it: the active director of an
 * HA pair runs a {@link Role#MASTER} that multicasts its connection table, the standby a {@link Role#BACKUP} that
 * receives it, so that a failover keeps established connections (and persistence) going. Start, stop and read it
 * with {@link Ipvs#startSyncDaemon}, {@link Ipvs#stopSyncDaemon} and {@link Ipvs#syncDaemons}.
 *
 * <p>0 (or null) for the optional settings means the kernel's default, and is what the kernel reports back
 * filled in: max length from the interface's MTU (1472 for 1500), group 224.0.0.81, port 8848, TTL 1.
 *
 * @param role           master or backup
 * @param interfaceName  the multicast interface ({@code --mcast-interface}), 1..15 characters
 * @param syncId         the sync id ({@code --syncid}), 0..255; a backup accepts only its master's id (0: any)
 * @param maxLength      the largest UDP payload ({@code --sync-maxlen}), 0 for the kernel's choice
 * @param multicastGroup the group ({@code --mcast-group}), IPv4 or IPv6 multicast, or null for 224.0.0.81
 * @param multicastPort  the UDP port ({@code --mcast-port}), 0 for 8848
 * @param multicastTtl   the TTL of the master's packets ({@code --mcast-ttl}), 0 for 1
 */
public record IpvsSyncDaemon(Role role, String interfaceName, int syncId, int maxLength, InetAddress multicastGroup,
        int multicastPort, int multicastTtl) {

    /** Which side of the pair. */
    public enum Role {
        /** Sends the connection table (the active director). */
        MASTER(IpvsAttributes.STATE_MASTER),
        /** Receives it (the standby director). */
        BACKUP(IpvsAttributes.STATE_BACKUP);

        final int kernelValue;

        Role(int kernelValue) {
            this.kernelValue = kernelValue;
        }

        static Role ofKernelValue(int v) {
            for (Role r : values()) {
                if (r.kernelValue == v) {
                    return r;
                }
            }
            throw new IllegalArgumentException("IPVS sync daemon: unknown state " + v);
        }
    }

    /**
     * @throws IllegalArgumentException naming the field and value when one is out of range
     */
    public IpvsSyncDaemon {
        Objects.requireNonNull(role, "role");
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
            throw new IllegalArgumentException("sync daemon: interfaceName must be 1..15 characters but was "
                    + (interfaceName == null ? "null" : "'" + interfaceName + "'"));
        }
        range("syncId", syncId, 255);
        range("maxLength", maxLength, 65535);
        range("multicastPort", multicastPort, 65535);
        range("multicastTtl", multicastTtl, 255);
        if (multicastGroup != null && !multicastGroup.isMulticastAddress()) {
            throw new IllegalArgumentException("sync daemon: multicastGroup must be a multicast address but was "
                    + multicastGroup.getHostAddress());
        }
    }

    private static void range(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("sync daemon: " + field + " must be 0.." + max + " but was " + value);
        }
    }

    /** A daemon with the kernel's defaults for everything but role, interface and sync id. */
    public static IpvsSyncDaemon of(Role role, String interfaceName, int syncId) {
        return new IpvsSyncDaemon(role, interfaceName, syncId, 0, null, 0, 0);
    }

    boolean ipv4Group() {
        return multicastGroup instanceof Inet4Address;
    }
}
