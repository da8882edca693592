package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.ascii;
import static dev.lbkit.proxy.proxyprotocol.Bytes.buffer;
import static dev.lbkit.proxy.proxyprotocol.Bytes.concat;
import static dev.lbkit.proxy.proxyprotocol.Bytes.hex;
import static dev.lbkit.proxy.proxyprotocol.Bytes.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Result;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Versions;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the decoder fails fast, waits, honours its options and hands the rest of the stream on. */
class DecoderBehaviourTest {
    private static final String SIG = "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a";
    private final ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();

    @Test
    void anHttpRequestWithoutHeaderIsRefusedOnItsFirstByte() {
        assertThat(reasonFor(decoder, ascii("G"))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void aTlsClientHelloWithoutHeaderIsRefusedOnItsFirstByte() {
        assertThat(reasonFor(decoder, hex("16"))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void aPostRequestIsRefusedOnItsSecondByteAfterItsPCouldHaveStartedProxy() throws Exception {
        assertThat(decoder.decode(buffer(ascii("P"))).isComplete()).isFalse();
        assertThat(reasonFor(decoder, ascii("PO"))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void aBadV2VersionIsRefusedOnItsThirteenthByteWithoutWaitingForSixteen() {
        assertThat(reasonFor(decoder, hex(SIG + "11"))).isEqualTo(Reason.BAD_VERSION);
    }

    @Test
    void aBadV2FamilyIsRefusedOnItsFourteenthByte() {
        assertThat(reasonFor(decoder, hex(SIG + "21 ff"))).isEqualTo(Reason.BAD_FAMILY);
    }

    @Test
    void aV2HeaderLongerThanTheMaximumIsRefusedAsSoonAsItsLengthIsRead() {
        assertThat(reasonFor(decoder, hex(SIG + "21 11 0f f1"))).isEqualTo(Reason.TOO_LONG);
    }

    @Test
    void aV1LineWithAnUnknownProtocolIsRefusedBeforeItsCrlf() {
        assertThat(reasonFor(decoder, ascii("PROXY X"))).isEqualTo(Reason.BAD_FAMILY);
        assertThat(reasonFor(decoder, ascii("PROXY TCP4 1.2.3.x"))).isEqualTo(Reason.BAD_ADDRESS);
        assertThat(reasonFor(decoder, ascii("PROXY TCP4 1.2.3.4 1.2.3.4 8o"))).isEqualTo(Reason.BAD_PORT);
        assertThat(reasonFor(decoder, ascii("PROXY TCP4  "))).isEqualTo(Reason.BAD_SYNTAX);
    }

    @Test
    void aV1LineWaitsForItsCrlfUpTo107BytesAndIsRefusedAtThe107th() throws Exception {
        byte[] line = ascii("PROXY UNKNOWN " + "x".repeat(93));

        assertThat(decoder.decode(buffer(Arrays.copyOf(line, 106))).isComplete()).isFalse();
        assertThat(reasonFor(decoder, line)).isEqualTo(Reason.TOO_LONG);
        assertThat(decoder.decode(buffer(concat(Arrays.copyOf(line, 105), ascii("\r\n")))).header())
                .isEqualTo(ProxyHeader.v1Unknown());
    }

    @Test
    void anEmptyBufferNeedsAtLeastOneByte() throws Exception {
        Result result = decoder.decode(ByteBuffer.allocate(0));

        assertThat(result.status()).isEqualTo(Result.Status.NEED_MORE);
        assertThat(result.minimumBytesNeeded()).isEqualTo(1);
        assertThat(result.headerLength()).isZero();
        assertThatThrownBy(result::header).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onceTheV2LengthIsKnownTheNeedMoreHintIsExact() throws Exception {
        byte[] header = new ProxyProtocolEncoder().encode(ProxyHeader.v2(
                GoldenBytesTest.endpoint("10.0.0.1", 1), GoldenBytesTest.endpoint("10.0.0.2", 2)));

        assertThat(decoder.decode(buffer(Arrays.copyOf(header, 16))).minimumBytesNeeded()).isEqualTo(12);
        assertThat(decoder.decode(buffer(Arrays.copyOf(header, 27))).minimumBytesNeeded()).isEqualTo(1);
    }

    @Test
    void aSecondHeaderAfterTheFirstIsLeftAsApplicationData() throws Exception {
        byte[] first = ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
        byte[] second = ascii("PROXY TCP4 6.6.6.6 5.6.7.8 1 2\r\n");
        ByteBuffer in = buffer(concat(first, second));

        assertThat(decoder.decode(in).header().source().getPort()).isEqualTo(1);
        assertThat(remaining(in)).isEqualTo(second);
    }

    @Test
    void aV1OnlyDecoderRefusesAV2HeaderOnItsFirstByteAndNamesTheVersionOnceItIsCertain() {
        ProxyProtocolDecoder v1Only = new ProxyProtocolDecoder(Versions.V1_ONLY, 4096);

        assertThat(reasonFor(v1Only, hex("0d"))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonFor(v1Only, hex(SIG + "20 00 00 00"))).isEqualTo(Reason.VERSION_NOT_ACCEPTED);
    }

    @Test
    void aV2OnlyDecoderRefusesAV1Line() {
        ProxyProtocolDecoder v2Only = new ProxyProtocolDecoder(Versions.V2_ONLY, 4096);

        ProxyProtocolException e = catchThrowableOfType(ProxyProtocolException.class,
                () -> v2Only.decode(buffer(ascii("PROXY UNKNOWN\r\n"))));

        assertThat(e.reason()).isEqualTo(Reason.VERSION_NOT_ACCEPTED);
        assertThat(e.getMessage()).contains("v1").contains("accepts v2");
    }

    @Test
    void bothVersionsAreAcceptedByDefault() throws Exception {
        assertThat(decoder.versions()).isEqualTo(Versions.V1_AND_V2);
        assertThat(decoder.maxV2HeaderLength()).isEqualTo(ProxyProtocolDecoder.DEFAULT_MAX_V2_HEADER_LENGTH);
        assertThat(decoder.decode(buffer(ascii("PROXY UNKNOWN\r\n"))).header().version()).isEqualTo(1);
        assertThat(decoder.decode(buffer(hex(SIG + "20 00 00 00"))).header().version()).isEqualTo(2);
    }

    @Test
    void theDefaultMaximumAcceptsA4096ByteHeaderAndRefusesA4097ByteOne() throws Exception {
        ProxyProtocolEncoder encoder = new ProxyProtocolEncoder();
        byte[] largest = encoder.encode(ProxyHeader.v2Local(List.of(Tlv.of(Tlv.NOOP, new byte[4096 - 16 - 3]))));
        byte[] tooLarge = encoder.encode(ProxyHeader.v2Local(List.of(Tlv.of(Tlv.NOOP, new byte[4097 - 16 - 3]))));

        assertThat(decoder.decode(buffer(largest)).headerLength()).isEqualTo(4096);
        assertThat(reasonFor(decoder, tooLarge)).isEqualTo(Reason.TOO_LONG);
    }

    @Test
    void theSpecsLargestHeaderIsAcceptedWhenTheMaximumAllowsIt() throws Exception {
        ProxyProtocolDecoder generous = new ProxyProtocolDecoder(Versions.V1_AND_V2, ProxyProtocolDecoder.V2_MAX_LENGTH);
        byte[] largest = new ProxyProtocolEncoder().encode(
                ProxyHeader.v2Local(List.of(Tlv.of(Tlv.NOOP, new byte[0xFFFF - 3]))));

        assertThat(largest).hasSize(65551);
        assertThat(generous.decode(buffer(largest)).headerLength()).isEqualTo(65551);
    }

    @Test
    void aSmallerMaximumRefusesTlvsThatWouldNotFit() throws Exception {
        ProxyProtocolDecoder tight = new ProxyProtocolDecoder(Versions.V2_ONLY, 28);
        ProxyProtocolEncoder encoder = new ProxyProtocolEncoder();
        ProxyHeader bare = ProxyHeader.v2(GoldenBytesTest.endpoint("10.0.0.1", 1),
                GoldenBytesTest.endpoint("10.0.0.2", 2));

        assertThat(tight.decode(buffer(encoder.encode(bare))).header()).isEqualTo(bare);
        assertThat(reasonFor(tight, new ProxyProtocolEncoder(true).encode(bare))).isEqualTo(Reason.TOO_LONG);
    }

    @Test
    void theMaximumMustLieWithinTheSpecsRange() {
        assertThatThrownBy(() -> new ProxyProtocolDecoder(Versions.V1_AND_V2, 15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15");
        assertThatThrownBy(() -> new ProxyProtocolDecoder(Versions.V1_AND_V2, 65552))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65552");
        assertThat(new ProxyProtocolDecoder(Versions.V1_AND_V2, 16).maxV2HeaderLength()).isEqualTo(16);
    }

    @Test
    void resultsDescribeThemselves() throws Exception {
        assertThat(decoder.decode(buffer(ascii("PRO"))).toString()).isEqualTo("NEED_MORE(at least 12 bytes)");
        assertThat(decoder.decode(buffer(ascii("PROXY UNKNOWN\r\n"))).toString())
                .isEqualTo("COMPLETE(15 bytes, ProxyHeader[v1 PROXY UNKNOWN])");
    }

    private static Reason reasonFor(ProxyProtocolDecoder decoder, byte[] bytes) {
        ByteBuffer in = buffer(bytes);
        ProxyProtocolException e = catchThrowableOfType(ProxyProtocolException.class, () -> decoder.decode(in));
        assertThat(e).as("decoding %s", Arrays.toString(bytes)).isNotNull();
        assertThat(in.position()).isZero();
        return e.reason();
    }
}
