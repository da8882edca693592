package dev.lbkit.ha;

import dev.lbkit.api.HaState;
import dev.lbkit.api.HaStateListener;
import dev.lbkit.netlink.Message;
import dev.lbkit.netlink.Netlink;
import dev.lbkit.netlink.NetlinkMonitor;
import dev.lbkit.netlink.RouteNetlink;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VRRPv3 router: the instances of one node of an HA pair, their floating IPs and gratuitous ARPs. It pairs with
 * another lbkit node or with keepalived (same VRID, interval and checksum mode).
 *
 * <h2>How it runs</h2>
 * One thread ({@code lbkit-ha-vrrp}) owns every socket: a raw IP socket (protocol 112) per interface and family,
 * an AF_PACKET socket for gratuitous ARP and neighbour advertisements, a rtnetlink socket for the floating IPs and a netlink monitor of link
 * changes, plus an eventfd that other threads use to hand it work. It waits in ppoll(2) until the earliest timer
 * of any instance (with nanosecond resolution), so a backup acts in the same instant its master-down timer
 * expires: advert, floating IPs, gratuitous ARPs. Listeners and notify commands run on a second thread
 * ({@code lbkit-ha-notify}) so they never delay an advert.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} opens everything, removes floating IPs a killed earlier run left on the interfaces, and
 * starts every instance as backup (the address owner, priority 255, as master). {@link #apply} changes the
 * configuration; an instance whose configuration is unchanged is not touched. {@link #close()} is a clean stop:
 * a master sends a priority-0 advert (its backup takes over after only its skew time) and removes its floating
 * IPs.
 *
 * <p>IPv4 and IPv6: an IPv6 instance speaks to ff02::12 (or its unicast peers) from the interface's link-local
 * address with hop limit 255, adds its floating IPs with {@code nodad} and announces them with unsolicited
 * neighbour advertisements.
 */
public final class VrrpRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpRouter.class);
    private static final InetAddress VRRP_GROUP_V4 = VrrpCodec.addr(new byte[] {(byte) 224, 0, 0, 18});
    private static final InetAddress VRRP_GROUP_V6 = VrrpCodec.addr(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0x12});
    private static final int IPV6_FREEBIND = 78;
    private static final int READ_BUFFER = 8192;

    private final List<HaStateListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> syncGroups;
    private final String networkNamespace;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ExecutorService notifier;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile boolean abandon;

    // Owned by the loop thread from here on.
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Channel> channels = new HashMap<>();
    private final Map<String, RouteNetlink.Link> links = new HashMap<>();
    private final Map<DropReason, Long> routerDrops = new EnumMap<>(DropReason.class);
    private final List<GarpBurst> garps = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final ByteBuffer fromBuffer = ByteBuffer.allocateDirect(16);
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final ByteBuffer arpBuffer = ByteBuffer.allocateDirect(Ipv6.HEADER + Ipv6.NA_LEN);
    private final ByteBuffer eventBuffer = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer timespec = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private ByteBuffer pollFds = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
    private RouteNetlink rtnl;
    private NetlinkMonitor linkMonitor;
    private int eventFd = -1;
    private int packetFd = -1;
    private long linkResyncs;

    private VrrpRouter(Builder b) {
        this.syncGroups = Map.copyOf(b.syncGroups);
        this.networkNamespace = b.networkNamespace;
        this.listeners.addAll(b.listeners);
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                if (networkNamespace != null) {
                    HaNative.enterNetworkNamespace(networkNamespace);
                }
                r.run();
            }, "lbkit-ha-notify");
            t.setDaemon(true);
            return t;
        });
        List<VrrpInstanceConfig> initial = List.copyOf(b.instances);
        this.thread = new Thread(() -> run(initial), "lbkit-ha-vrrp");
        this.thread.setDaemon(true);
    }

    /** A builder: instances, sync groups, listeners, and optionally a network namespace. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the router: opens its sockets, removes stale floating IPs and starts every instance.
     *
     * @throws HaException when a socket, interface or address cannot be set up (the message says which)
     */
    private VrrpRouter startAndWait() {
        thread.start();
        try {
            started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            close();
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new HaException("vrrp router failed to start", c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new HaException("interrupted while starting the vrrp router", e);
        } catch (TimeoutException e) {
            close();
            throw new HaException("vrrp router did not start within 30 s", e);
        }
        return this;
    }

    /** Adds a listener told of every state change (on the notify thread). */
    public void addListener(HaStateListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Applies a new set of instances. An instance whose configuration is equal to the running one is left alone
     * (no transition, no gap in its adverts, its floating IPs stay). A changed priority, interval, preemption,
     * tracking or floating-IP list is changed in place (a master adds/removes only the floating IPs that changed
     * and announces the new ones); a changed VRID, interface, address family or unicast source restarts that
     * instance; instances no longer listed stop cleanly (priority 0) and new ones start.
     *
     * @throws IllegalArgumentException when two instances share a name
     */
    public void apply(List<VrrpInstanceConfig> configs) {
        Map<String, VrrpInstanceConfig> byName = new LinkedHashMap<>();
        for (VrrpInstanceConfig c : configs) {
            if (byName.put(c.name(), c) != null) {
                throw new IllegalArgumentException("vrrp instance '" + c.name() + "' is listed twice");
            }
            checkSupported(c);
        }
        call(() -> {
            applyOnLoop(byName);
            return null;
        });
    }

    /**
     * Lowers an instance's priority by {@code weight} on behalf of {@code source} (a health check, an
     * application callback); weight 0 withdraws that source's reduction. A master's next advert carries the new
     * priority at once, so a preempting backup with a higher priority takes over.
     *
     * @throws IllegalArgumentException for an unknown instance or a weight outside 0..254
     */
    public void adjustPriority(String instance, String source, int weight) {
        if (weight < 0 || weight > 254) {
            throw new IllegalArgumentException("weight must be 0..254 but was " + weight);
        }
        call(() -> {
            Instance i = instances.get(instance);
            if (i == null) {
                throw new IllegalArgumentException("no vrrp instance '" + instance + "'");
            }
            if (weight == 0) {
                i.external.remove(source);
            } else {
                i.external.put(source, weight);
            }
            reevaluate(System.nanoTime());
            return null;
        });
    }

    /** A snapshot of every instance and the counters. */
    public VrrpStatus status() {
        return call(this::snapshot);
    }

    /**
     * Clean stop: masters send a priority-0 advert and remove their floating IPs; every socket and thread is
     * released. Idempotent.
     */
    @Override
    public void close() {
        stopping = true;
        wake();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                stopped.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("vrrp router did not stop cleanly: {}", e.toString());
            }
        }
        notifier.shutdown();
        if (Thread.currentThread().getName().equals("lbkit-ha-notify")) {
            return; // closed from a listener: the notify thread ends when the listener returns
        }
        try {
            notifier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops like a killed process would: no priority-0 advert, floating IPs left on the interfaces. For tests of
     * the peer's failover and of the stale-address clean-up at the next start.
     */
    void abandon() {
        abandon = true;
        close();
    }

    // ------------------------------------------------------------------------------------------ the loop

    private void run(List<VrrpInstanceConfig> initial) {
        try {
            if (networkNamespace != null) {
                HaNative.enterNetworkNamespace(networkNamespace);
            }
            open();
            long now = System.nanoTime();
            for (VrrpInstanceConfig c : initial) {
                startInstance(c, now);
            }
            started.complete(null);
        } catch (Throwable t) {
            started.completeExceptionally(t);
            closeSockets();
            stopped.complete(null);
            return;
        }
        try {
            while (!stopping) {
                runCommands();
                fireTimers(System.nanoTime());
                waitForEvents(nextDeadline());
                readLinks();
                readPackets();
                drainEventFd();
            }
            runCommands();
            if (!abandon) {
                long now = System.nanoTime();
                for (Instance i : instances.values()) {
                    i.sm.shutdown(now);
                }
            }
        } catch (Throwable t) {
            LOG.error("vrrp router loop failed; stopping", t);
        } finally {
            closeSockets();
            stopped.complete(null);
            Runnable r;
            while ((r = commands.poll()) != null) {
                r.run(); // fail waiting callers fast
            }
        }
    }

    private void open() {
        eventFd = HaNative.libc().eventfd(0, HaNative.EFD_NONBLOCK | HaNative.EFD_CLOEXEC);
        if (eventFd < 0) {
            throw HaNative.error("eventfd", HaNative.errno());
        }
        rtnl = RouteNetlink.open();
        linkMonitor = NetlinkMonitor.open(Netlink.NETLINK_ROUTE, RouteNetlink.RTMGRP_LINK, 1 << 20);
        packetFd = HaNative.socket(HaNative.AF_PACKET, HaNative.SOCK_DGRAM, 0, "AF_PACKET, SOCK_DGRAM (gratuitous ARP)");
        dumpLinks();
    }

    private void closeSockets() {
        for (Channel ch : channels.values()) {
            HaNative.close(ch.fd);
        }
        channels.clear();
        HaNative.close(packetFd);
        packetFd = -1;
        if (linkMonitor != null) {
            linkMonitor.close();
        }
        if (rtnl != null) {
            rtnl.close();
        }
        HaNative.close(eventFd);
        eventFd = -1;
    }

    private void dumpLinks() {
        links.clear();
        for (RouteNetlink.Link l : rtnl.links()) {
            links.put(l.name(), l);
        }
    }

    private boolean usable(String iface) {
        RouteNetlink.Link l = links.get(iface);
        return l != null && l.isUsable();
    }

    private void readLinks() {
        boolean changed = false;
        for (Message m : linkMonitor.receive()) {
            if (m.type() == RouteNetlink.RTM_NEWLINK || m.type() == RouteNetlink.RTM_DELLINK) {
                RouteNetlink.Link l = RouteNetlink.parseLink(m);
                if (l.deleted()) {
                    links.remove(l.name());
                } else {
                    links.put(l.name(), l);
                }
                changed = true;
            }
        }
        if (linkMonitor.takeOverrun()) {
            linkResyncs++;
            LOG.warn("link notifications lost (netlink ENOBUFS); reading every link again");
            dumpLinks();
            changed = true;
        }
        if (changed) {
            reevaluate(System.nanoTime());
        }
    }

    /** Faults (own and sync group) and tracked priority reductions of every instance, from the current facts. */
    private void reevaluate(long now) {
        Map<String, String> ownFault = new HashMap<>();
        for (Instance i : instances.values()) {
            String why = null;
            if (!usable(i.config.interfaceName())) {
                why = "interface " + i.config.interfaceName() + " down";
            }
            int reduction = 0;
            for (Map.Entry<String, Integer> t : i.config.trackedInterfaces().entrySet()) {
                if (!usable(t.getKey())) {
                    if (t.getValue() == 0) {
                        why = why == null ? "tracked interface " + t.getKey() + " down" : why;
                    } else {
                        reduction += t.getValue();
                    }
                }
            }
            for (int w : i.external.values()) {
                reduction += w;
            }
            i.sm.setPriority(now, i.config.priority(), reduction);
            if (why != null) {
                ownFault.put(i.config.name(), why);
            }
        }
        for (Instance i : instances.values()) {
            String why = ownFault.get(i.config.name());
            if (why == null) {
                for (String member : groupOf(i.config.name())) {
                    if (ownFault.containsKey(member)) {
                        why = "sync group member " + member + " in fault";
                    }
                }
            }
            i.sm.setFault(now, why != null, why != null ? why : "fault cleared");
        }
    }

    private List<String> groupOf(String instance) {
        for (List<String> g : syncGroups.values()) {
            if (g.contains(instance)) {
                return g;
            }
        }
        return List.of();
    }

    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            r.run();
        }
    }

    private void fireTimers(long now) {
        for (Instance i : List.copyOf(instances.values())) {
            if (now >= i.sm.deadline()) {
                i.sm.onTimer(now);
            }
        }
        for (int k = 0; k < garps.size(); k++) {
            GarpBurst g = garps.get(k);
            if (now >= g.due) {
                if (g.instance.holding) {
                    sendGarps(g.instance, g.addresses, 1);
                    g.remaining--;
                }
                if (!g.instance.holding || g.remaining <= 0) {
                    garps.remove(k--);
                } else {
                    g.due = now + g.intervalNanos;
                }
            }
        }
    }

    private long nextDeadline() {
        long d = VrrpStateMachine.NEVER;
        for (Instance i : instances.values()) {
            d = Math.min(d, i.sm.deadline());
        }
        for (GarpBurst g : garps) {
            d = Math.min(d, g.due);
        }
        return d;
    }

    private void waitForEvents(long deadline) {
        List<Channel> chs = new ArrayList<>(channels.values());
        int n = 2 + chs.size();
        if (pollFds.capacity() < n * 8) {
            pollFds = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder());
        }
        pollFds.clear();
        putPollFd(0, eventFd);
        putPollFd(1, linkMonitor.fd());
        for (int k = 0; k < chs.size(); k++) {
            putPollFd(2 + k, chs.get(k).fd);
        }
        long wait = deadline == VrrpStateMachine.NEVER ? 60_000_000_000L
                : Math.max(0, deadline - System.nanoTime());
        timespec.putLong(0, wait / 1_000_000_000L).putLong(8, wait % 1_000_000_000L);
        if (stopping || !commands.isEmpty()) {
            timespec.putLong(0, 0).putLong(8, 0);
        }
        int rc = HaNative.libc().ppoll(pollFds, n, timespec, null);
        if (rc < 0 && HaNative.errno() != HaNative.EINTR) {
            throw HaNative.error("ppoll", HaNative.errno());
        }
    }

    private void putPollFd(int index, int fd) {
        pollFds.putInt(index * 8, fd).putShort(index * 8 + 4, (short) HaNative.POLLIN).putShort(index * 8 + 6,
                (short) 0);
    }

    private void drainEventFd() {
        HaNative.libc().read(eventFd, eventBuffer, 8);
    }

    private void wake() {
        int fd = eventFd;
        if (fd >= 0) {
            ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            one.putLong(0, 1);
            HaNative.libc().write(fd, one, 8);
        }
    }

    private <T> T call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (Thread.currentThread() == thread) {
            return work.get();
        }
        if (stopped.isDone()) {
            throw new IllegalStateException("vrrp router stopped");
        }
        commands.add(() -> {
            if (stopped.isDone()) {
                f.completeExceptionally(new IllegalStateException("vrrp router stopped"));
                return;
            }
            try {
                f.complete(work.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        wake();
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new HaException("vrrp router call failed", c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaException("interrupted", e);
        } catch (TimeoutException e) {
            throw new HaException("vrrp router did not answer within 10 s", e);
        }
    }

    // ------------------------------------------------------------------------------------------ packets

    private void readPackets() {
        for (Channel ch : channels.values()) {
            if (!ch.v4) {
                for (int k = 0; k < 256; k++) {
                    Ipv6.Received r = ch.receiver.receive(ch.fd);
                    if (r == null) {
                        break;
                    }
                    InetAddress dst = r.destination() != null ? r.destination() : VRRP_GROUP_V6;
                    receive(ch, r.source(), dst, r.hopLimit(), r.payload(), System.nanoTime());
                }
                continue;
            }
            for (int k = 0; k < 256; k++) { // bounded per wake-up; the rest waits for the next turn
                readBuffer.clear();
                fromBuffer.clear();
                int[] fromLen = {16};
                long n = HaNative.libc().recvfrom(ch.fd, readBuffer, READ_BUFFER, HaNative.MSG_DONTWAIT, fromBuffer,
                        fromLen);
                if (n < 0) {
                    int e = HaNative.errno();
                    if (e == HaNative.EAGAIN || e == HaNative.EINTR) {
                        break;
                    }
                    throw HaNative.error("recvfrom(vrrp on " + ch.iface + ")", e);
                }
                ByteBuffer packet = readBuffer.duplicate().position(0).limit((int) n);
                VrrpCodec.Ipv4 ip;
                try {
                    ip = VrrpCodec.parseIpv4(packet);
                } catch (VrrpCodec.Malformed e) {
                    dropRouter(e.reason, e.getMessage(), null);
                    continue;
                }
                receive(ch, ip.source(), ip.destination(), ip.ttl(), ip.payload(), System.nanoTime());
            }
        }
    }

    private void receive(Channel ch, InetAddress source, InetAddress destination, int ttl, ByteBuffer v, long now) {
        if (ch.localAddresses.contains(source)) {
            return; // our own advert (multicast loop is off, but another instance's socket may see it)
        }
        record Ip(InetAddress source, InetAddress destination, int ttl) {}
        Ip ip = new Ip(source, destination, ttl);
        int vrid = v.remaining() >= 2 ? v.get(1) & 0xff : -1;
        Instance inst = ch.byVrid.get(vrid);
        if (inst == null) {
            // Not ours: checks that need no instance still tell a malformed packet from a foreign router.
            try {
                VrrpCodec.decode(v, ip.source(), ip.destination(), ip.ttl(), ChecksumMode.PSEUDO_HEADER, true);
                dropRouter(DropReason.VRID, "VRID " + vrid, ip.source());
            } catch (VrrpCodec.Malformed e) {
                dropRouter(e.reason, e.getMessage(), ip.source());
            }
            return;
        }
        VrrpInstanceConfig c = inst.config;
        VrrpCodec.Advert a;
        try {
            a = VrrpCodec.decode(v, ip.source(), ip.destination(), ip.ttl(), c.checksumMode(),
                    c.acceptEitherChecksum());
        } catch (VrrpCodec.Malformed e) {
            inst.drop(e.reason, e.getMessage(), ip.source());
            return;
        }
        if (c.isUnicast() && !c.unicastPeers().contains(ip.source())) {
            inst.drop(DropReason.SOURCE, "not a configured unicast peer", ip.source());
            return;
        }
        if (a.priority() != 255) {
            if (a.addresses().size() != c.virtualAddresses().size()) {
                inst.drop(DropReason.ADDRESS_COUNT, a.addresses().size() + " addresses, configured "
                        + c.virtualAddresses().size(), ip.source());
                return;
            }
            if (!new java.util.HashSet<>(a.addresses()).equals(new java.util.HashSet<>(c.addresses()))) {
                inst.drop(DropReason.ADDRESS_LIST, "addresses " + a.addresses() + " differ from " + c.addresses(),
                        ip.source());
                return;
            }
        }
        inst.sm.onAdvert(now, a.priority(), a.maxAdvertCentis(), ip.source());
    }

    private void dropRouter(DropReason reason, String detail, InetAddress source) {
        long n = routerDrops.merge(reason, 1L, Long::sum);
        if (Long.bitCount(n) == 1) { // log the 1st, 2nd, 4th, 8th ... of each kind
            LOG.warn("dropped VRRP packet{}: {} ({} so far)", source == null ? "" : " from "
                    + source.getHostAddress(), detail, n);
        }
    }

    private void sendAdvert(Instance inst, int priority) {
        VrrpInstanceConfig c = inst.config;
        VrrpCodec.Advert a = new VrrpCodec.Advert(c.vrid(), priority, c.advertCentis(), c.addresses());
        Channel ch = inst.channel;
        List<InetAddress> destinations = c.isUnicast() ? c.unicastPeers()
                : List.of(ch.v4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6);
        for (InetAddress dst : destinations) {
            byte[] vrrp = VrrpCodec.encode(a, inst.source, dst, c.checksumMode());
            // IPv4: the whole packet (IP_HDRINCL, TTL 255, TOS 0xc0); IPv6: the kernel adds the header (hop
            // limit 255, traffic class 0xc0 set on the socket) from the bound source.
            byte[] packet = ch.v4 ? VrrpCodec.ipv4Packet(vrrp, inst.source, dst, VrrpCodec.TTL) : vrrp;
            sendBuffer.clear();
            sendBuffer.put(packet).flip();
            ByteBuffer to = ch.sockaddrs.computeIfAbsent(dst, d -> ch.v4 ? HaNative.sockaddrIn(d.getAddress())
                    : HaNative.sockaddrIn6(d.getAddress(), ch.ifindex));
            long n = HaNative.libc().sendto(ch.fd, sendBuffer, packet.length, 0, to, to.capacity());
            if (n < 0) {
                int e = HaNative.errno();
                inst.sendErrors++;
                if (Long.bitCount(inst.sendErrors) == 1) {
                    LOG.warn("vrrp instance '{}': sending advert to {} failed: {} ({} so far)", c.name(),
                            dst.getHostAddress(), HaNative.error("sendto", e).getMessage(), inst.sendErrors);
                }
            }
        }
    }

    private void sendGarps(Instance inst, List<InetAddress> addresses, int rounds) {
        RouteNetlink.Link l = links.get(inst.config.interfaceName());
        if (l == null || l.hardwareAddress().length != 6) {
            return;
        }
        ByteBuffer to = inst.channel.announceDestination;
        ByteBuffer buf = arpBuffer;
        for (int r = 0; r < rounds; r++) {
            for (InetAddress ip : addresses) {
                buf.clear();
                byte[] frame = inst.channel.v4 ? Arp.gratuitous(l.hardwareAddress(), ip)
                        : Ipv6.unsolicitedNa(l.hardwareAddress(), ip);
                buf.put(frame).flip();
                if (HaNative.libc().sendto(packetFd, buf, frame.length, 0, to, Arp.SOCKADDR_LL_LEN) < 0) {
                    LOG.warn("vrrp instance '{}': gratuitous ARP for {} failed: {}", inst.config.name(),
                            ip.getHostAddress(), HaNative.error("sendto(AF_PACKET)", HaNative.errno()).getMessage());
                } else {
                    inst.garpsSent++;
                }
            }
        }
    }

    private void announce(Instance inst, List<InetAddress> addresses, long now) {
        VrrpInstanceConfig c = inst.config;
        long interval = c.garpInterval().toNanos();
        if (interval == 0) {
            sendGarps(inst, addresses, c.garpCount());
        } else {
            sendGarps(inst, addresses, 1);
            if (c.garpCount() > 1) {
                garps.add(new GarpBurst(inst, addresses, now + interval, interval, c.garpCount() - 1));
            }
        }
        if (!c.garpRefreshDelay().isZero()) {
            garps.add(new GarpBurst(inst, addresses, now + c.garpRefreshDelay().toNanos(),
                    Math.max(interval, 1), c.garpCount()));
        }
    }

    // ------------------------------------------------------------------------------------------ instances

    private static void checkSupported(VrrpInstanceConfig c) {
        if (!c.isIpv4() && c.label() != null) {
            throw new IllegalArgumentException("vrrp instance '" + c.name() + "': label '" + c.label()
                    + "' is for IPv4 addresses only (IPv6 addresses have no labels)");
        }
    }

    private Channel channel(String iface, boolean v4, int ifindex, InetAddress source) {
        String key = iface + (v4 ? "/ipv4" : "/ipv6");
        Channel ch = channels.get(key);
        if (ch != null) {
            if (!v4 && !ch.bound.equals(source)) {
                throw new IllegalArgumentException("IPv6 instances on " + iface + " must share one source address, "
                        + ch.bound.getHostAddress() + " or " + source.getHostAddress());
            }
            return ch;
        }
        int fd = HaNative.socket(v4 ? HaNative.AF_INET : HaNative.AF_INET6, HaNative.SOCK_RAW | HaNative.SOCK_NONBLOCK,
                HaNative.IPPROTO_VRRP, (v4 ? "AF_INET" : "AF_INET6") + ", SOCK_RAW, 112 on " + iface);
        try {
            HaNative.bindToDevice(fd, iface);
            if (v4) {
                HaNative.setInt(fd, HaNative.IPPROTO_IP, HaNative.IP_HDRINCL, 1, "IP_HDRINCL");
                HaNative.setInt(fd, HaNative.IPPROTO_IP, HaNative.IP_TOS, VrrpCodec.TOS_INTERNETCONTROL, "IP_TOS");
                HaNative.setInt(fd, HaNative.IPPROTO_IP, HaNative.IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL");
                HaNative.setInt(fd, HaNative.IPPROTO_IP, HaNative.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
                HaNative.setBytes(fd, HaNative.IPPROTO_IP, HaNative.IP_MULTICAST_IF,
                        HaNative.ipMreqn(new byte[4], ifindex), "IP_MULTICAST_IF " + iface);
                HaNative.setBytes(fd, HaNative.IPPROTO_IP, HaNative.IP_ADD_MEMBERSHIP,
                        HaNative.ipMreqn(VRRP_GROUP_V4.getAddress(), ifindex), "IP_ADD_MEMBERSHIP 224.0.0.18 on "
                                + iface);
            } else {
                int l6 = HaNative.IPPROTO_IPV6;
                HaNative.setInt(fd, l6, HaNative.IPV6_TCLASS, VrrpCodec.TOS_INTERNETCONTROL, "IPV6_TCLASS");
                HaNative.setInt(fd, l6, HaNative.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
                HaNative.setInt(fd, l6, HaNative.IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
                HaNative.setInt(fd, l6, HaNative.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
                HaNative.setInt(fd, l6, HaNative.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF " + iface);
                HaNative.setInt(fd, l6, HaNative.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                HaNative.setInt(fd, l6, HaNative.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
                HaNative.setBytes(fd, l6, HaNative.IPV6_JOIN_GROUP,
                        HaNative.ipv6Mreq(VRRP_GROUP_V6.getAddress(), ifindex), "IPV6_JOIN_GROUP ff02::12 on " + iface);
                // The source of adverts is the address bound; it may still be tentative (DAD) at boot.
                HaNative.setInt(fd, l6, IPV6_FREEBIND, 1, "IPV6_FREEBIND");
                ByteBuffer sa = HaNative.sockaddrIn6(source.getAddress(), source.isLinkLocalAddress() ? ifindex : 0);
                HaNative.check(HaNative.libc().bind(fd, sa, 28), "bind(" + source.getHostAddress() + "%" + iface + ")");
            }
        } catch (RuntimeException e) {
            HaNative.close(fd);
            throw e;
        }
        ch = new Channel(iface, ifindex, fd, v4, source);
        channels.put(key, ch);
        return ch;
    }

    private void startInstance(VrrpInstanceConfig c, long now) {
        checkSupported(c);
        for (Instance other : instances.values()) {
            if (other.config.interfaceName().equals(c.interfaceName()) && other.config.vrid() == c.vrid()) {
                throw new IllegalArgumentException("vrrp instance '" + c.name() + "': vrid " + c.vrid()
                        + " on " + c.interfaceName() + " is already used by instance '" + other.config.name() + "'");
            }
        }
        boolean v4 = c.isIpv4();
        int ifindex = HaNative.ifindex(c.interfaceName());
        List<RouteNetlink.Address> present = rtnl.addresses(v4 ? RouteNetlink.AF_INET : RouteNetlink.AF_INET6,
                ifindex);
        // Stale floating IPs: a killed earlier run (ours or keepalived's) left them; remove before BACKUP.
        for (VrrpInstanceConfig.VirtualAddress v : c.virtualAddresses()) {
            for (RouteNetlink.Address a : present) {
                if (a.address().equals(v.address())) {
                    rtnl.removeAddress(ifindex, a.address(), a.prefixLength());
                    LOG.info("vrrp instance '{}': removed stale floating IP {}/{} from {}", c.name(),
                            a.address().getHostAddress(), a.prefixLength(), c.interfaceName());
                }
            }
        }
        InetAddress source = c.unicastSource();
        if (source == null) {
            for (RouteNetlink.Address a : present) {
                boolean eligible = v4 ? !a.hasFlag(RouteNetlink.IFA_F_SECONDARY) : a.address().isLinkLocalAddress();
                if (!c.addresses().contains(a.address()) && eligible) {
                    source = a.address();
                    break;
                }
            }
        }
        if (source == null) {
            throw new HaException("vrrp instance '" + c.name() + "': interface " + c.interfaceName()
                    + (v4 ? " has no IPv4 address" : " has no IPv6 link-local address")
                    + " to send adverts from (set unicastSource)");
        }
        Channel ch = channel(c.interfaceName(), v4, ifindex, source);
        warmUp(c, ch);
        for (RouteNetlink.Address a : present) {
            if (!c.addresses().contains(a.address())) {
                ch.localAddresses.add(a.address());
            }
        }
        ch.localAddresses.add(source);
        Instance inst = new Instance(c, ch, source);
        instances.put(c.name(), inst);
        ch.byVrid.put(c.vrid(), inst);
        inst.sm.start(now, usable(c.interfaceName()));
        reevaluate(now);
    }

    /**
     * Runs the code of a takeover once without effect (address request built, an absent address removed, an ARP
     * frame built), so that class loading and JNR-FFI stub generation do not delay the first real takeover.
     */
    private void warmUp(VrrpInstanceConfig c, Channel ch) {
        for (VrrpInstanceConfig.VirtualAddress v : c.virtualAddresses()) {
            RouteNetlink.newAddressRequest(new dev.lbkit.netlink.MessageWriter(128), ch.ifindex, v.address(),
                    v.prefixLength(), c.label(), ch.v4 ? 0 : RouteNetlink.IFA_F_NODAD);
            rtnl.removeAddress(ch.ifindex, v.address(), v.prefixLength()); // absent now: EADDRNOTAVAIL path
            if (ch.v4) {
                Arp.gratuitous(new byte[6], v.address());
            } else {
                Ipv6.unsolicitedNa(new byte[6], v.address());
            }
        }
        VrrpCodec.Advert a = new VrrpCodec.Advert(c.vrid(), c.priority(), c.advertCentis(), c.addresses());
        InetAddress g = ch.v4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6;
        byte[] vrrp = VrrpCodec.encode(a, g, g, c.checksumMode());
        if (ch.v4) {
            VrrpCodec.ipv4Packet(vrrp, g, g, VrrpCodec.TTL);
        }
    }

    private void stopInstance(Instance inst, long now) {
        inst.sm.shutdown(now);
        instances.remove(inst.config.name());
        inst.channel.byVrid.remove(inst.config.vrid());
        garps.removeIf(g -> g.instance == inst);
    }

    private void applyOnLoop(Map<String, VrrpInstanceConfig> byName) {
        long now = System.nanoTime();
        for (Instance old : List.copyOf(instances.values())) {
            if (!byName.containsKey(old.config.name())) {
                stopInstance(old, now);
            }
        }
        for (VrrpInstanceConfig c : byName.values()) {
            Instance old = instances.get(c.name());
            if (old == null) {
                startInstance(c, now);
                continue;
            }
            if (old.config.equals(c)) {
                continue; // unchanged: no transition, adverts go on, floating IPs stay
            }
            VrrpInstanceConfig o = old.config;
            boolean restart = o.vrid() != c.vrid() || !o.interfaceName().equals(c.interfaceName())
                    || o.isIpv4() != c.isIpv4() || !Objects.equals(o.unicastSource(), c.unicastSource());
            if (restart) {
                stopInstance(old, now);
                startInstance(c, now);
                continue;
            }
            List<VrrpInstanceConfig.VirtualAddress> removed = new ArrayList<>(o.virtualAddresses());
            removed.removeAll(c.virtualAddresses());
            List<VrrpInstanceConfig.VirtualAddress> added = new ArrayList<>(c.virtualAddresses());
            added.removeAll(o.virtualAddresses());
            old.config = c;
            old.sm.reconfigure(c.advertCentis(), c.preempt(), c.preemptDelay().toNanos(), old.source);
            if (old.holding) {
                for (VrrpInstanceConfig.VirtualAddress v : removed) {
                    rtnl.removeAddress(old.channel.ifindex, v.address(), v.prefixLength());
                }
                List<InetAddress> fresh = new ArrayList<>();
                for (VrrpInstanceConfig.VirtualAddress v : added) {
                    addAddress(old, v);
                    fresh.add(v.address());
                }
                if (!fresh.isEmpty()) {
                    announce(old, fresh, now);
                }
            }
            reevaluate(now);
        }
    }

    private void addAddress(Instance inst, VrrpInstanceConfig.VirtualAddress v) {
        try {
            // IPv6: nodad, so the floating IP is usable at once and never tentative (DAD would also see the
            // other node's stale copy and fail it).
            rtnl.addAddress(inst.channel.ifindex, v.address(), v.prefixLength(), inst.config.label(),
                    inst.channel.v4 ? 0 : RouteNetlink.IFA_F_NODAD);
        } catch (RuntimeException e) {
            LOG.error("vrrp instance '{}': cannot add floating IP {}: {}", inst.config.name(), v, e.getMessage());
        }
    }

    private VrrpStatus snapshot() {
        List<VrrpInstanceStatus> out = new ArrayList<>();
        for (Instance i : instances.values()) {
            VrrpStateMachine sm = i.sm;
            out.add(new VrrpInstanceStatus(i.config.name(), sm.state(), sm.effectivePriority(), sm.masterAddress(),
                    i.holding, i.config.addresses(), sm.advertsSent, sm.advertsReceived, sm.becameMaster,
                    sm.splitBrains, sm.priorityZeroReceived, i.drops));
        }
        return new VrrpStatus(out, routerDrops, linkResyncs);
    }

    private void notifyTransition(Instance inst, HaState from, HaState to, String reason) {
        String name = inst.config.name();
        int priority = inst.sm.effectivePriority();
        List<String> command = inst.config.notifyCommand();
        if (to == HaState.MASTER || from == HaState.MASTER || to == HaState.FAULT) {
            LOG.info("vrrp instance '{}': {} -> {} ({})", name, from, to, reason);
        } else {
            LOG.debug("vrrp instance '{}': {} -> {} ({})", name, from, to, reason);
        }
        if (stopping && to == HaState.INIT && notifier.isShutdown()) {
            return;
        }
        try {
            notifier.execute(() -> {
                for (HaStateListener l : listeners) {
                    try {
                        l.onHaStateChange(name, from, to, reason);
                    } catch (RuntimeException e) {
                        LOG.warn("HA state listener failed for instance '{}'", name, e);
                    }
                }
                if (!command.isEmpty()) {
                    List<String> argv = new ArrayList<>(command);
                    argv.addAll(List.of("INSTANCE", name, to.name(), Integer.toString(priority)));
                    try {
                        new ProcessBuilder(argv).redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    } catch (java.io.IOException e) {
                        LOG.warn("vrrp instance '{}': notify command {} failed: {}", name, argv, e.getMessage());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("notify thread gone; {} -> {} of '{}' not delivered", from, to, name);
        }
    }

    /** One raw socket per interface, shared by the instances on it and dispatched by VRID. */
    private static final class Channel {
        final String iface;
        final int ifindex;
        final int fd;
        final Map<Integer, Instance> byVrid = new HashMap<>();
        final java.util.Set<InetAddress> localAddresses = new java.util.HashSet<>();
        final ByteBuffer announceDestination;
        final boolean v4;
        final InetAddress bound;
        final Ipv6.Receiver receiver;
        final Map<InetAddress, ByteBuffer> sockaddrs = new HashMap<>();

        Channel(String iface, int ifindex, int fd, boolean v4, InetAddress bound) {
            this.iface = iface;
            this.ifindex = ifindex;
            this.fd = fd;
            this.v4 = v4;
            this.bound = bound;
            this.announceDestination = v4 ? Arp.broadcastAddress(ifindex) : Ipv6.allNodesAddress(ifindex);
            this.receiver = v4 ? null : new Ipv6.Receiver(READ_BUFFER);
        }
    }

    private static final class GarpBurst {
        final Instance instance;
        final List<InetAddress> addresses;
        final long intervalNanos;
        long due;
        int remaining;

        GarpBurst(Instance instance, List<InetAddress> addresses, long due, long intervalNanos, int remaining) {
            this.instance = instance;
            this.addresses = addresses;
            this.due = due;
            this.intervalNanos = intervalNanos;
            this.remaining = remaining;
        }
    }

    /** An instance: its configuration, state machine, and what it holds. */
    private final class Instance implements VrrpStateMachine.Actions {
        VrrpInstanceConfig config;
        final Channel channel;
        final InetAddress source;
        final VrrpStateMachine sm;
        final Map<String, Integer> external = new HashMap<>();
        final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        boolean holding;
        long sendErrors;
        long garpsSent;

        Instance(VrrpInstanceConfig config, Channel channel, InetAddress source) {
            this.config = config;
            this.channel = channel;
            this.source = source;
            this.sm = new VrrpStateMachine(this, config.priority(), config.advertCentis(), config.preempt(),
                    config.preemptDelay().toNanos(), source);
        }

        void drop(DropReason reason, String detail, InetAddress from) {
            long n = drops.merge(reason, 1L, Long::sum);
            if (Long.bitCount(n) == 1) {
                LOG.warn("vrrp instance '{}': dropped advert from {}: {} ({} so far)", config.name(),
                        from == null ? "?" : from.getHostAddress(), detail, n);
            }
        }

        @Override
        public void sendAdvert(int priority) {
            VrrpRouter.this.sendAdvert(this, priority);
        }

        @Override
        public void takeAddresses() {
            for (VrrpInstanceConfig.VirtualAddress v : config.virtualAddresses()) {
                addAddress(this, v);
            }
            holding = true;
            announce(this, config.addresses(), System.nanoTime());
        }

        @Override
        public void releaseAddresses() {
            holding = false;
            garps.removeIf(g -> g.instance == this);
            for (VrrpInstanceConfig.VirtualAddress v : config.virtualAddresses()) {
                try {
                    rtnl.removeAddress(channel.ifindex, v.address(), v.prefixLength());
                } catch (RuntimeException e) {
                    LOG.error("vrrp instance '{}': cannot remove floating IP {}: {}", config.name(), v,
                            e.getMessage());
                }
            }
        }

        @Override
        public void stateChanged(HaState from, HaState to, String reason) {
            notifyTransition(this, from, to, reason);
            long now = System.nanoTime();
            for (String member : groupOf(config.name())) {
                Instance other = instances.get(member);
                if (other == null || other == this) {
                    continue;
                }
                if (to == HaState.MASTER) {
                    other.sm.forceMaster(now, "sync group: " + config.name() + " became master");
                } else if (from == HaState.MASTER && to == HaState.BACKUP) {
                    other.sm.forceBackup(now, "sync group: " + config.name() + " became backup");
                }
            }
        }
    }

    /** Builds and starts a {@link VrrpRouter}. */
    public static final class Builder {
        private final List<VrrpInstanceConfig> instances = new ArrayList<>();
        private final Map<String, List<String>> syncGroups = new LinkedHashMap<>();
        private final List<HaStateListener> listeners = new ArrayList<>();
        private String networkNamespace;

        private Builder() {}

        public Builder instance(VrrpInstanceConfig c) {
            instances.add(Objects.requireNonNull(c, "instance"));
            return this;
        }

        /**
         * Instances that change state together (e.g. the external VIP side and the internal NAT gateway side):
         * when one becomes master the others follow at once; when one leaves master the others do; when one is
         * in FAULT all are.
         */
        public Builder syncGroup(String name, String... members) {
            if (members.length < 2) {
                throw new IllegalArgumentException("syncGroup '" + name + "' needs at least 2 members but has "
                        + members.length);
            }
            syncGroups.put(name, List.of(members));
            return this;
        }

        public Builder listener(HaStateListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * Runs the router's threads in this network namespace (e.g. {@code /run/netns/lb1}, keepalived's
         * {@code net_namespace}); null: the process's own.
         */
        public Builder networkNamespace(String path) {
            networkNamespace = path;
            return this;
        }

        /**
         * Validates, opens the sockets, removes stale floating IPs and starts every instance.
         *
         * @throws IllegalArgumentException for an invalid combination (duplicate names, unknown sync-group member)
         * @throws HaException              when the operating system refuses a socket, interface or address
         */
        public VrrpRouter start() {
            Map<String, VrrpInstanceConfig> names = new HashMap<>();
            for (VrrpInstanceConfig c : instances) {
                if (names.put(c.name(), c) != null) {
                    throw new IllegalArgumentException("vrrp instance '" + c.name() + "' is listed twice");
                }
                checkSupported(c);
            }
            java.util.Set<String> grouped = new java.util.HashSet<>();
            syncGroups.forEach((g, members) -> {
                for (String m : members) {
                    if (!names.containsKey(m)) {
                        throw new IllegalArgumentException("syncGroup '" + g + "': no vrrp instance '" + m + "'");
                    }
                    if (!grouped.add(m)) {
                        throw new IllegalArgumentException("syncGroup '" + g + "': instance '" + m
                                + "' is already in another sync group");
                    }
                }
            });
            return new VrrpRouter(this).startAndWait();
        }
    }
}
