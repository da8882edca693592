package dev.lbkit.ipvs;

import static dev.lbkit.ipvs.Hex.golden;
import static dev.lbkit.ipvs.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.ForwardingMethod;
import dev.lbkit.api.IpFamily;
import dev.lbkit.api.Protocol;
import dev.lbkit.netlink.Message;
import dev.lbkit.netlink.MessageWriter;
import dev.lbkit.netlink.Netlink;
import java.net.InetAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes of every IPVS message lbkit sends, written by hand from ip_vs.h (attribute numbers) and
 * ip_vs_ctl.c (which attributes are big-endian), for a little-endian host and a family id of 0x23.
 */
class IpvsCodecTest {
    static final int FAMILY = 0x23;
    static final IpvsServiceKey WEB = IpvsServiceKey.of(ip("10.0.0.1"), 80, Protocol.TCP);

    @BeforeAll
    static void littleEndian() {
        assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void newIpv4ServiceCarriesTheFullAttributeSetPortAndNetmaskBigEndianFlagsWithMask() {
        IpvsService s = IpvsService.of(WEB, "wlc", IpvsAttributes.SVC_F_PERSISTENT, 300, 0xffffff00, null);
        assertThat(hex(IpvsCodec.newService(new MessageWriter(), FAMILY, s).toByteArray())).isEqualTo(golden("""
                5c 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                01 01 00 00
                48 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                  08 00 06 00 | 77 6c 63 00
                  0c 00 07 00 | 01 00 00 00 | 3d 00 00 00
                  08 00 08 00 | 2c 01 00 00
                  08 00 09 00 | ff ff ff 00
                """));
    }

    @Test
    void ipv6ServiceNetmaskIsAHostOrderPrefixLength() {
        IpvsServiceKey k = IpvsServiceKey.of(ip("2001:db8::1"), 443, Protocol.TCP);
        IpvsService s = IpvsService.of(k, "rr", 0, 0, 128, null);
        assertThat(hex(IpvsCodec.newService(new MessageWriter(), FAMILY, s).toByteArray())).isEqualTo(golden("""
                68 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                01 01 00 00
                54 00 01 80
                  06 00 01 00 | 0a 00 00 00
                  06 00 02 00 | 06 00 00 00
                  14 00 03 00 | 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
                  06 00 04 00 | 01 bb 00 00
                  07 00 06 00 | 72 72 00 00
                  0c 00 07 00 | 00 00 00 00 | 3d 00 00 00
                  08 00 08 00 | 00 00 00 00
                  08 00 09 00 | 80 00 00 00
                """));
    }

    @Test
    void firewallMarkServiceHasAFamilyAndAMarkButNoProtocolAddressOrPort() {
        IpvsService s = IpvsService.of(IpvsServiceKey.firewallMark(12, IpFamily.IPV4), "sh",
                IpvsAttributes.SVC_F_SCHED1 | IpvsAttributes.SVC_F_SCHED2, 0, 0xffffffff, null);
        assertThat(hex(IpvsCodec.setService(new MessageWriter(), FAMILY, s).toByteArray())).isEqualTo(golden("""
                4c 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                02 01 00 00
                38 00 01 80
                  06 00 01 00 | 02 00 00 00
                  08 00 05 00 | 0c 00 00 00
                  07 00 06 00 | 73 68 00 00
                  0c 00 07 00 | 18 00 00 00 | 3d 00 00 00
                  08 00 08 00 | 00 00 00 00
                  08 00 09 00 | ff ff ff ff
                """));
    }

    @Test
    void persistenceEngineIsANulTerminatedName() {
        IpvsServiceKey k = IpvsServiceKey.of(ip("10.0.0.1"), 5060, Protocol.UDP);
        byte[] b = IpvsCodec.newService(new MessageWriter(), FAMILY,
                IpvsService.of(k, "rr", 1, 60, 0xffffffff, "sip")).toByteArray();
        assertThat(hex(b)).endsWith(golden("08 00 0b 00 | 73 69 70 00"));
    }

    @Test
    void newDirectRoutingDestinationNamesItsServiceAndCarriesMethodWeightAndBothThresholds() {
        IpvsDestination d = IpvsDestination.of(ip("10.0.0.2"), 80, ForwardingMethod.DIRECT_ROUTING, 5, 100, 50);
        assertThat(hex(IpvsCodec.newDestination(new MessageWriter(), FAMILY, WEB, d).toByteArray()))
                .isEqualTo(golden("""
                74 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                05 01 00 00
                24 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                3c 00 02 80
                  08 00 01 00 | 0a 00 00 02
                  06 00 02 00 | 00 50 00 00
                  08 00 03 00 | 03 00 00 00
                  08 00 04 00 | 05 00 00 00
                  08 00 05 00 | 64 00 00 00
                  08 00 06 00 | 32 00 00 00
                  06 00 0b 00 | 02 00 00 00
                """));
    }

    @Test
    void tunnelDestinationAddsTypePortBigEndianAndFlags() {
        IpvsDestination d = IpvsDestination.of(ip("10.0.0.2"), 80, ForwardingMethod.TUNNEL, 1, 0, 0)
                .withTunnel(TunnelType.GUE, 6080, IpvsAttributes.TUNNEL_ENCAP_FLAG_CSUM);
        assertThat(hex(IpvsCodec.setDestination(new MessageWriter(), FAMILY, WEB, d).toByteArray()))
                .isEqualTo(golden("""
                8c 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                06 01 00 00
                24 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                54 00 02 80
                  08 00 01 00 | 0a 00 00 02
                  06 00 02 00 | 00 50 00 00
                  08 00 03 00 | 02 00 00 00
                  08 00 04 00 | 01 00 00 00
                  08 00 05 00 | 00 00 00 00
                  08 00 06 00 | 00 00 00 00
                  06 00 0b 00 | 02 00 00 00
                  05 00 0d 00 | 01 00 00 00
                  06 00 0e 00 | 17 c0 00 00
                  06 00 0f 00 | 01 00 00 00
                """));
    }

    @Test
    void deleteDestinationNeedsOnlyItsAddressPortAndFamily() {
        assertThat(hex(IpvsCodec.delDestination(new MessageWriter(), FAMILY, WEB,
                new IpvsDestination.Key(ip("10.0.0.2"), 80)).toByteArray())).isEqualTo(golden("""
                54 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                07 01 00 00
                24 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                1c 00 02 80
                  08 00 01 00 | 0a 00 00 02
                  06 00 02 00 | 00 50 00 00
                  06 00 0b 00 | 02 00 00 00
                """));
    }

    @Test
    void deleteServiceAndDumpRequestsAndGlobalCommands() {
        assertThat(hex(IpvsCodec.delService(new MessageWriter(), FAMILY, WEB).toByteArray())).isEqualTo(golden("""
                38 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                03 01 00 00
                24 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                """));
        assertThat(hex(IpvsCodec.getServices(new MessageWriter(), FAMILY).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 01 00 | 00 00 00 00 | 00 00 00 00 | 04 01 00 00"));
        assertThat(hex(IpvsCodec.getService(new MessageWriter(), FAMILY, WEB).toByteArray()))
                .isEqualTo(golden("""
                38 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                04 01 00 00
                24 00 01 80
                  06 00 01 00 | 02 00 00 00
                  06 00 02 00 | 06 00 00 00
                  08 00 03 00 | 0a 00 00 01
                  06 00 04 00 | 00 50 00 00
                """));
        assertThat(hex(IpvsCodec.getDestinations(new MessageWriter(), FAMILY, WEB).toByteArray()))
                .startsWith(golden("38 00 00 00 | 23 00 | 01 00 | 00 00 00 00 | 00 00 00 00 | 08 01 00 00 | 24 00 01 80"));
        assertThat(hex(IpvsCodec.setConfig(new MessageWriter(), FAMILY, new IpvsTimeouts(900, 120, 300)).toByteArray()))
                .isEqualTo(golden("""
                2c 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                0c 01 00 00
                08 00 04 00 | 84 03 00 00
                08 00 05 00 | 78 00 00 00
                08 00 06 00 | 2c 01 00 00
                """));
        assertThat(hex(IpvsCodec.getConfig(new MessageWriter(), FAMILY).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00 | 0d 01 00 00"));
        assertThat(hex(IpvsCodec.getInfo(new MessageWriter(), FAMILY).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00 | 0f 01 00 00"));
        assertThat(hex(IpvsCodec.zero(new MessageWriter(), FAMILY, null).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00 | 10 01 00 00"));
        assertThat(hex(IpvsCodec.flush(new MessageWriter(), FAMILY).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00 | 11 01 00 00"));
    }

    @Test
    void aLowerThresholdAboveTheUpperIsRejectedBeforeTheKernelSaysERANGE() {
        IpvsDestination d = IpvsDestination.of(ip("10.0.0.2"), 80, ForwardingMethod.NAT, 1, 0, 10);
        assertThatThrownBy(() -> IpvsCodec.newDestination(new MessageWriter(), FAMILY, WEB, d))
                .hasMessage("lower threshold 10 must not exceed upper threshold 0");
    }

    /** A reply as ip_vs_genl_fill_service writes it: 16-byte address union, flags with mask ~0, stats64. */
    @Test
    void parsesAKernelServiceReplyWithItsSixteenByteAddressAndSixtyFourBitCounters() {
        MessageWriter w = new MessageWriter();
        w.begin(FAMILY, Netlink.NLM_F_MULTI).genlHeader(IpvsAttributes.CMD_NEW_SERVICE, 1);
        int n = w.beginNested(IpvsAttributes.CMD_ATTR_SERVICE);
        w.putU16(1, 2).putU16(2, 6).putBytes(3, new byte[] {10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
                .putBe16(4, 80).putString(6, "wlc").putU32Pair(7, 3, -1).putU32(8, 300).putBe32(9, 0xffffff00);
        int st = w.beginNested(IpvsAttributes.SVC_ATTR_STATS64);
        w.putU64(1, 5_000_000_000L).putU64(2, 7).putU64(3, 8).putU64(4, 1L << 40).putU64(5, 9).putU64(6, 1)
                .putU64(7, 2).putU64(8, 3).putU64(9, 4).putU64(10, 5);
        w.endNested(st);
        w.endNested(n);
        w.end();
        IpvsService s = IpvsCodec.parseService(Message.parseAll(w.buffer()).get(0));
        assertThat(s.key()).isEqualTo(WEB);
        assertThat(s.scheduler()).isEqualTo("wlc");
        assertThat(s.isPersistent()).isTrue();
        assertThat(s.prefixLength()).isEqualTo(24);
        assertThat(s.stats()).isEqualTo(new IpvsStats(5_000_000_000L, 7, 8, 1L << 40, 9, 1, 2, 3, 4, 5));
        assertThat(s.sameSettings(IpvsService.of(WEB, "wlc", 1, 300, 0xffffff00, null))).isTrue();
    }

    @Test
    void parsesAKernelDestinationReplyWithFamilyConnectionsAndTunnelFields() {
        MessageWriter w = new MessageWriter();
        w.begin(FAMILY, Netlink.NLM_F_MULTI).genlHeader(IpvsAttributes.CMD_NEW_DEST, 1);
        int n = w.beginNested(IpvsAttributes.CMD_ATTR_DEST);
        w.putBytes(1, ip("2001:db8::2").getAddress()).putBe16(2, 8080).putU32(3, 0).putU32(4, 7)
                .putU8(13, 0).putBe16(14, 0).putU16(15, 0).putU32(5, 10).putU32(6, 5).putU32(7, 3).putU32(8, 4)
                .putU32(9, 1).putU16(11, 10);
        w.endNested(n);
        w.end();
        IpvsDestination d = IpvsCodec.parseDestination(Message.parseAll(w.buffer()).get(0), IpFamily.IPV6);
        assertThat(d.key()).isEqualTo(new IpvsDestination.Key(ip("2001:db8::2"), 8080));
        assertThat(d.forwardingMethod()).isEqualTo(ForwardingMethod.NAT);
        assertThat(d.weight()).isEqualTo(7);
        assertThat(d.upperThreshold()).isEqualTo(10);
        assertThat(d.lowerThreshold()).isEqualTo(5);
        assertThat(d.activeConnections()).isEqualTo(3);
        assertThat(d.inactiveConnections()).isEqualTo(4);
        assertThat(d.persistentConnections()).isEqualTo(1);
    }

    @Test
    void startingASyncDaemonSendsStateInterfaceAndIdPlusOnlyTheSettingsGivenWithAHostOrderPort() {
        IpvsSyncDaemon d = new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "eth0", 5, 1400, ip("224.0.0.81"), 8848, 2);
        assertThat(hex(IpvsCodec.newDaemon(new MessageWriter(), FAMILY, d).toByteArray())).isEqualTo(golden("""
                54 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                09 01 00 00
                40 00 03 80
                  08 00 01 00 | 01 00 00 00
                  09 00 02 00 | 65 74 68 30 | 00 00 00 00
                  08 00 03 00 | 05 00 00 00
                  06 00 04 00 | 78 05 00 00
                  08 00 05 00 | e0 00 00 51
                  06 00 07 00 | 90 22 00 00
                  05 00 08 00 | 02 00 00 00
                """));
        IpvsSyncDaemon minimal = IpvsSyncDaemon.of(IpvsSyncDaemon.Role.BACKUP, "eth1", 0);
        assertThat(hex(IpvsCodec.newDaemon(new MessageWriter(), FAMILY, minimal).toByteArray())).isEqualTo(golden("""
                34 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                09 01 00 00
                20 00 03 80
                  08 00 01 00 | 02 00 00 00
                  09 00 02 00 | 65 74 68 31 | 00 00 00 00
                  08 00 03 00 | 00 00 00 00
                """));
        IpvsSyncDaemon v6 = new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "eth0", 1, 0, ip("ff02::81"), 0, 0);
        assertThat(hex(IpvsCodec.newDaemon(new MessageWriter(), FAMILY, v6).toByteArray())).endsWith(golden("""
                14 00 06 00 | ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 81
                """));
    }

    @Test
    void stoppingAndListingSyncDaemons() {
        assertThat(hex(IpvsCodec.delDaemon(new MessageWriter(), FAMILY, IpvsSyncDaemon.Role.BACKUP).toByteArray()))
                .isEqualTo(golden("""
                20 00 00 00 | 23 00 | 05 00 | 00 00 00 00 | 00 00 00 00
                0a 01 00 00
                0c 00 03 80
                  08 00 01 00 | 02 00 00 00
                """));
        assertThat(hex(IpvsCodec.getDaemons(new MessageWriter(), FAMILY).toByteArray()))
                .isEqualTo(golden("14 00 00 00 | 23 00 | 01 00 | 00 00 00 00 | 00 00 00 00 | 0b 01 00 00"));
    }

    /** A reply as ip_vs_genl_fill_daemon writes it: every setting, the group as in_addr. */
    @Test
    void parsesAKernelSyncDaemonReply() {
        MessageWriter w = new MessageWriter();
        w.begin(FAMILY, Netlink.NLM_F_MULTI).genlHeader(IpvsAttributes.CMD_NEW_DAEMON, 1);
        int n = w.beginNested(IpvsAttributes.CMD_ATTR_DAEMON);
        w.putU32(1, 2).putString(2, "bond0").putU32(3, 9).putU16(4, 1472).putU16(7, 8848).putU8(8, 1)
                .putAddress(5, ip("224.0.0.81"));
        w.endNested(n);
        w.end();
        assertThat(IpvsCodec.parseDaemon(Message.parseAll(w.buffer()).get(0))).isEqualTo(new IpvsSyncDaemon(
                IpvsSyncDaemon.Role.BACKUP, "bond0", 9, 1472, ip("224.0.0.81"), 8848, 1));
    }

    @Test
    void syncDaemonSettingsOutOfRangeAreRejectedNamingTheField() {
        assertThatThrownBy(() -> IpvsSyncDaemon.of(IpvsSyncDaemon.Role.MASTER, "eth0", 256))
                .hasMessage("sync daemon: syncId must be 0..255 but was 256");
        assertThatThrownBy(() -> IpvsSyncDaemon.of(IpvsSyncDaemon.Role.MASTER, "a-much-too-long-name", 1))
                .hasMessage("sync daemon: interfaceName must be 1..15 characters but was 'a-much-too-long-name'");
        assertThatThrownBy(() -> new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "eth0", 1, 0, ip("10.0.0.1"), 0, 0))
                .hasMessage("sync daemon: multicastGroup must be a multicast address but was 10.0.0.1");
        assertThatThrownBy(() -> new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "eth0", 1, 0, null, 70000, 0))
                .hasMessage("sync daemon: multicastPort must be 0..65535 but was 70000");
        assertThatThrownBy(() -> new IpvsSyncDaemon(IpvsSyncDaemon.Role.MASTER, "eth0", 1, 0, null, 0, 256))
                .hasMessage("sync daemon: multicastTtl must be 0..255 but was 256");
    }
}
