package dev.lbkit.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * rtnetlink messages on exact bytes (little-endian host, as this project's machines; the layout is struct
 * nlmsghdr + struct ifaddrmsg/ifinfomsg + attributes). The live requests run in lb-ha's namespace tests.
 */
class RouteNetlinkMessagesTest {

    @Test
    void newAddressCarriesLocalAddressBroadcastAndLabelLikeIpAddrAdd() throws Exception {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return;
        }
        MessageWriter w = RouteNetlink.newAddressRequest(new MessageWriter(), 3, InetAddress.getByName("10.0.0.100"),
                24, "eth0:vip", 0);
        String hex = HexFormat.of().formatHex(w.toByteArray());
        assertThat(hex).isEqualTo(
                "40000000" + "1400" + "0506" + "00000000" + "00000000" // len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
                        + "02" + "18" + "00" + "00" + "03000000"          // AF_INET, /24, flags 0, universe, ifindex 3
                        + "0800" + "0200" + "0a000064"                     // IFA_LOCAL
                        + "0800" + "0100" + "0a000064"                     // IFA_ADDRESS
                        + "0800" + "0400" + "0a0000ff"                     // IFA_BROADCAST 10.0.0.255
                        + "0d00" + "0300" + "657468303a76697000" + "000000"); // IFA_LABEL "eth0:vip\0" + pad
    }

    @Test
    void anIpv6AddressWithNodadHasTheFlagInBothPlaces() throws Exception {
        MessageWriter w = RouteNetlink.newAddressRequest(new MessageWriter(), 3,
                InetAddress.getByName("2001:db8::100"), 64, null, RouteNetlink.IFA_F_NODAD);
        Message m = Message.parseAll(ByteBuffer.wrap(w.toByteArray())).get(0);
        RouteNetlink.Address a = RouteNetlink.parseAddress(m);
        assertThat(a.family()).isEqualTo(RouteNetlink.AF_INET6);
        assertThat(a.prefixLength()).isEqualTo(64);
        assertThat(a.hasFlag(RouteNetlink.IFA_F_NODAD)).isTrue();
        assertThat(m.payload().get(2)).isEqualTo((byte) RouteNetlink.IFA_F_NODAD);
        assertThat(a.address()).isEqualTo(InetAddress.getByName("2001:db8::100"));
        assertThat(m.attributes(RouteNetlink.IFADDRMSG_LEN).has(RouteNetlink.IFA_BROADCAST)).isFalse();
    }

    @Test
    void badPrefixesAndLabelsAreRefusedNamingTheValue() throws Exception {
        InetAddress a = InetAddress.getByName("10.0.0.1");
        assertThatThrownBy(() -> RouteNetlink.newAddressRequest(new MessageWriter(), 1, a, 33, null, 0))
                .hasMessage("prefixLength must be 0..32 for 10.0.0.1 but was 33");
        assertThatThrownBy(() -> RouteNetlink.newAddressRequest(new MessageWriter(), 1, a, 24, "a-label-far-too-long", 0))
                .hasMessage("label must be 1..15 characters but was 'a-label-far-too-long'");
    }

    @Test
    void dumpRequestsAndTheLinkParserAgreeWithTheKernelLayout() {
        assertThat(RouteNetlink.getAddressesRequest(new MessageWriter(), RouteNetlink.AF_INET).toByteArray())
                .hasSize(Netlink.NLMSG_HDRLEN + RouteNetlink.IFADDRMSG_LEN);
        assertThat(RouteNetlink.getLinksRequest(new MessageWriter()).toByteArray())
                .hasSize(Netlink.NLMSG_HDRLEN + RouteNetlink.IFINFOMSG_LEN);
        // an RTM_NEWLINK as the kernel sends it: ifinfomsg then IFLA_IFNAME, IFLA_ADDRESS, IFLA_OPERSTATE
        ByteBuffer ifi = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        ifi.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(7).putInt(RouteNetlink.IFF_UP | RouteNetlink.IFF_LOWER_UP)
                .putInt(0);
        MessageWriter w = new MessageWriter();
        w.begin(RouteNetlink.RTM_NEWLINK, 0).fixedHeader(ifi.array()).putString(RouteNetlink.IFLA_IFNAME, "vb-eth0")
                .putBytes(RouteNetlink.IFLA_ADDRESS, new byte[] {2, 0x76, 0x62, 0, 0, 2})
                .putU8(RouteNetlink.IFLA_OPERSTATE, 6).end();
        List<Message> ms = Message.parseAll(ByteBuffer.wrap(w.toByteArray()));
        RouteNetlink.Link l = RouteNetlink.parseLink(ms.get(0));
        assertThat(l.index()).isEqualTo(7);
        assertThat(l.name()).isEqualTo("vb-eth0");
        assertThat(l.hardwareAddress()).containsExactly(2, 0x76, 0x62, 0, 0, 2);
        assertThat(l.operState()).isEqualTo(6);
        assertThat(l.isUsable()).isTrue();
    }

    @Test
    void linksAndAddressesOfThisNamespaceCanBeDumped() {
        try (RouteNetlink r = RouteNetlink.open()) {
            RouteNetlink.Link lo = r.link("lo");
            assertThat(lo).isNotNull();
            assertThat(r.addresses(RouteNetlink.AF_INET, lo.index()))
                    .anyMatch(a -> a.address().isLoopbackAddress() && a.prefixLength() == 8);
        }
    }
}
