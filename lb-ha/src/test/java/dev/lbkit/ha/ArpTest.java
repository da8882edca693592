package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ArpTest {
    @Test
    void aGratuitousArpIsARequestFromTheFloatingIpForItself() {
        byte[] mac = HexFormat.of().parseHex("027662000002");
        byte[] arp = Arp.gratuitous(mac, VrrpCodecTest.ip("10.76.98.100"));
        // as tcpdump shows keepalived's: "Request who-has 10.76.98.100 (ff:ff:ff:ff:ff:ff) tell 10.76.98.100"
        assertThat(HexFormat.of().formatHex(arp)).isEqualTo("0001" + "0800" + "06" + "04" + "0001"
                + "027662000002" + "0a4c6264" + "ffffffffffff" + "0a4c6264");
    }

    @Test
    void theLinkLayerAddressIsTheEthernetBroadcastOnTheInterface() {
        ByteBuffer a = Arp.broadcastAddress(7);
        assertThat(a.getShort(0)).isEqualTo((short) 17);
        assertThat(a.get(2)).isEqualTo((byte) 0x08);
        assertThat(a.get(3)).isEqualTo((byte) 0x06);
        assertThat(a.getInt(4)).isEqualTo(7);
        assertThat(a.get(11)).isEqualTo((byte) 6);
        for (int i = 12; i < 18; i++) {
            assertThat(a.get(i)).isEqualTo((byte) -1);
        }
    }
}
