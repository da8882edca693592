package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact bytes: the reference packet is an advert keepalived 2.2.7 sent (captured with tcpdump -x). */
class VrrpCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    /** keepalived: 10.77.0.2 > 224.0.0.18, VRRPv3 vrid 51 prio 150 intvl 100cs, VIP 10.77.0.100. */
    static final byte[] KEEPALIVED_IP_PACKET = HEX.parseHex("45c0002000010000ff70d04b0a4d0002e0000012"
            + "313396010064" + "42d8" + "0a4d0064");
    static final InetAddress SRC = ip("10.77.0.2");
    static final InetAddress GROUP = ip("224.0.0.18");
    static final InetAddress VIP = ip("10.77.0.100");

    static InetAddress ip(String s) {
        return VrrpInstanceConfig.literal(s, "test", s);
    }

    private static ByteBuffer vrrpPart(byte[] ipPacket) {
        return ByteBuffer.wrap(ipPacket, 20, ipPacket.length - 20).slice();
    }

    @Test
    void encodesExactlyWhatKeepalivedSendsWithThePseudoHeader() {
        byte[] vrrp = VrrpCodec.encode(new VrrpCodec.Advert(51, 150, 100, List.of(VIP)), SRC, GROUP,
                ChecksumMode.PSEUDO_HEADER);
        assertThat(HEX.formatHex(vrrp)).isEqualTo("31339601006442d80a4d0064");
        byte[] packet = VrrpCodec.ipv4Packet(vrrp, SRC, GROUP, 255);
        // keepalived numbers its packets (id 1); the kernel fills ours when it is 0. Everything else is equal.
        packet[5] = 1;
        int s = ~VrrpCodecTestSupport.ipHeaderSum(packet) & 0xffff;
        packet[10] = (byte) (s >>> 8);
        packet[11] = (byte) s;
        assertThat(HEX.formatHex(packet)).isEqualTo(HEX.formatHex(KEEPALIVED_IP_PACKET));
    }

    @Test
    void decodesKeepalivedsAdvert() throws Exception {
        VrrpCodec.Ipv4 ip = VrrpCodec.parseIpv4(ByteBuffer.wrap(KEEPALIVED_IP_PACKET));
        assertThat(ip.source()).isEqualTo(SRC);
        assertThat(ip.destination()).isEqualTo(GROUP);
        assertThat(ip.ttl()).isEqualTo(255);
        VrrpCodec.Advert a = VrrpCodec.decode(ip.payload(), ip.source(), ip.destination(), ip.ttl(),
                ChecksumMode.PSEUDO_HEADER, false);
        assertThat(a).isEqualTo(new VrrpCodec.Advert(51, 150, 100, List.of(VIP)));
    }

    @Test
    void theRfc9568ModeLeavesThePseudoHeaderOutAndRejectsKeepalivedsChecksumUnlessEitherIsAccepted()
            throws Exception {
        byte[] rfc = VrrpCodec.encode(new VrrpCodec.Advert(51, 150, 100, List.of(VIP)), SRC, GROUP,
                ChecksumMode.NO_PSEUDO_HEADER);
        // the checksum over the 12 bytes alone: ~(0x3133 + 0x9601 + 0x0064 + 0x0a4d + 0x0064)
        assertThat(HEX.formatHex(rfc)).isEqualTo("3133960100642db60a4d0064");
        assertThatThrownBy(() -> VrrpCodec.decode(vrrpPart(KEEPALIVED_IP_PACKET), SRC, GROUP, 255,
                ChecksumMode.NO_PSEUDO_HEADER, false))
                .isInstanceOfSatisfying(VrrpCodec.Malformed.class,
                        e -> assertThat(e.reason).isEqualTo(DropReason.CHECKSUM));
        assertThat(VrrpCodec.decode(vrrpPart(KEEPALIVED_IP_PACKET), SRC, GROUP, 255, ChecksumMode.NO_PSEUDO_HEADER,
                true).vrid()).isEqualTo(51);
        assertThat(VrrpCodec.decode(ByteBuffer.wrap(rfc), SRC, GROUP, 255, ChecksumMode.PSEUDO_HEADER, true)
                .priority()).isEqualTo(150);
    }

    @Test
    void ipv6UsesTheIpv6PseudoHeaderAlways() throws Exception {
        InetAddress src = ip("fe80::1");
        InetAddress dst = ip("ff02::12");
        InetAddress vip = ip("2001:db8::100");
        VrrpCodec.Advert a = new VrrpCodec.Advert(7, 200, 5, List.of(vip));
        byte[] b = VrrpCodec.encode(a, src, dst, ChecksumMode.NO_PSEUDO_HEADER);
        assertThat(b).hasSize(8 + 16);
        assertThat(VrrpCodec.checksum(b, src, dst, true)).isZero();
        assertThat(VrrpCodec.decode(ByteBuffer.wrap(b), src, dst, 255, ChecksumMode.NO_PSEUDO_HEADER, false))
                .isEqualTo(a);
    }

    @Test
    void rejectsEachMalformationWithItsReason() {
        assertReason(KEEPALIVED_IP_PACKET, 254, DropReason.TTL);
        assertReason(patch(0, 0x21), 255, DropReason.VERSION);
        assertReason(patch(0, 0x32), 255, DropReason.TYPE);
        assertReason(patch(3, 2), 255, DropReason.LENGTH);
        assertReason(patch(2, 151), 255, DropReason.CHECKSUM);
        assertReason(new byte[] {0x31, 0x33, (byte) 0x96}, 255, DropReason.LENGTH);
        byte[] zero = VrrpCodec.encode(new VrrpCodec.Advert(51, 150, 0, List.of(VIP)), SRC, GROUP,
                ChecksumMode.PSEUDO_HEADER);
        assertReason(zero, 255, DropReason.INTERVAL);
        assertThatThrownBy(() -> VrrpCodec.parseIpv4(ByteBuffer.wrap(new byte[] {0x60, 0, 0})))
                .isInstanceOfSatisfying(VrrpCodec.Malformed.class,
                        e -> assertThat(e.reason).isEqualTo(DropReason.IP_HEADER));
    }

    /** The VRRP part of the keepalived packet with one byte replaced. */
    private static byte[] patch(int offset, int value) {
        byte[] v = new byte[12];
        System.arraycopy(KEEPALIVED_IP_PACKET, 20, v, 0, 12);
        v[offset] = (byte) value;
        return v;
    }

    private static void assertReason(byte[] vrrpOrIp, int ttl, DropReason reason) {
        ByteBuffer b = vrrpOrIp.length == KEEPALIVED_IP_PACKET.length ? vrrpPart(vrrpOrIp) : ByteBuffer.wrap(vrrpOrIp);
        assertThatThrownBy(() -> VrrpCodec.decode(b, SRC, GROUP, ttl, ChecksumMode.PSEUDO_HEADER, false))
                .isInstanceOfSatisfying(VrrpCodec.Malformed.class, e -> assertThat(e.reason).isEqualTo(reason));
    }
}
