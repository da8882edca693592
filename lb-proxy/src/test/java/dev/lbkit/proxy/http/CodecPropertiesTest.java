package dev.lbkit.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the codec over generated valid, mutated and random messages. */
class CodecPropertiesTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults();

    @Provide
    Arbitrary<Messages.Msg> requests() {
        return Messages.requests();
    }

    @Provide
    Arbitrary<Messages.Msg> chunkedRequests() {
        return Messages.chunkedRequests();
    }

    @Provide
    Arbitrary<Messages.Msg> responses() {
        return Messages.responses();
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        return Messages.mutatedRequests();
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Messages.noise();
    }

    @Property(tries = 500)
    void anyValidRequestSerialisesAndReparsesToItself(@ForAll("requests") Messages.Msg m) {
        Statistics.label("framing").collect(m.head().framing());
        Wire.Outcome o = Wire.run(m.stream(), new int[0], false, null, LIMITS);
        assertThat(o.reason()).as(o.summary()).isNull();
        HttpRequestHead parsed = (HttpRequestHead) o.head();
        HttpRequestHead built = (HttpRequestHead) m.head();
        assertThat(parsed.toString()).isEqualTo(built.toString());
        assertThat(parsed.method()).isEqualTo(built.method());
        assertThat(parsed.target()).isEqualTo(built.target());
        assertThat(parsed.version()).isEqualTo(built.version());
        assertThat(parsed.framing()).isEqualTo(built.framing());
        assertThat(parsed.contentLength()).isEqualTo(built.contentLength());
        assertThat(o.bodyLength()).isEqualTo(m.bodyLength());
        assertThat(o.complete()).isTrue();
        assertThat(o.rest()).isZero();
        // and the re-parsed head serialises to the same bytes again
        assertThat(Wire.run(m.stream(), new int[0], false, null, LIMITS).head().toString())
                .isEqualTo(parsed.toString());
    }

    @Property(tries = 300)
    void anyValidResponseSerialisesAndReparsesToItself(@ForAll("responses") Messages.Msg m) {
        Wire.Outcome o = Wire.run(m.stream(), new int[0], true, null, LIMITS);
        assertThat(o.reason()).as(o.summary()).isNull();
        HttpResponseHead parsed = (HttpResponseHead) o.head();
        HttpResponseHead built = (HttpResponseHead) m.head();
        assertThat(parsed.toString()).isEqualTo(built.toString());
        assertThat(parsed.status()).isEqualTo(built.status());
        assertThat(parsed.reason()).isEqualTo(built.reason());
        assertThat(parsed.framing()).isEqualTo(built.framing());
        assertThat(parsed.isKeepAlive()).isEqualTo(built.isKeepAlive());
        assertThat(o.bodyLength()).isEqualTo(m.bodyLength());
        assertThat(o.complete()).isTrue();
    }

    @Property(tries = 500)
    void randomSplitsOfAValidStreamNeverChangeTheResult(@ForAll("requests") Messages.Msg m,
            @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 600) Integer> cuts) {
        int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
        assertThat(Wire.run(m.stream(), c, false, null, LIMITS).summary())
                .isEqualTo(Wire.run(m.stream(), new int[0], false, null, LIMITS).summary());
    }

    @Property(tries = 300)
    void pipelinedRequestsAreReadInOrderWhateverTheSplits(@ForAll @Size(min = 1, max = 4)
            List<Messages.@net.jqwik.api.From("requests") Msg> messages,
            @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 2000) Integer> cuts) {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        List<String> expected = new java.util.ArrayList<>();
        for (Messages.Msg m : messages) {
            stream.writeBytes(m.stream());
            expected.add(m.head().framing() + " body=" + m.bodyLength() + " " + m.head());
        }
        byte[] all = stream.toByteArray();
        int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
        assertThat(Wire.runAll(all, new int[0], LIMITS)).containsExactlyElementsOf(expected);
        assertThat(Wire.runAll(all, c, LIMITS)).containsExactlyElementsOf(expected);
    }

    @Property(tries = 1000)
    void randomSplitsOfAMutatedStreamNeverChangeTheResult(@ForAll("mutated") byte[] input,
            @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 600) Integer> cuts) {
        int[] c = cuts.stream().mapToInt(Integer::intValue).toArray();
        assertThat(Wire.run(input, c, false, null, LIMITS).summary())
                .isEqualTo(Wire.run(input, new int[0], false, null, LIMITS).summary());
    }

    @Property(tries = 2000)
    void mutatedRequestsAreRejectedWithTheCodecsExceptionOrAcceptedOnlyWhenValid(@ForAll("mutated") byte[] input) {
        checkNeverAcceptsInvalid(input);
    }

    @Property(tries = 2000)
    void randomBytesAreRejectedWithTheCodecsExceptionOrAcceptedOnlyWhenValid(@ForAll("noise") byte[] input) {
        checkNeverAcceptsInvalid(input);
        // responses too: nothing but the codec's exception
        Wire.run(input, new int[0], true, null, LIMITS);
        Wire.run(input, new int[0], true, HttpRequestHead.create("HEAD", "/", HttpVersion.HTTP_1_1), LIMITS);
    }

    @Property(tries = 1000)
    void chunkedBodiesWithAnyByteChangedAgreeWithAnIndependentDecoder(@ForAll("chunkedRequests") Messages.Msg m,
            @ForAll @IntRange(min = 0, max = 100_000) int at, @ForAll byte replacement) {
        byte[] s = m.stream().clone();
        int headLength = s.length - m.bodyLength();
        int i = headLength + at % m.bodyLength();
        s[i] = replacement;
        Wire.Outcome o = Wire.run(s, new int[0], false, null, LIMITS);
        byte[] rest = Arrays.copyOfRange(s, headLength, s.length);
        boolean oracle = Messages.oracleAcceptsChunked(rest);
        Statistics.label("mutated chunked body").collect(oracle ? "valid" : "invalid");
        if (oracle) {
            // the mutation kept the body valid (e.g. changed a data byte): the scanner takes all of it
            assertThat(o.reason()).as(o.summary()).isNull();
            assertThat(o.bodyLength()).isEqualTo(rest.length);
            assertThat(o.complete()).isTrue();
        } else if (o.reason() == null && o.complete()) {
            // accepted although the whole is invalid: only if the body ended early and is valid by itself
            byte[] body = Arrays.copyOf(rest, (int) o.bodyLength());
            assertThat(Messages.oracleAcceptsChunked(body)).as("accepted body is valid chunked framing").isTrue();
            assertThat(o.rest()).isPositive();
        }
    }

    /** The parser and the oracle agree on every head: accepted, rejected, or not complete yet. */
    private static void checkAgreesWithOracle(byte[] input) {
        Messages.Verdict parser;
        try {
            parser = new HttpRequestParser(LIMITS).parse(java.nio.ByteBuffer.wrap(input)) == null
                    ? Messages.Verdict.INCOMPLETE : Messages.Verdict.ACCEPT;
        } catch (HttpCodecException e) {
            parser = Messages.Verdict.REJECT;
        }
        assertThat(parser).as("parser verdict on %s", new String(input, java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(Messages.oracleRequestHead(input));
    }

    private static void checkNeverAcceptsInvalid(byte[] input) {
        checkAgreesWithOracle(input);
        Wire.Outcome o = Wire.run(input, new int[0], false, null, LIMITS); // throws only if the codec misbehaves
        Statistics.label("outcome").collect(o.reason() != null ? "rejected" : o.head() == null ? "incomplete"
                : "accepted");
        if (o.reason() == null && o.head() != null) {
            int headLength = (int) (input.length - o.bodyLength() - o.rest());
            byte[] head = Arrays.copyOf(input, headLength);
            assertThat(Messages.oracleAcceptsRequestHead(head)).as("oracle agrees the accepted head is valid: %s",
                    new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)).isTrue();
            // what would be forwarded re-parses to the same head
            Wire.Outcome again = Wire.run(Wire.bytes(o.head().toString()), new int[0], false, null, LIMITS);
            assertThat(again.head().toString()).isEqualTo(o.head().toString());
        }
    }
}
