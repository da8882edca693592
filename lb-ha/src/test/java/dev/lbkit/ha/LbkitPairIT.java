package dev.lbkit.ha;

import static dev.lbkit.ha.HaLab.awaitTrue;
import static dev.lbkit.ha.HaLab.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.HaState;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Two lbkit nodes in network namespaces: failover, FAULT, malformed adverts, re-apply, sync groups, tracking. */
class LbkitPairIT {
    static final Duration FAST = HaLab.ADVERT;
    static final Duration SETTLE = Duration.ofSeconds(10);

    static VrrpRouter node(HaLab lab, String node, VrrpInstanceConfig... configs) {
        VrrpRouter.Builder b = VrrpRouter.builder().networkNamespace(lab.nsPath(node));
        for (VrrpInstanceConfig c : configs) {
            b.instance(c);
        }
        return b.start();
    }

    static HaState state(VrrpRouter r) {
        return r.status().instance("vi_51").state();
    }

    @Test
    void aLinkDownPutsTheMasterInFaultTheBackupTakesOverAndTheMasterPreemptsWhenTheLinkReturns() {
        try (HaLab lab = new HaLab();
                VrrpRouter n1 = node(lab, "1", HaLab.instance(150, FAST).build());
                VrrpRouter n2 = node(lab, "2", HaLab.instance(100, FAST).build())) {
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP, "n1 master");
            assertThat(lab.clientResolvesVip()).isEqualTo(HaLab.MAC1);
            lab.link("1", false);
            awaitTrue(SETTLE, () -> state(n1) == HaState.FAULT, "n1 in FAULT when its carrier goes");
            assertThat(lab.holdsVip("1")).isFalse();
            awaitTrue(SETTLE, () -> state(n2) == HaState.MASTER && lab.holdsVip("2"), "n2 takes over");
            awaitTrue(SETTLE, () -> HaLab.MAC2.equals(lab.clientNeighbour()), "client follows n2's GARP");
            lab.link("1", true);
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP, "n1 preempts");
            awaitTrue(SETTLE, () -> lab.holdsVip("1") && !lab.holdsVip("2"), "VIP only on n1");
            holdsFor(Duration.ofSeconds(1), () -> lab.holdsVip("1") != lab.holdsVip("2"), "exactly one holds it");
            assertThat(n1.status().instance("vi_51").becameMaster()).isEqualTo(2);
            assertThat(n2.status().instance("vi_51").drops()).isEmpty();
        }
    }

    @Test
    void aCleanStopHandsOverWithinTheSkewTimeAndAnAbandonedMasterIsDetectedByTheTimer() {
        try (HaLab lab = new HaLab();
                VrrpRouter n2 = node(lab, "2", HaLab.instance(100, FAST).build())) {
            VrrpRouter n1 = node(lab, "1", HaLab.instance(150, FAST).build());
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP, "n1 master");
            long zeroBefore = n2.status().instance("vi_51").priorityZeroReceived();
            n1.close();
            awaitTrue(SETTLE, () -> state(n2) == HaState.MASTER, "n2 master after the priority-0 advert");
            assertThat(n2.status().instance("vi_51").priorityZeroReceived()).isEqualTo(zeroBefore + 1);
            try (VrrpRouter again = node(lab, "1", HaLab.instance(150, FAST).build())) {
                awaitTrue(SETTLE, () -> state(again) == HaState.MASTER && state(n2) == HaState.BACKUP, "preempt");
                again.abandon();
                awaitTrue(SETTLE, () -> state(n2) == HaState.MASTER, "n2 master after master down");
            }
        }
    }

    @Test
    void bothLbkitNodesInTheRfc9568ChecksumModeElectNormally() {
        try (HaLab lab = new HaLab();
                VrrpRouter n1 = node(lab, "1", HaLab.instance(150, FAST).checksumMode(ChecksumMode.NO_PSEUDO_HEADER)
                        .build());
                VrrpRouter n2 = node(lab, "2", HaLab.instance(100, FAST).checksumMode(ChecksumMode.NO_PSEUDO_HEADER)
                        .build())) {
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && n2.status().instance("vi_51").advertsReceived() > 5,
                    "n1 master, n2 hearing it");
            holdsFor(Duration.ofMillis(500), () -> state(n2) == HaState.BACKUP, "n2 backup");
            assertThat(n2.status().instance("vi_51").drops()).isEmpty();
        }
    }

    @Test
    void malformedAndForeignAdvertsAreCountedPerReasonAndChangeNothing() throws Exception {
        try (HaLab lab = new HaLab();
                VrrpRouter n1 = node(lab, "1", HaLab.instance(150, FAST).build())) {
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER, "n1 master alone");
            InetAddress src = VrrpCodecTest.ip("10.77.0.10");
            InetAddress group = VrrpCodecTest.ip("224.0.0.18");
            List<InetAddress> vip = List.of(VrrpCodecTest.ip(HaLab.VIP));
            // Each would make n1 yield (priority 254 > 150) if it were accepted.
            VrrpCodec.Advert good = new VrrpCodec.Advert(51, 254, 10, vip);
            byte[] valid = VrrpCodec.encode(good, src, group, ChecksumMode.PSEUDO_HEADER);
            byte[] badChecksum = valid.clone();
            badChecksum[7] ^= 1;
            byte[] version2 = valid.clone();
            version2[0] = 0x21;
            byte[] foreign = VrrpCodec.encode(new VrrpCodec.Advert(52, 254, 10, vip), src, group,
                    ChecksumMode.PSEUDO_HEADER);
            byte[] twoAddresses = VrrpCodec.encode(new VrrpCodec.Advert(51, 254, 10,
                    List.of(vip.get(0), VrrpCodecTest.ip("10.77.0.101"))), src, group, ChecksumMode.PSEUDO_HEADER);
            byte[] otherAddress = VrrpCodec.encode(new VrrpCodec.Advert(51, 254, 10,
                    List.of(VrrpCodecTest.ip("10.77.0.101"))), src, group, ChecksumMode.PSEUDO_HEADER);
            byte[] truncated = java.util.Arrays.copyOf(valid, 10);
            sendFromClient(lab, List.of(
                    VrrpCodec.ipv4Packet(valid, src, group, 1), // crossed a router: TTL 1
                    VrrpCodec.ipv4Packet(badChecksum, src, group, 255),
                    VrrpCodec.ipv4Packet(version2, src, group, 255),
                    VrrpCodec.ipv4Packet(foreign, src, group, 255),
                    VrrpCodec.ipv4Packet(twoAddresses, src, group, 255),
                    VrrpCodec.ipv4Packet(otherAddress, src, group, 255),
                    VrrpCodec.ipv4Packet(truncated, src, group, 255)));
            awaitTrue(SETTLE, () -> {
                VrrpStatus s = n1.status();
                VrrpInstanceStatus i = s.instance("vi_51");
                return i.dropped(DropReason.TTL) == 1 && i.dropped(DropReason.CHECKSUM) == 1
                        && i.dropped(DropReason.VERSION) == 1 && s.dropped(DropReason.VRID) == 1
                        && i.dropped(DropReason.ADDRESS_COUNT) == 1 && i.dropped(DropReason.ADDRESS_LIST) == 1
                        && i.dropped(DropReason.LENGTH) == 1;
            }, "each malformation counted once under its reason: " + n1.status());
            holdsFor(Duration.ofMillis(500), () -> state(n1) == HaState.MASTER, "n1 stays master");
            assertThat(n1.status().instance("vi_51").advertsReceived()).isZero();
            // a valid advert from the same raw socket is accepted, which proves the malformed ones were delivered
            sendFromClient(lab, List.of(VrrpCodec.ipv4Packet(valid, src, group, 255)));
            awaitTrue(SETTLE, () -> n1.status().instance("vi_51").advertsReceived() == 1, "valid advert counted");
        }
    }

    /** Sends IPv4 packets (IP_HDRINCL) from a raw socket in the client's namespace to the VRRP group. */
    static void sendFromClient(HaLab lab, List<byte[]> packets) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                HaNative.enterNetworkNamespace(lab.nsPath("c"));
                int fd = HaNative.socket(HaNative.AF_INET, HaNative.SOCK_RAW, HaNative.IPPROTO_VRRP, "test sender");
                try {
                    HaNative.setInt(fd, HaNative.IPPROTO_IP, HaNative.IP_HDRINCL, 1, "IP_HDRINCL");
                    HaNative.bindToDevice(fd, "eth0");
                    for (byte[] p : packets) {
                        ByteBuffer b = ByteBuffer.allocateDirect(p.length);
                        b.put(p).flip();
                        long n = HaNative.libc().sendto(fd, b, p.length, 0,
                                HaNative.sockaddrIn(new byte[] {(byte) 224, 0, 0, 18}), 16);
                        if (n != p.length) {
                            throw HaNative.error("sendto", HaNative.errno());
                        }
                    }
                } finally {
                    HaNative.close(fd);
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "test-raw-sender");
        t.start();
        done.get();
    }

    @Test
    void reapplyingAnUnchangedConfigurationChangesNothingAndANewVipIsAddedWithoutATransition() {
        List<String> transitions = new CopyOnWriteArrayList<>();
        VrrpInstanceConfig c1 = HaLab.instance(150, FAST).build();
        VrrpInstanceConfig c2 = HaLab.instance(100, FAST).build();
        try (HaLab lab = new HaLab();
                VrrpRouter n1 = VrrpRouter.builder().networkNamespace(lab.nsPath("1")).instance(c1)
                        .listener((name, from, to, reason) -> transitions.add(name + " " + from + "->" + to)).start();
                VrrpRouter n2 = node(lab, "2", c2)) {
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP, "n1 master");
            awaitTrue(SETTLE, () -> transitions.size() == 2, "INIT->BACKUP->MASTER told to the listener");
            assertThat(transitions).containsExactly("vi_51 INIT->BACKUP", "vi_51 BACKUP->MASTER");
            long sent = n1.status().instance("vi_51").advertsSent();
            n1.apply(List.of(c1));
            n2.apply(List.of(c2));
            holdsFor(Duration.ofSeconds(1), () -> lab.holdsVip("1") && !lab.holdsVip("2"), "VIP stays on n1");
            assertThat(transitions).hasSize(2);
            assertThat(n1.status().instance("vi_51").advertsSent()).isGreaterThan(sent + 2); // no gap

            VrrpInstanceConfig c1b = c1.toBuilder().virtualAddress("10.77.0.101/24").build();
            VrrpInstanceConfig c2b = c2.toBuilder().virtualAddress("10.77.0.101/24").build();
            n1.apply(List.of(c1b));
            n2.apply(List.of(c2b));
            awaitTrue(SETTLE, () -> HaLab.sh("ip", "-n", lab.ns("1"), "-4", "-o", "addr", "show", "dev", "eth0")
                    .contains(" 10.77.0.101/24"), "the new VIP is on n1");
            holdsFor(Duration.ofSeconds(1), () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP,
                    "no transition");
            assertThat(transitions).hasSize(2);
            assertThat(lab.holdsVip("1")).isTrue();
            assertThat(n2.status().instance("vi_51").drops()).isEmpty();
        }
    }

    @Test
    void aSyncGroupMovesTheNatGatewayAddressWithTheExternalVip() {
        VrrpInstanceConfig ext1 = HaLab.instance(150, FAST).build();
        VrrpInstanceConfig gw1 = VrrpInstanceConfig.builder("gw_52").interfaceName("eth0").vrid(52).priority(150)
                .advertInterval(FAST).virtualAddress("10.77.0.254/24").garpRefreshDelay(Duration.ZERO).build();
        VrrpInstanceConfig ext2 = ext1.toBuilder().priority(100).build();
        VrrpInstanceConfig gw2 = gw1.toBuilder().priority(100).build();
        try (HaLab lab = new HaLab();
                VrrpRouter n1 = VrrpRouter.builder().networkNamespace(lab.nsPath("1")).instance(ext1).instance(gw1)
                        .syncGroup("lb", "vi_51", "gw_52").start();
                VrrpRouter n2 = VrrpRouter.builder().networkNamespace(lab.nsPath("2")).instance(ext2).instance(gw2)
                        .syncGroup("lb", "vi_51", "gw_52").start()) {
            awaitTrue(SETTLE, () -> n1.status().instance("gw_52").state() == HaState.MASTER
                    && state(n1) == HaState.MASTER, "n1 master of both");
            // A failing health check on n1's external side only (priority 150 - 60 = 90 < 100):
            n1.adjustPriority("vi_51", "http-check", 60);
            awaitTrue(SETTLE, () -> state(n2) == HaState.MASTER, "n2 preempts the external VIP");
            awaitTrue(SETTLE, () -> n2.status().instance("gw_52").state() == HaState.MASTER,
                    "the gateway address follows in the sync group");
            awaitTrue(SETTLE, () -> n1.status().instance("gw_52").state() == HaState.BACKUP, "n1 gateway backup");
            String n1Addrs = HaLab.sh("ip", "-n", lab.ns("1"), "-4", "-o", "addr", "show", "dev", "eth0");
            assertThat(n1Addrs).doesNotContain(HaLab.VIP + "/").doesNotContain("10.77.0.254/");
            n1.adjustPriority("vi_51", "http-check", 0);
            awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER
                    && n1.status().instance("gw_52").state() == HaState.MASTER, "n1 back as master of both");
        }
    }

    @Test
    void aTrackedInterfaceGoingDownPutsTheInstanceInFaultAndAWeightLowersThePriority() {
        try (HaLab lab = new HaLab()) {
            for (String t : List.of("trk0", "trk1")) { // veth pairs: this kernel has no dummy links
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "add", t, "type", "veth", "peer", "name", t + "p");
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", t + "p", "up");
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", t, "up");
            }
            try (VrrpRouter n1 = node(lab, "1", HaLab.instance(150, FAST).trackInterface("trk0", 0)
                    .trackInterface("trk1", 30).build());
                    VrrpRouter n2 = node(lab, "2", HaLab.instance(100, FAST).build())) {
                awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && state(n2) == HaState.BACKUP, "n1 master");
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", "trk1", "down");
                awaitTrue(SETTLE, () -> n1.status().instance("vi_51").priority() == 120, "priority 150 - 30");
                assertThat(state(n1)).isEqualTo(HaState.MASTER);
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", "trk0", "down");
                awaitTrue(SETTLE, () -> state(n1) == HaState.FAULT, "n1 in FAULT");
                awaitTrue(SETTLE, () -> state(n2) == HaState.MASTER && lab.holdsVip("2") && !lab.holdsVip("1"),
                        "n2 took over");
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", "trk0", "up");
                HaLab.sh("ip", "-n", lab.ns("1"), "link", "set", "trk1", "up");
                awaitTrue(SETTLE, () -> state(n1) == HaState.MASTER && !lab.holdsVip("2"), "n1 back as master");
            }
        }
    }
    @Test
    void lostLinkNotificationsAreReportedAsAnOverrunSoTheOwnerReadsTheLinksAgain() throws Exception {
        try (HaLab lab = new HaLab()) {
            CompletableFuture<dev.lbkit.netlink.NetlinkMonitor> opened = new CompletableFuture<>();
            CompletableFuture<Boolean> overrun = new CompletableFuture<>();
            CompletableFuture<Void> flooded = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                HaNative.enterNetworkNamespace(lab.nsPath("1"));
                // the smallest buffer the kernel allows, so a burst of link changes overflows it
                try (dev.lbkit.netlink.NetlinkMonitor m = dev.lbkit.netlink.NetlinkMonitor.open(
                        dev.lbkit.netlink.Netlink.NETLINK_ROUTE, dev.lbkit.netlink.RouteNetlink.RTMGRP_LINK, 1)) {
                    opened.complete(m);
                    flooded.get();
                    m.receive();
                    overrun.complete(m.takeOverrun() && m.overruns() > 0 && !m.takeOverrun());
                } catch (Exception e) {
                    overrun.completeExceptionally(e);
                }
            }, "test-netlink-monitor");
            t.start();
            opened.get();
            StringBuilder script = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                script.append("link set eth0 ").append(i % 2 == 0 ? "down" : "up").append('\n');
            }
            java.nio.file.Path batch = lab.dir.resolve("flaps.txt");
            java.nio.file.Files.writeString(batch, script + "link set eth0 up\n");
            HaLab.sh("ip", "-n", lab.ns("1"), "-batch", batch.toString());
            flooded.complete(null);
            assertThat(overrun.get()).isTrue();
        }
    }
}
