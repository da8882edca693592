package dev.lbkit.ha;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One VRRPv3 instance: a virtual router (VRID) on one interface and the floating IPs it moves. Immutable; build
 * with {@link #builder(String)}, which validates at {@link Builder#build()} and throws
 * {@link IllegalArgumentException} naming the field and the value. Two configurations are equal when every
 * field is, which is how {@link VrrpRouter#apply} recognises an unchanged instance.
 *
 * @param name                 the instance's name (in logs, status, listeners, notify commands)
 * @param interfaceName        the interface to speak VRRP on and put the floating IPs on
 * @param vrid                 virtual router id, 1..255; the pair must agree
 * @param priority             1..254, or 255 for the address owner (becomes master at once); default 100
 * @param advertInterval       the advert interval, 10 ms..40.95 s in steps of 10 ms (VRRPv3 counts
 *                             centiseconds); default 1 s
 * @param virtualAddresses     the floating IPs with prefix length, all of one family (IPv4 or IPv6)
 * @param preempt              whether a higher-priority backup takes over from a lower-priority master; default true
 * @param preemptDelay         after start, how long a higher-priority backup waits before it preempts; default 0
 * @param unicastSource        the source address of adverts; null: the interface's first IPv4 address, or its
 *                             IPv6 link-local address
 * @param unicastPeers         send adverts to these addresses instead of multicast 224.0.0.18, and accept adverts
 *                             only from them; empty: multicast
 * @param checksumMode         IPv4 checksum mode; default {@link ChecksumMode#PSEUDO_HEADER} (keepalived's)
 * @param acceptEitherChecksum accept adverts with either IPv4 checksum mode (for a pair in transition)
 * @param garpCount            gratuitous ARPs (IPv6: unsolicited neighbour advertisements) sent per floating IP
 *                             on becoming master (1..100); default 5, as keepalived
 * @param garpInterval         the pause between them; default 0 (all at once, as keepalived)
 * @param garpRefreshDelay     a second burst this long after becoming master; zero: none; default 5 s
 * @param trackedInterfaces    interface name to weight: weight 0 puts the instance in FAULT while the interface is
 *                             down, a positive weight lowers the priority by it
 * @param label                the IPv4 address label for the floating IPs (must start with the interface name,
 *                             e.g. {@code eth0:vip}); null: none
 * @param notifyCommand        a command run on every transition with the arguments {@code INSTANCE <name>
 *                             <MASTER|BACKUP|FAULT|INIT> <priority>} appended (keepalived's notify); empty: none
 */
public record VrrpInstanceConfig(String name, String interfaceName, int vrid, int priority, Duration advertInterval,
        List<VirtualAddress> virtualAddresses, boolean preempt, Duration preemptDelay, InetAddress unicastSource,
        List<InetAddress> unicastPeers, ChecksumMode checksumMode, boolean acceptEitherChecksum, int garpCount,
        Duration garpInterval, Duration garpRefreshDelay, Map<String, Integer> trackedInterfaces, String label,
        List<String> notifyCommand) {

    /** A floating IP with its prefix length. */
    public record VirtualAddress(InetAddress address, int prefixLength) {
        public VirtualAddress {
            Objects.requireNonNull(address, "address");
            int max = address instanceof Inet4Address ? 32 : 128;
            if (prefixLength < 1 || prefixLength > max) {
                throw new IllegalArgumentException("virtualAddress '" + address.getHostAddress() + "': prefix length "
                        + "must be 1.." + max + " but was " + prefixLength);
            }
        }

        /** Parses {@code 10.0.0.1/24} or {@code 2001:db8::1/64} (literal addresses only; no prefix: a host route). */
        public static VirtualAddress parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            InetAddress a = literal(host, "virtualAddress", text);
            int max = a instanceof Inet4Address ? 32 : 128;
            int prefix;
            try {
                prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("virtualAddress '" + text + "': prefix length is not a number");
            }
            return new VirtualAddress(a, prefix);
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + prefixLength;
        }
    }

    public VrrpInstanceConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
        }
        String p = "vrrp instance '" + name + "': ";
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
            throw new IllegalArgumentException(p + "interfaceName must be 1..15 characters but was '" + interfaceName
                    + "'");
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException(p + "vrid must be 1..255 but was " + vrid);
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException(p + "priority must be 1..255 but was " + priority);
        }
        Objects.requireNonNull(advertInterval, "advertInterval");
        long ms = advertInterval.toMillis();
        if (ms < 10 || ms > 40_950 || ms % 10 != 0 || advertInterval.toNanos() % 10_000_000 != 0) {
            throw new IllegalArgumentException(p + "advertInterval must be 10 ms..40.95 s in steps of 10 ms but was "
                    + advertInterval);
        }
        virtualAddresses = List.copyOf(virtualAddresses);
        if (virtualAddresses.isEmpty() || virtualAddresses.size() > 255) {
            throw new IllegalArgumentException(p + "virtualAddresses must hold 1..255 addresses but held "
                    + virtualAddresses.size());
        }
        boolean v4 = virtualAddresses.get(0).address() instanceof Inet4Address;
        for (VirtualAddress v : virtualAddresses) {
            if ((v.address() instanceof Inet4Address) != v4) {
                throw new IllegalArgumentException(p + "virtualAddresses must all be of one family but "
                        + v + " is not like " + virtualAddresses.get(0));
            }
        }
        if (virtualAddresses.stream().map(VirtualAddress::address).distinct().count() != virtualAddresses.size()) {
            throw new IllegalArgumentException(p + "virtualAddresses lists an address twice: " + virtualAddresses);
        }
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        if (preemptDelay.isNegative() || preemptDelay.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(p + "preemptDelay must be 0..1 h but was " + preemptDelay);
        }
        unicastPeers = List.copyOf(unicastPeers);
        if (unicastSource != null && (unicastSource instanceof Inet4Address) != v4) {
            throw new IllegalArgumentException(p + "unicastSource " + unicastSource.getHostAddress()
                    + " is not of the virtual addresses' family");
        }
        for (InetAddress peer : unicastPeers) {
            if ((peer instanceof Inet4Address) != v4) {
                throw new IllegalArgumentException(p + "unicastPeer " + peer.getHostAddress()
                        + " is not of the virtual addresses' family");
            }
        }
        Objects.requireNonNull(checksumMode, "checksumMode");
        if (garpCount < 1 || garpCount > 100) {
            throw new IllegalArgumentException(p + "garpCount must be 1..100 but was " + garpCount);
        }
        Objects.requireNonNull(garpInterval, "garpInterval");
        Objects.requireNonNull(garpRefreshDelay, "garpRefreshDelay");
        if (garpInterval.isNegative() || garpInterval.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException(p + "garpInterval must be 0..10 s but was " + garpInterval);
        }
        if (garpRefreshDelay.isNegative()) {
            throw new IllegalArgumentException(p + "garpRefreshDelay must not be negative but was " + garpRefreshDelay);
        }
        trackedInterfaces = Map.copyOf(trackedInterfaces);
        trackedInterfaces.forEach((iface, weight) -> {
            if (iface.isEmpty() || iface.length() > 15) {
                throw new IllegalArgumentException(p + "trackedInterface must be 1..15 characters but was '" + iface
                        + "'");
            }
            if (weight < 0 || weight > 254) {
                throw new IllegalArgumentException(p + "trackedInterface '" + iface + "': weight must be 0..254 but was "
                        + weight);
            }
        });
        if (label != null && (label.length() > 15 || !label.startsWith(interfaceName))) {
            throw new IllegalArgumentException(p + "label must start with the interface name '" + interfaceName
                    + "' and have at most 15 characters but was '" + label + "'");
        }
        notifyCommand = List.copyOf(notifyCommand);
    }

    /** A builder with the defaults above. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(name).interfaceName(interfaceName).vrid(vrid).priority(priority)
                .advertInterval(advertInterval).preempt(preempt).preemptDelay(preemptDelay)
                .unicastSource(unicastSource).checksumMode(checksumMode).acceptEitherChecksum(acceptEitherChecksum)
                .garpCount(garpCount).garpInterval(garpInterval).garpRefreshDelay(garpRefreshDelay).label(label)
                .notifyCommand(notifyCommand);
        b.virtualAddresses.addAll(virtualAddresses);
        b.unicastPeers.addAll(unicastPeers);
        b.tracked.putAll(trackedInterfaces);
        return b;
    }

    /** The advert interval in centiseconds, as the packet carries it. */
    public int advertCentis() {
        return (int) (advertInterval.toMillis() / 10);
    }

    /** Whether the floating IPs are IPv4. */
    public boolean isIpv4() {
        return virtualAddresses.get(0).address() instanceof Inet4Address;
    }

    /** Whether adverts go to unicast peers. */
    public boolean isUnicast() {
        return !unicastPeers.isEmpty();
    }

    /** The floating IPs without prefix lengths, in order. */
    public List<InetAddress> addresses() {
        List<InetAddress> out = new ArrayList<>(virtualAddresses.size());
        for (VirtualAddress v : virtualAddresses) {
            out.add(v.address());
        }
        return out;
    }

    /** Builds a {@link VrrpInstanceConfig}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private String interfaceName;
        private int vrid;
        private int priority = 100;
        private Duration advertInterval = Duration.ofSeconds(1);
        private final List<VirtualAddress> virtualAddresses = new ArrayList<>();
        private boolean preempt = true;
        private Duration preemptDelay = Duration.ZERO;
        private InetAddress unicastSource;
        private final List<InetAddress> unicastPeers = new ArrayList<>();
        private ChecksumMode checksumMode = ChecksumMode.PSEUDO_HEADER;
        private boolean acceptEitherChecksum;
        private int garpCount = 5;
        private Duration garpInterval = Duration.ZERO;
        private Duration garpRefreshDelay = Duration.ofSeconds(5);
        private final Map<String, Integer> tracked = new LinkedHashMap<>();
        private String label;
        private List<String> notifyCommand = List.of();

        private Builder(String name) {
            this.name = name;
        }

        public Builder interfaceName(String v) {
            interfaceName = v;
            return this;
        }

        public Builder vrid(int v) {
            vrid = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        public Builder advertInterval(Duration v) {
            advertInterval = v;
            return this;
        }

        /** Adds a floating IP, e.g. {@code 10.0.0.100/24}. */
        public Builder virtualAddress(String cidr) {
            virtualAddresses.add(VirtualAddress.parse(cidr));
            return this;
        }

        public Builder virtualAddress(VirtualAddress v) {
            virtualAddresses.add(v);
            return this;
        }

        /** Replaces the floating IPs. */
        public Builder virtualAddresses(List<VirtualAddress> v) {
            virtualAddresses.clear();
            virtualAddresses.addAll(v);
            return this;
        }

        public Builder preempt(boolean v) {
            preempt = v;
            return this;
        }

        public Builder preemptDelay(Duration v) {
            preemptDelay = v;
            return this;
        }

        public Builder unicastSource(InetAddress v) {
            unicastSource = v;
            return this;
        }

        /** The unicast source as a literal address. */
        public Builder unicastSource(String literal) {
            unicastSource = literal == null ? null : literal(literal, "unicastSource", literal);
            return this;
        }

        public Builder unicastPeer(InetAddress v) {
            unicastPeers.add(v);
            return this;
        }

        /** A unicast peer as a literal address. */
        public Builder unicastPeer(String literal) {
            unicastPeers.add(literal(literal, "unicastPeer", literal));
            return this;
        }

        public Builder checksumMode(ChecksumMode v) {
            checksumMode = v;
            return this;
        }

        public Builder acceptEitherChecksum(boolean v) {
            acceptEitherChecksum = v;
            return this;
        }

        public Builder garpCount(int v) {
            garpCount = v;
            return this;
        }

        public Builder garpInterval(Duration v) {
            garpInterval = v;
            return this;
        }

        public Builder garpRefreshDelay(Duration v) {
            garpRefreshDelay = v;
            return this;
        }

        /** Tracks an interface: weight 0 means FAULT while it is down, else the priority drops by the weight. */
        public Builder trackInterface(String iface, int weight) {
            tracked.put(iface, weight);
            return this;
        }

        public Builder label(String v) {
            label = v;
            return this;
        }

        public Builder notifyCommand(List<String> argv) {
            notifyCommand = argv == null ? List.of() : argv;
            return this;
        }

        /** @throws IllegalArgumentException naming the field and value that is wrong */
        public VrrpInstanceConfig build() {
            return new VrrpInstanceConfig(name, interfaceName, vrid, priority, advertInterval, virtualAddresses,
                    preempt, preemptDelay, unicastSource, unicastPeers, checksumMode, acceptEitherChecksum, garpCount,
                    garpInterval, garpRefreshDelay, tracked, label, notifyCommand);
        }
    }

    static InetAddress literal(String host, String field, String text) {
        String h = host.trim();
        boolean looksLiteral = !h.isEmpty() && (h.indexOf(':') >= 0 || h.chars().allMatch(c -> c == '.'
                || Character.isDigit(c)));
        if (!looksLiteral) {
            throw new IllegalArgumentException(field + " '" + text + "': not a literal IP address");
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(field + " '" + text + "': not a literal IP address");
        }
    }
}
