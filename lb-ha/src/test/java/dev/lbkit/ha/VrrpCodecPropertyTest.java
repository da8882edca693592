package dev.lbkit.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class VrrpCodecPropertyTest {

    record Case(VrrpCodec.Advert advert, InetAddress source, InetAddress destination, ChecksumMode mode) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Boolean> v6 = Arbitraries.of(false, true);
        return v6.flatMap(six -> {
            int len = six ? 16 : 4;
            Arbitrary<InetAddress> addr = Arbitraries.bytes().array(byte[].class).ofSize(len).map(VrrpCodec::addr);
            return Combinators.combine(Arbitraries.integers().between(1, 255), Arbitraries.integers().between(0, 255),
                    Arbitraries.integers().between(1, 4095), addr.list().ofMinSize(1).ofMaxSize(20), addr, addr,
                    Arbitraries.of(ChecksumMode.class))
                    .as((vrid, prio, interval, vips, src, dst, mode) ->
                            new Case(new VrrpCodec.Advert(vrid, prio, interval, vips), src, dst, mode));
        });
    }

    @Property
    void decodingAnEncodedAdvertGivesItBack(@ForAll("cases") Case c) throws Exception {
        byte[] b = VrrpCodec.encode(c.advert(), c.source(), c.destination(), c.mode());
        assertThat(VrrpCodec.decode(ByteBuffer.wrap(b), c.source(), c.destination(), 255, c.mode(), false))
                .isEqualTo(c.advert());
    }

    @Property
    void anySingleBitFlipIsRejectedNeverAccepted(@ForAll("cases") Case c, @ForAll int bitSeed) {
        byte[] b = VrrpCodec.encode(c.advert(), c.source(), c.destination(), c.mode());
        int bit = Math.floorMod(bitSeed, b.length * 8);
        b[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThatThrownBy(() -> VrrpCodec.decode(ByteBuffer.wrap(b), c.source(), c.destination(), 255, c.mode(),
                false)).isInstanceOf(VrrpCodec.Malformed.class);
    }

    @Property
    void arbitraryBytesNeverThrowAnythingButMalformed(@ForAll byte[] junk, @ForAll("cases") Case c) {
        try {
            VrrpCodec.decode(ByteBuffer.wrap(junk), c.source(), c.destination(), 255, c.mode(), true);
        } catch (VrrpCodec.Malformed expected) {
            // counted and dropped by the router
        }
        List<byte[]> ipPackets = new ArrayList<>();
        ipPackets.add(junk);
        for (byte[] p : ipPackets) {
            try {
                VrrpCodec.parseIpv4(ByteBuffer.wrap(p));
            } catch (VrrpCodec.Malformed expected) {
                // dropped
            }
        }
    }
}
