package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.ascii;
import static dev.lbkit.proxy.proxyprotocol.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Result;
import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Versions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated bytes: the decoder answers NEED_MORE, a header, or {@link ProxyProtocolException}, and
 * nothing else (no index, arithmetic or null-pointer exception); it consumes nothing unless it returns a header;
 * it never changes the buffer's content or limit; and it fails early only on bytes that no header could extend.
 */
class HostileInputPropertyTest {
    private static final byte[] V2_SIGNATURE = ProxyProtocolDecoder.V2_SIGNATURE;

    @Provide
    Arbitrary<byte[]> hostileStreams() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> v1Like = Arbitraries.strings()
                .withChars("0123456789abcdefABCDEF.:% \r\nTCPUNKOW46-")
                .ofMaxLength(120)
                .map(s -> ascii("PROXY " + s));
        Arbitrary<byte[]> v1Shaped = Combinators.combine(Arbitraries.of("TCP4", "TCP6", "UNKNOWN", "TCP"),
                Arbitraries.strings().withChars("0123456789abcdef.:").ofMaxLength(45),
                Arbitraries.strings().withChars("0123456789abcdef.:").ofMaxLength(45),
                Arbitraries.strings().withChars("0123456789").ofMaxLength(6),
                Arbitraries.strings().withChars("0123456789").ofMaxLength(6),
                Arbitraries.of("\r\n", "\n", "\r", "", " \r\n"))
                .as((p, s, d, sp, dp, end) -> ascii("PROXY " + p + " " + s + " " + d + " " + sp + " " + dp + end));
        Arbitrary<byte[]> v2Like = Combinators.combine(
                Arbitraries.of(0x20, 0x21, 0x22, 0x11, 0x2f), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 300), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as((vc, fam, len, rest) -> concat(V2_SIGNATURE,
                        new byte[] {(byte) (int) vc, (byte) (int) fam, (byte) (len >>> 8), (byte) (int) len}, rest));
        Arbitrary<byte[]> v2WithTlvs = Combinators.combine(ProxyHeaders.v2(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40), Arbitraries.integers().between(-3, 3))
                .as((header, tail, lengthDelta) -> {
                    byte[] bytes = concat(new ProxyProtocolEncoder(true).encode(header), tail);
                    int len = ((bytes[14] & 0xff) << 8 | (bytes[15] & 0xff)) + lengthDelta;
                    bytes[14] = (byte) (len >>> 8);
                    bytes[15] = (byte) len;
                    return bytes;
                });
        return Arbitraries.oneOf(noise, v1Like, v1Shaped, v2Like, v2WithTlvs, mutatedEncodings());
    }

    /** Valid encodings with a few bytes replaced, removed or inserted, or cut short. */
    Arbitrary<byte[]> mutatedEncodings() {
        Arbitrary<byte[]> valid = Combinators.combine(ProxyHeaders.any(), Arbitraries.of(true, false))
                .as((h, crc) -> new ProxyProtocolEncoder(crc).encode(h));
        Arbitrary<List<int[]>> edits = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 255))
                .as((kind, at, value) -> new int[] {kind, at, value}).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(valid, edits).as(HostileInputPropertyTest::mutate);
    }

    @Provide
    Arbitrary<ProxyProtocolDecoder> decoders() {
        Arbitrary<ProxyProtocolDecoder> tuned = Combinators.combine(Arbitraries.of(Versions.class),
                Arbitraries.of(16, 28, 52, 100, 232, ProxyProtocolDecoder.DEFAULT_MAX_V2_HEADER_LENGTH))
                .as(ProxyProtocolDecoder::new);
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(new ProxyProtocolDecoder())), Tuple.of(1, tuned));
    }

    @Property(tries = 3000)
    void anyBytesGiveAHeaderNeedMoreOrAProxyProtocolExceptionAndAreConsumedOnlyForAHeader(
            @ForAll("hostileStreams") byte[] stream, @ForAll("decoders") ProxyProtocolDecoder decoder) {
        ByteBuffer in = ByteBuffer.wrap(stream.clone());

        Outcome outcome = Outcome.of(decoder, in);

        Statistics.label("outcome").collect(outcome.label());
        assertThat(in.array()).isEqualTo(stream);
        assertThat(in.limit()).isEqualTo(stream.length);
        if (outcome.result != null && outcome.result.isComplete()) {
            assertThat(in.position()).isEqualTo(outcome.result.headerLength()).isLessThanOrEqualTo(stream.length);
            assertThatCode(() -> new ProxyProtocolEncoder().encode(outcome.result.header())).doesNotThrowAnyException();
        } else {
            assertThat(in.position()).isZero();
        }
    }

    @Property(tries = 3000)
    void bytesRefusedEarlyAreRefusedWhateverFollowsThem(@ForAll("hostileStreams") byte[] stream,
            @ForAll("hostileStreams") byte[] more) {
        ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();
        Outcome first = Outcome.of(decoder, ByteBuffer.wrap(stream));
        if (first.failure == null) {
            return;
        }

        Outcome extended = Outcome.of(decoder, ByteBuffer.wrap(concat(stream, more)));

        assertThat(extended.failure).as("refused %s, then accepted it extended", first.failure.getMessage())
                .isNotNull();
    }

    @Property(tries = 3000)
    void fewerBytesThanTheNeedMoreHintNeverCompleteAHeader(@ForAll("hostileStreams") byte[] stream,
            @ForAll("hostileStreams") byte[] more) {
        ProxyProtocolDecoder decoder = new ProxyProtocolDecoder();
        Outcome first = Outcome.of(decoder, ByteBuffer.wrap(stream));
        if (first.result == null || first.result.isComplete()) {
            return;
        }
        int fewer = Math.min(more.length, first.result.minimumBytesNeeded() - 1);

        Outcome extended = Outcome.of(decoder, ByteBuffer.wrap(concat(stream, Arrays.copyOf(more, fewer))));

        assertThat(extended.result == null || !extended.result.isComplete()).isTrue();
    }

    @Property
    void aChecksummedHeaderWithAnyAddressByteChangedIsRefusedAsBadChecksum(
            @ForAll("checksummedWithAddresses") byte[] bytes, @ForAll @IntRange(max = 215) int at,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        int addressLength = ((bytes[14] & 0xff) << 8 | (bytes[15] & 0xff)) - 7; // the appended CRC32C TLV is last
        int index = ProxyProtocolDecoder.V2_FIXED_LENGTH + at % addressLength;
        bytes[index] ^= (byte) xor;

        Outcome outcome = Outcome.of(new ProxyProtocolDecoder(), ByteBuffer.wrap(bytes));

        assertThat(outcome.failure).isNotNull();
        assertThat(outcome.failure.reason()).isEqualTo(ProxyProtocolException.Reason.BAD_CHECKSUM);
    }

    @Provide
    Arbitrary<byte[]> checksummedWithAddresses() {
        return ProxyHeaders.v2().filter(ProxyHeader::hasAddresses)
                .map(HostileInputPropertyTest::withoutTlvs)
                .map(h -> new ProxyProtocolEncoder(true).encode(h));
    }

    private static ProxyHeader withoutTlvs(ProxyHeader h) {
        return h.transport().isUnix()
                ? ProxyHeader.v2Unix(h.transport(), h.unixSource(), h.unixDestination(), List.of())
                : ProxyHeader.v2(h.transport(), h.source(), h.destination(), List.of());
    }

    private static byte[] mutate(byte[] valid, List<int[]> edits) {
        byte[] bytes = valid;
        for (int[] edit : edits) {
            int at = edit[1] % (bytes.length + 1);
            byte value = (byte) edit[2];
            switch (edit[0]) {
                case 0: // replace
                    if (at < bytes.length) {
                        bytes = bytes.clone();
                        bytes[at] = value;
                    }
                    break;
                case 1: // remove
                    if (at < bytes.length) {
                        bytes = concat(Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(bytes, at + 1, bytes.length));
                    }
                    break;
                case 2: // insert
                    bytes = concat(Arrays.copyOfRange(bytes, 0, at), new byte[] {value},
                            Arrays.copyOfRange(bytes, at, bytes.length));
                    break;
                default: // cut short
                    bytes = Arrays.copyOf(bytes, at);
            }
        }
        return bytes;
    }

    /** What one decode call did; any throwable other than {@link ProxyProtocolException} fails the property. */
    private static final class Outcome {
        final Result result;
        final ProxyProtocolException failure;

        private Outcome(Result result, ProxyProtocolException failure) {
            this.result = result;
            this.failure = failure;
        }

        static Outcome of(ProxyProtocolDecoder decoder, ByteBuffer in) {
            try {
                return new Outcome(decoder.decode(in), null);
            } catch (ProxyProtocolException e) {
                assertThat(e.reason()).isNotNull();
                assertThat(e.getMessage()).isNotBlank();
                return new Outcome(null, e);
            }
        }

        String label() {
            return failure != null ? failure.reason().name() : result.status().name();
        }
    }
}
