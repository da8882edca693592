package dev.lbkit.proxy.proxyprotocol;

import static dev.lbkit.proxy.proxyprotocol.Bytes.concat;
import static dev.lbkit.proxy.proxyprotocol.Bytes.remaining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.proxy.proxyprotocol.ProxyProtocolDecoder.Result;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever the encoder writes the decoder reads back, however TCP cuts it into pieces, and the bytes after the
 * header stay where they were.
 */
class RoundTripPropertyTest {
    private final ProxyProtocolEncoder encoder = new ProxyProtocolEncoder();
    private final ProxyProtocolDecoder decoder = new ProxyProtocolDecoder(ProxyProtocolDecoder.Versions.V1_AND_V2,
            ProxyProtocolDecoder.V2_MAX_LENGTH);

    @Provide
    Arbitrary<ProxyHeader> v1Headers() {
        return ProxyHeaders.v1();
    }

    @Provide
    Arbitrary<ProxyHeader> v2Headers() {
        return ProxyHeaders.v2();
    }

    @Provide
    Arbitrary<ProxyHeader> headers() {
        return ProxyHeaders.any();
    }

    @Provide
    Arbitrary<byte[]> data() {
        return ProxyHeaders.trailingData();
    }

    @Property
    void anyV1HeaderEncodesAndDecodesToItself(@ForAll("v1Headers") ProxyHeader header, @ForAll("data") byte[] data)
            throws Exception {
        Statistics.collect(header.transport());
        byte[] bytes = encoder.encode(header);
        ByteBuffer in = ByteBuffer.wrap(concat(bytes, data));

        Result result = decoder.decode(in);

        assertThat(bytes.length).isLessThanOrEqualTo(ProxyProtocolDecoder.V1_MAX_LENGTH);
        assertThat(result.header()).isEqualTo(header);
        assertThat(result.headerLength()).isEqualTo(bytes.length).isEqualTo(encoder.encodedLength(header));
        assertThat(remaining(in)).isEqualTo(data);
    }

    @Property
    void anyV2HeaderEncodesAndDecodesToItself(@ForAll("v2Headers") ProxyHeader header, @ForAll("data") byte[] data)
            throws Exception {
        Statistics.collect(header.command(), header.transport());
        byte[] bytes = encoder.encode(header);
        ByteBuffer in = ByteBuffer.wrap(concat(bytes, data));

        Result result = decoder.decode(in);

        assertThat(result.header()).isEqualTo(header);
        assertThat(result.headerLength()).isEqualTo(bytes.length).isEqualTo(encoder.encodedLength(header));
        assertThat(remaining(in)).isEqualTo(data);
    }

    @Property
    void anyV2HeaderWithAnAppendedCrc32cDecodesToItselfPlusTheChecksum(@ForAll("v2Headers") ProxyHeader header)
            throws Exception {
        ProxyProtocolEncoder withCrc = new ProxyProtocolEncoder(true);
        byte[] bytes = withCrc.encode(header);

        ProxyHeader decoded = decoder.decode(ByteBuffer.wrap(bytes)).header();

        assertThat(decoded.tlvs()).hasSize(header.tlvs().size() + 1);
        assertThat(decoded.tlvs().subList(0, header.tlvs().size())).isEqualTo(header.tlvs());
        assertThat(decoded.tlvs().get(header.tlvs().size()).type()).isEqualTo(Tlv.CRC32C);
        assertThat(decoded.source()).isEqualTo(header.source());
        assertThat(decoded.transport()).isEqualTo(header.transport());
        assertThat(encoder.encode(decoded)).isEqualTo(bytes);
    }

