package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PickKeyTest {
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@link Hashing#address} and the persistence table rely on it to read IPv4 addresses without a copy. */
    @Test
    void anInet4AddressHashCodeIsTheAddressItself() {
        assertThat(ip("10.1.2.3").hashCode()).isEqualTo(0x0A010203);
        assertThat(ip("255.254.0.1").hashCode()).isEqualTo(0xFFFE0001);
    }

    @Test
    void equalInputsGiveEqualKeysAndDifferentInputsDifferentOnes() {
        assertThat(PickKey.of(ip("10.0.0.1")).sourceHash()).isEqualTo(PickKey.of(ip("10.0.0.1")).sourceHash())
                .isNotEqualTo(PickKey.of(ip("10.0.0.2")).sourceHash());
        assertThat(PickKey.of(ip("2001:db8::1")).sourceHash()).isEqualTo(PickKey.of(ip("2001:db8::1")).sourceHash())
                .isNotEqualTo(PickKey.of(ip("2001:db8::2")).sourceHash());
        assertThat(PickKey.of("user-1").sourceHash()).isEqualTo(PickKey.of(new String("user-1")).sourceHash())
                .isNotEqualTo(PickKey.of("user-2").sourceHash());
        assertThat(PickKey.of(new byte[] {1, 2}).sourceHash()).isEqualTo(PickKey.of(new byte[] {1, 2}).sourceHash())
                .isNotEqualTo(PickKey.of(new byte[] {1, 2, 0}).sourceHash());
    }

    @Test
    void aKeyWithoutDestinationSharesTheMissingDestinationOfNone() {
        assertThat(PickKey.of(ip("10.0.0.1")).destinationHash()).isEqualTo(PickKey.none().destinationHash())
                .isEqualTo(PickKey.of(ip("10.9.9.9")).destinationHash());
        PickKey both = PickKey.of(ip("10.0.0.1"), ip("172.16.0.1"));
        assertThat(both.sourceHash()).isEqualTo(PickKey.of(ip("10.0.0.1")).sourceHash());
        assertThat(both.destinationHash()).isEqualTo(PickKey.of(ip("172.16.0.1")).sourceHash());
    }

    @Test
    void anArbitraryKeyIsBothSourceAndDestination() {
        PickKey key = PickKey.of("cart-42");
        assertThat(key.destinationHash()).isEqualTo(key.sourceHash());
        PickKey bytes = PickKey.of("cart-42".getBytes(StandardCharsets.UTF_8));
        assertThat(bytes.destinationHash()).isEqualTo(bytes.sourceHash());
    }

    /**
     * Sequential addresses, the worst case for a weak hash, spread evenly over SH's 256 buckets: 25,600 of
     * them put 100 in each bucket on average, and a uniform hash keeps every bucket within 100 +- 50 (more than 5
     * standard deviations). {@code hashCode() % 256} would put them all in runs.
     */
    @Test
    void sequentialAddressesSpreadEvenlyOverTheBuckets() throws UnknownHostException {
        int[] buckets = new int[256];
        for (int i = 0; i < 25_600; i++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
            buckets[BucketPicker.bucketOf(PickKey.of(source).sourceHash())]++;
        }
        for (int count : buckets) {
            assertThat(count).isBetween(50, 150);
        }
    }

    @Test
    void factoriesRefuseNull() {
        assertThatThrownBy(() -> PickKey.of((InetAddress) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("source");
        assertThatThrownBy(() -> PickKey.of(ip("10.0.0.1"), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("destination");
        assertThatThrownBy(() -> PickKey.of((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PickKey.of((byte[]) null)).isInstanceOf(NullPointerException.class);
    }
}
