package dev.lbkit.examples.appliance;

import dev.lbkit.ha.ChecksumMode;
import dev.lbkit.ha.VrrpInstanceConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ha} section of the configuration file: decoded into {@link ApplianceConfig.Ha} (with the file, line
 * and field of every error) and written back. Keys follow lb-ha's {@link VrrpInstanceConfig} (keepalived's
 * {@code vrrp_instance} under the names lbkit uses elsewhere).
 */
final class HaSection {
    /** An instance with every default, for leaving defaults out when writing. */
    private static final VrrpInstanceConfig DEFAULTS = VrrpInstanceConfig.builder("defaults").interfaceName("eth0")
            .vrid(1).virtualAddress("192.0.2.1/32").build();

    private HaSection() {}

    /** Decodes the section; absent or empty is {@link ApplianceConfig.Ha#NONE}. */
    static ApplianceConfig.Ha decode(Optional<Node> node) throws ConfigException {
        if (node.isEmpty()) {
            return ApplianceConfig.Ha.NONE;
        }
        Fields f = Fields.of(node.get());
        List<VrrpInstanceConfig> instances = new ArrayList<>();
        Map<String, Node> instanceNodes = f.map("instances");
        Map<String, String> vrids = new HashMap<>();
        for (Map.Entry<String, Node> e : instanceNodes.entrySet()) {
            VrrpInstanceConfig c = instance(e.getKey(), e.getValue());
            String twin = vrids.put(c.interfaceName() + "/" + c.vrid() + "/" + c.isIpv4(), e.getKey());
            if (twin != null) {
                throw new ConfigException(Fields.of(e.getValue()).at("vrid"), "instance '" + e.getKey()
                        + "' uses vrid " + c.vrid() + " on " + c.interfaceName() + " like instance '" + twin
                        + "'; each virtual router needs its own vrid per interface and family");
            }
            instances.add(c);
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> groupOf = new HashMap<>();
        Optional<Node> groupsNode = f.get("syncGroups");
        Fields holder = groupsNode.isPresent() ? Fields.of(groupsNode.get()) : null;
        for (Map.Entry<String, Node> g : f.map("syncGroups").entrySet()) {
            List<String> members = holder.strings(g.getKey());
            List<Node> memberNodes = holder.list(g.getKey());
            if (members.size() < 2) {
                throw new ConfigException(g.getValue().location(), "a sync group needs at least 2 instances but has "
                        + members.size());
            }
            for (int i = 0; i < members.size(); i++) {
                String m = members.get(i);
                if (!instanceNodes.containsKey(m)) {
                    throw new ConfigException(memberNodes.get(i).location(), "no instance '" + m + "' in ha.instances"
                            + " (instances: " + String.join(", ", instanceNodes.keySet()) + ")");
                }
                String other = groupOf.put(m, g.getKey());
                if (other != null) {
                    throw new ConfigException(memberNodes.get(i).location(), "instance '" + m
                            + "' is already in sync group '" + other + "'");
                }
            }
            groups.put(g.getKey(), members);
        }
        Optional<ApplianceConfig.Ha.IpvsSync> sync = Optional.empty();
        Optional<Node> syncNode = f.get("ipvsSync");
        if (syncNode.isPresent()) {
            Fields s = Fields.of(syncNode.get());
            String instance = s.requireString("instance");
            if (!instanceNodes.containsKey(instance)) {
                throw new ConfigException(s.at("instance"), "no instance '" + instance + "' in ha.instances");
            }
            String iface = s.requireString("interface");
            if (iface.isEmpty() || iface.length() > 15) {
                throw new ConfigException(s.at("interface"), "must be an interface name of 1..15 characters but was '"
                        + iface + "'");
            }
            int syncId = s.integer("syncId", 0);
            if (syncId < 0 || syncId > 255) {
                throw new ConfigException(s.at("syncId"), "must be 0..255 but was " + syncId);
            }
            s.done();
            sync = Optional.of(new ApplianceConfig.Ha.IpvsSync(instance, iface, syncId));
        }
        f.done();
        if (instances.isEmpty() && (!groups.isEmpty() || sync.isPresent())) {
            throw new ConfigException(f.location(), "syncGroups and ipvsSync need at least one entry in instances");
        }
        return new ApplianceConfig.Ha(instances, groups, sync);
    }

    private static VrrpInstanceConfig instance(String name, Node node) throws ConfigException {
        Fields f = Fields.of(node);
        VrrpInstanceConfig.Builder b = VrrpInstanceConfig.builder(name);
        try {
            b.interfaceName(f.requireString("interface"));
            b.vrid(Fields.integer(f.require("vrid")));
            b.priority(f.integer("priority", 100));
            f.duration("advertInterval").ifPresent(b::advertInterval);
            List<String> addresses = f.strings("virtualAddresses");
            List<Node> addressNodes = f.list("virtualAddresses");
            if (addresses.isEmpty()) {
                throw new ConfigException(f.at("virtualAddresses"), "virtualAddresses is required: the floating IPs "
                        + "with prefix length, e.g. [192.0.2.10/24]");
            }
            for (int i = 0; i < addresses.size(); i++) {
                try {
                    b.virtualAddress(VrrpInstanceConfig.VirtualAddress.parse(addresses.get(i).trim()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(addressNodes.get(i).location(), e.getMessage(), e);
                }
            }
            b.preempt(f.bool("preempt", true));
            f.duration("preemptDelay").ifPresent(b::preemptDelay);
            Optional<Node> source = f.get("unicastSource");
            if (source.isPresent()) {
                b.unicastSource(literal(source.get()));
            }
            for (Node peer : f.list("unicastPeers")) {
                b.unicastPeer(literal(peer));
            }
            f.enumValue("checksumMode", ChecksumMode.class, Map.of()).ifPresent(b::checksumMode);
            b.acceptEitherChecksum(f.bool("acceptEitherChecksum", false));
            b.garpCount(f.integer("garpCount", 5));
            f.duration("garpInterval").ifPresent(b::garpInterval);
            f.duration("garpRefreshDelay").ifPresent(b::garpRefreshDelay);
            for (Map.Entry<String, Node> t : f.map("trackInterfaces").entrySet()) {
                b.trackInterface(t.getKey(), Fields.integer(t.getValue()));
            }
            f.string("label").ifPresent(b::label);
            List<String> notify = f.strings("notifyCommand");
            if (!notify.isEmpty() && !notify.get(0).startsWith("/")) {
                throw new ConfigException(f.at("notifyCommand"), "the command must be an absolute path but was '"
                        + notify.get(0) + "'");
            }
            b.notifyCommand(notify);
            f.done();
            return b.build();
        } catch (IllegalArgumentException e) {
            throw ConfigDecoder.located(f, e);
        }
    }

    private static InetAddress literal(Node n) throws ConfigException {
        String t = Fields.scalar(n).trim();
        if (!t.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new ConfigException(n.location(), "must be an IP literal but was '" + t + "'");
        }
        try {
            return InetAddress.getByName(t);
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException(n.location(), "must be an IP literal but was '" + t + "'");
        }
    }

    /** The section as written to the file (defaults left out); empty when there is no HA. */
    static Map<String, Object> encode(ApplianceConfig.Ha ha) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (ha.isEmpty()) {
            return m;
        }
        VrrpInstanceConfig d = DEFAULTS;
        Map<String, Object> instances = new LinkedHashMap<>();
        for (VrrpInstanceConfig c : ha.instances()) {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("interface", c.interfaceName());
            i.put("vrid", c.vrid());
            if (c.priority() != d.priority()) {
                i.put("priority", c.priority());
            }
            if (!c.advertInterval().equals(d.advertInterval())) {
                i.put("advertInterval", duration(c.advertInterval()));
            }
            List<Object> addresses = new ArrayList<>();
            c.virtualAddresses().forEach(v -> addresses.add(v.toString()));
            i.put("virtualAddresses", addresses);
            if (c.preempt() != d.preempt()) {
                i.put("preempt", c.preempt());
            }
            if (!c.preemptDelay().equals(d.preemptDelay())) {
                i.put("preemptDelay", duration(c.preemptDelay()));
            }
            if (c.unicastSource() != null) {
                i.put("unicastSource", c.unicastSource().getHostAddress());
            }
            if (!c.unicastPeers().isEmpty()) {
                List<Object> peers = new ArrayList<>();
                c.unicastPeers().forEach(p -> peers.add(p.getHostAddress()));
                i.put("unicastPeers", peers);
            }
            if (c.checksumMode() != d.checksumMode()) {
                i.put("checksumMode", Fields.name(c.checksumMode()));
            }
            if (c.acceptEitherChecksum()) {
                i.put("acceptEitherChecksum", true);
            }
            if (c.garpCount() != d.garpCount()) {
                i.put("garpCount", c.garpCount());
            }
            if (!c.garpInterval().equals(d.garpInterval())) {
                i.put("garpInterval", duration(c.garpInterval()));
            }
            if (!c.garpRefreshDelay().equals(d.garpRefreshDelay())) {
                i.put("garpRefreshDelay", duration(c.garpRefreshDelay()));
            }
            if (!c.trackedInterfaces().isEmpty()) {
                i.put("trackInterfaces", new LinkedHashMap<String, Object>(c.trackedInterfaces()));
            }
            if (c.label() != null) {
                i.put("label", c.label());
            }
            if (!c.notifyCommand().isEmpty()) {
                i.put("notifyCommand", new ArrayList<Object>(c.notifyCommand()));
            }
            instances.put(c.name(), i);
        }
        m.put("instances", instances);
        if (!ha.syncGroups().isEmpty()) {
            Map<String, Object> g = new LinkedHashMap<>();
            ha.syncGroups().forEach((k, v) -> g.put(k, new ArrayList<Object>(v)));
            m.put("syncGroups", g);
        }
        ha.ipvsSync().ifPresent(s -> {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("instance", s.instance());
            sm.put("interface", s.interfaceName());
            sm.put("syncId", s.syncId());
            m.put("ipvsSync", sm);
        });
        return m;
    }

    private static String duration(Duration d) {
        return ConfigEncoder.duration(d);
    }
}
