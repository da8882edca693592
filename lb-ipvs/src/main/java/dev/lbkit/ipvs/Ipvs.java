package dev.lbkit.ipvs;

import dev.lbkit.netlink.Errno;
import dev.lbkit.netlink.GenericNetlink;
import dev.lbkit.netlink.Message;
import dev.lbkit.netlink.MessageWriter;
import dev.lbkit.netlink.Netlink;
import dev.lbkit.netlink.NetlinkException;
import dev.lbkit.netlink.NetlinkSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of the kernel's IPVS over generic netlink: the same operations as {@code ipvsadm}, without a process
 * and without libnl. {@link IpvsDataplane} uses it to reconcile; applications may use it directly to read or
 * change the table.
 *
 * <p>Each mutating call is one message answered by the kernel; errors are {@link NetlinkException}s naming the
 * command, the object and the kernel's reason, e.g. {@code IPVS NEW_SERVICE 10.0.0.1:80/tcp: File exists
 * (EEXIST)}. Thread-safe: calls are serialised on the socket. Holds one netlink socket until {@link #close()}.
 */
public final class Ipvs implements AutoCloseable {
    private static final String[] MODPROBE = {"/usr/sbin/modprobe", "/sbin/modprobe", "modprobe"};

    private final NetlinkSocket socket;
    private final int familyId;
    private final int version;
    private final int connectionTableSize;
    private final Path procSysVs = Path.of("/proc/sys/net/ipv4/vs");

    private Ipvs(NetlinkSocket socket, int familyId, int[] info) {
        this.socket = socket;
        this.familyId = familyId;
        this.version = info[0];
        this.connectionTableSize = info[1];
    }

    /**
     * Opens a generic-netlink socket and resolves the IPVS family; when the kernel does not know it, runs
     * {@code modprobe ip_vs} once and tries again. Then asks IPVS for its version, which needs CAP_NET_ADMIN.
     *
     * @throws IpvsUnavailableException when the kernel has no IPVS or the process may not use it, saying which
     */
    public static Ipvs open() {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        try {
            int id = resolve(s);
            List<Message> r;
            try {
                r = s.request(IpvsCodec.getInfo(new MessageWriter(32), id).buffer(), "IPVS GET_INFO");
            } catch (NetlinkException e) {
                if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                    throw new IpvsUnavailableException(e.errno(), "IPVS refuses this process: it needs the "
                            + "CAP_NET_ADMIN capability (run as root, or grant it, e.g. setcap cap_net_admin+ep on "
                            + "the java binary or AmbientCapabilities=CAP_NET_ADMIN in a systemd unit): "
                            + e.reason());
                }
                throw e;
            }
            return new Ipvs(s, id, IpvsCodec.parseInfo(r.get(0)));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int resolve(NetlinkSocket s) {
        try {
            return GenericNetlink.resolve(s, IpvsAttributes.GENL_NAME).id();
        } catch (NetlinkException first) {
            if (first.errno() != Errno.ENOENT) {
                throw first;
            }
        }
        String modprobe = modprobe();
        try {
            return GenericNetlink.resolve(s, IpvsAttributes.GENL_NAME).id();
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            throw new IpvsUnavailableException(Errno.ENOENT, "IPVS is not available in this kernel: it has no "
                    + "generic netlink family 'IPVS' (the ip_vs module is not loaded, or the kernel was built "
                    + "without CONFIG_IP_VS), and 'modprobe ip_vs' did not help (" + modprobe + "). Load the "
                    + "module as root ('modprobe ip_vs', or list ip_vs in /etc/modules-load.d/) or use a kernel "
                    + "with IPVS.");
        }
    }

    /** Runs {@code modprobe ip_vs}; returns what happened, for the error message. */
    static String modprobe() {
        for (String m : MODPROBE) {
            if (m.startsWith("/") && !Files.isExecutable(Path.of(m))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(m, "ip_vs").redirectErrorStream(true).start();
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return m + " ip_vs: no answer in 10 s";
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                return m + " ip_vs: exit status " + p.exitValue() + (out.isEmpty() ? "" : ": " + firstLine(out));
            } catch (IOException e) {
                if (!m.startsWith("/")) {
                    return "modprobe not found: " + e.getMessage();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return m + " ip_vs: interrupted";
            }
        }
        return "modprobe not found";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** IPVS's version, e.g. {@code 0x010201} for 1.2.1. */
    public int version() {
        return version;
    }

    /** The version as {@code 1.2.1}. */
    public String versionString() {
        return (version >> 16 & 0xff) + "." + (version >> 8 & 0xff) + "." + (version & 0xff);
    }

    /** The size of the kernel's connection hash table. */
    public int connectionTableSize() {
        return connectionTableSize;
    }

    /** The generic-netlink family id the kernel gave IPVS. */
    public int familyId() {
        return familyId;
    }

    /** Messages sent so far on this client's socket, dumps included. */
    public long messagesSent() {
        return socket.messagesSent();
    }

    /** Every virtual service with its counters, in one dump. */
    public List<IpvsService> services() {
        List<Message> ms = socket.dump(IpvsCodec.getServices(new MessageWriter(32), familyId).buffer(),
                "IPVS GET_SERVICE (dump)");
        List<IpvsService> out = new ArrayList<>(ms.size());
        for (Message m : ms) {
            out.add(IpvsCodec.parseService(m));
        }
        return out;
    }

    /** One service with its counters, or empty when the kernel has no such service; one request. */
    public java.util.Optional<IpvsService> service(IpvsServiceKey key) {
        List<Message> r;
        try {
            r = request(IpvsCodec.getService(new MessageWriter(64), familyId, key), "IPVS GET_SERVICE " + key);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        return r.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(IpvsCodec.parseService(r.get(0)));
    }

    /** The destinations of one service with their counters, in one dump. */
    public List<IpvsDestination> destinations(IpvsServiceKey service) {
        List<Message> ms = socket.dump(IpvsCodec.getDestinations(new MessageWriter(64), familyId, service).buffer(),
                "IPVS GET_DEST " + service + " (dump)");
        List<IpvsDestination> out = new ArrayList<>(ms.size());
        for (Message m : ms) {
            out.add(IpvsCodec.parseDestination(m, service.family()));
        }
        return out;
    }

    /** The whole table: one dump of the services, then one dump of destinations per service. */
    public List<IpvsEntry> table() {
        List<IpvsEntry> out = new ArrayList<>();
        for (IpvsService s : services()) {
            out.add(new IpvsEntry(s, destinations(s.key())));
        }
        return out;
    }

    /** Adds a service ({@code ipvsadm -A}). */
    public void addService(IpvsService s) {
        request(IpvsCodec.newService(new MessageWriter(), familyId, s), "IPVS NEW_SERVICE " + s.key());
    }

    /** Changes a service's settings ({@code ipvsadm -E}). */
    public void editService(IpvsService s) {
        request(IpvsCodec.setService(new MessageWriter(), familyId, s), "IPVS SET_SERVICE " + s.key());
    }

    /** Deletes a service and its destinations ({@code ipvsadm -D}). */
    public void deleteService(IpvsServiceKey key) {
        request(IpvsCodec.delService(new MessageWriter(), familyId, key), "IPVS DEL_SERVICE " + key);
    }

    /** Adds a destination ({@code ipvsadm -a}). */
    public void addDestination(IpvsServiceKey service, IpvsDestination d) {
        request(IpvsCodec.newDestination(new MessageWriter(), familyId, service, d),
                "IPVS NEW_DEST " + service + " -> " + d.key());
    }

    /** Changes a destination ({@code ipvsadm -e}). */
    public void editDestination(IpvsServiceKey service, IpvsDestination d) {
        request(IpvsCodec.setDestination(new MessageWriter(), familyId, service, d),
                "IPVS SET_DEST " + service + " -> " + d.key());
    }

    /** Deletes a destination ({@code ipvsadm -d}). */
    public void deleteDestination(IpvsServiceKey service, IpvsDestination.Key d) {
        request(IpvsCodec.delDestination(new MessageWriter(), familyId, service, d),
                "IPVS DEL_DEST " + service + " -> " + d);
    }

    /** The global timeouts ({@code ipvsadm -L --timeout}). */
    public IpvsTimeouts timeouts() {
        List<Message> r = request(IpvsCodec.getConfig(new MessageWriter(32), familyId), "IPVS GET_CONFIG");
        return IpvsCodec.parseConfig(r.get(0));
    }

    /** Sets the global timeouts; a 0 leaves that one unchanged ({@code ipvsadm --set}). */
    public void setTimeouts(IpvsTimeouts t) {
        request(IpvsCodec.setConfig(new MessageWriter(64), familyId, t), "IPVS SET_CONFIG " + t);
    }

    /** Zeroes every counter ({@code ipvsadm -Z}). */
    public void zeroCounters() {
        request(IpvsCodec.zero(new MessageWriter(32), familyId, null), "IPVS ZERO");
    }

    /** Zeroes the counters of one service and its destinations ({@code ipvsadm -Z -t ...}). */
    public void zeroCounters(IpvsServiceKey service) {
        request(IpvsCodec.zero(new MessageWriter(64), familyId, service), "IPVS ZERO " + service);
    }

    /** Deletes every service ({@code ipvsadm -C}). */
    public void flush() {
        request(IpvsCodec.flush(new MessageWriter(32), familyId), "IPVS FLUSH");
    }

    /**
     * Starts a connection-sync daemon ({@code ipvsadm --start-daemon}). One master and one backup may run at
     * once; starting a role that already runs fails with EEXIST.
     *
     * @throws NetlinkException naming the daemon and the kernel's reason, e.g. ENODEV for an unknown interface
     */
    public void startSyncDaemon(IpvsSyncDaemon daemon) {
        request(IpvsCodec.newDaemon(new MessageWriter(96), familyId, daemon),
                "IPVS NEW_DAEMON " + describe(daemon));
    }

    /** Stops the sync daemon of one role ({@code ipvsadm --stop-daemon}); ESRCH when it does not run. */
    public void stopSyncDaemon(IpvsSyncDaemon.Role role) {
        request(IpvsCodec.delDaemon(new MessageWriter(48), familyId, role),
                "IPVS DEL_DAEMON " + role.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The running sync daemons with every setting as the kernel holds it ({@code ipvsadm -L --daemon}). */
    public List<IpvsSyncDaemon> syncDaemons() {
        List<Message> ms = socket.dump(IpvsCodec.getDaemons(new MessageWriter(32), familyId).buffer(),
                "IPVS GET_DAEMON (dump)");
        List<IpvsSyncDaemon> out = new ArrayList<>(ms.size());
        for (Message m : ms) {
            out.add(IpvsCodec.parseDaemon(m));
        }
        return out;
    }

    private static String describe(IpvsSyncDaemon d) {
        return d.role().name().toLowerCase(java.util.Locale.ROOT) + " (interface " + d.interfaceName() + ", syncid "
                + d.syncId() + ")";
    }

    /**
     * Reads an IPVS sysctl of this process's network namespace ({@code /proc/sys/net/ipv4/vs/...}).
     *
     * @throws IllegalStateException naming the file when it cannot be read
     */
    public int sysctl(IpvsSysctl sysctl) {
        Path p = sysctl.path(procSysVs);
        try {
            return Integer.parseInt(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("IPVS sysctl " + sysctl.key() + ": cannot read " + p + ": " + e, e);
        }
    }

    /**
     * Sets an IPVS sysctl of this process's network namespace; the value takes effect at once and lasts until
     * the next boot (put it in {@code /etc/sysctl.d/} to keep it).
     *
     * @throws IllegalArgumentException naming the sysctl when the value is not 0 or 1
     * @throws IllegalStateException naming the file when it cannot be written (e.g. without root)
     */
    public void setSysctl(IpvsSysctl sysctl, int value) {
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("IPVS sysctl " + sysctl.key() + " must be 0 or 1 but was " + value);
        }
        Path p = sysctl.path(procSysVs);
        try {
            Files.writeString(p, Integer.toString(value));
        } catch (IOException e) {
            throw new IllegalStateException("IPVS sysctl " + sysctl.key() + ": cannot write " + p + " (it needs root"
                    + " in this network namespace): " + e, e);
        }
    }

    /** Sends a batch built by the codec; see {@link NetlinkSocket#requestBatch}. */
    List<NetlinkSocket.Failure> sendBatch(MessageWriter messages) {
        return socket.requestBatch(messages.buffer());
    }

    private List<Message> request(MessageWriter w, String what) {
        return socket.request(w.buffer(), what);
    }

    @Override
    public void close() {
        socket.close();
    }
}