    @Property
    void decodingAnyHeaderSplitInTwoAtEveryPositionNeedsMoreUntilTheLastByteThenGivesTheSameHeader(
            @ForAll("headers") ProxyHeader header, @ForAll("data") byte[] data) throws Exception {
        byte[] bytes = encoder.encode(header);
        byte[] stream = concat(bytes, data);
        for (int cut = 0; cut <= stream.length; cut++) {
            ByteBuffer in = ByteBuffer.allocate(stream.length);
            in.put(stream, 0, cut).flip();

            Result first = decoder.decode(in);

            if (cut < bytes.length) {
                assertThat(first.isComplete()).as("cut at %d of %d", cut, bytes.length).isFalse();
                assertThat(first.minimumBytesNeeded()).isBetween(1, bytes.length - cut);
                assertThat(in.position()).isZero();
                in.compact().put(stream, cut, stream.length - cut).flip();
                first = decoder.decode(in);
            }
            assertThat(first.header()).isEqualTo(header);
            assertThat(remaining(in)).isEqualTo(java.util.Arrays.copyOfRange(stream, bytes.length, cut < bytes.length
                    ? stream.length : cut));
        }
    }

    @Property
    void decodingAnyHeaderFedInRandomChunksCompletesExactlyWhenItsLastByteArrives(
            @ForAll("headers") ProxyHeader header, @ForAll("data") byte[] data,
            @ForAll @Size(max = 40) List<@IntRange(min = 1, max = 24) Integer> chunks) throws Exception {
        byte[] bytes = encoder.encode(header);
        byte[] stream = concat(bytes, data);
        ByteBuffer in = ByteBuffer.allocate(stream.length);
        in.flip();
        int fed = 0;
        int chunk = 0;
        Result result = null;
        while (fed < stream.length) {
            int size = chunk < chunks.size() ? Math.min(chunks.get(chunk++), stream.length - fed)
                    : stream.length - fed;
            in.compact().put(stream, fed, size).flip();
            fed += size;

            result = decoder.decode(in);

            if (fed < bytes.length) {
                assertThat(result.isComplete()).isFalse();
                assertThat(in.position()).isZero();
            } else {
                break;
            }
        }
        assertThat(result.header()).isEqualTo(header);
        in.compact().put(stream, fed, stream.length - fed).flip();
        assertThat(remaining(in)).isEqualTo(data);
    }

    @Property
    void aHeaderInTheMiddleOfAnyKindOfBufferDecodesTheSameWay(@ForAll("headers") ProxyHeader header,
            @ForAll("data") byte[] data, @ForAll @IntRange(max = 7) int offset, @ForAll boolean direct,
            @ForAll boolean readOnly) throws Exception {
        byte[] bytes = encoder.encode(header);
        ByteBuffer backing = direct ? ByteBuffer.allocateDirect(offset + bytes.length + data.length + 5)
                : ByteBuffer.allocate(offset + bytes.length + data.length + 5);
        backing.position(offset);
        backing.put(bytes).put(data).flip().position(offset);
        ByteBuffer in = readOnly ? backing.asReadOnlyBuffer() : backing;
        int limit = in.limit();

        Result result = decoder.decode(in);

        assertThat(result.header()).isEqualTo(header);
        assertThat(in.position()).isEqualTo(offset + bytes.length);
        assertThat(in.limit()).isEqualTo(limit);
        assertThat(remaining(in)).isEqualTo(data);
    }

    @Property
    void encodingIntoATooSmallBufferThrowsAndWritesNothing(@ForAll("headers") ProxyHeader header,
            @ForAll @IntRange(min = 1, max = 300) int shortBy) {
        int length = encoder.encodedLength(header);
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, length - shortBy));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> encoder.encode(header, out))
                .isInstanceOf(java.nio.BufferOverflowException.class);
        assertThat(out.position()).isZero();
        assertThat(out.array()).isEqualTo(new byte[out.capacity()]);
    }

    @Property
    void aHeaderTlvsToStringNeverFails(@ForAll("v2Headers") ProxyHeader header) {
        assertThat(header.toString()).startsWith("ProxyHeader[v2 " + header.command());
        assertThat(header.tlvs().stream().map(Tlv::toString).collect(Collectors.joining())).isNotNull();
    }
}
