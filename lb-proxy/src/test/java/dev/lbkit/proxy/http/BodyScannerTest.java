package dev.lbkit.proxy.http;

import static dev.lbkit.proxy.http.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Following bodies over bytes that are forwarded unchanged. */
class BodyScannerTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults();

    @Test
    void leavesTheBufferUntouchedAndReportsTheBodyBytes() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(bytes("5\r\nhello\r\n0\r\n\r\nGET"));
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CHUNKED, -1, LIMITS);
        assertThat(s.scan(in)).isEqualTo(15);
        assertThat(in.position()).isZero();
        assertThat(s.isComplete()).isTrue();
        assertThat(s.scan(in)).as("nothing more belongs to a complete body").isZero();
        assertThat(s.scannedBytes()).isEqualTo(15);
    }

    @Test
    void skipsChunkDataAcrossManyBuffersByCounting() throws Exception {
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CHUNKED, -1, LIMITS);
        ByteBuffer sizeLine = ByteBuffer.wrap(bytes("100000;ext=\"q\"\r\n"));
        assertThat(s.scan(sizeLine)).isEqualTo(sizeLine.remaining());
        ByteBuffer data = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < 256; i++) {
            data.clear();
            assertThat(s.scan(data)).isEqualTo(4096);
        }
        assertThat(s.isComplete()).isFalse();
        ByteBuffer end = ByteBuffer.wrap(bytes("\r\n0\r\nChecksum: abc\r\n\r\n"));
        assertThat(s.scan(end)).isEqualTo(end.remaining());
        assertThat(s.isComplete()).isTrue();
        assertThat(s.scannedBytes()).isEqualTo(sizeLine.capacity() + 0x100000 + end.capacity());
    }

    @Test
    void scansAnAbsoluteRangeWithoutLookingOutsideIt() throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(bytes("XXXX3\r\nabc\r\n0\r\n\r\nYYYY"));
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CHUNKED, -1, LIMITS);
        assertThat(s.scan(buf, 4, 5)).isEqualTo(5);
        assertThat(s.scan(buf, 9, 12)).as("the body ends before YYYY").isEqualTo(8);
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void countsAContentLengthBodyAndStopsAtItsEnd() throws Exception {
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CONTENT_LENGTH, 10, LIMITS);
        assertThat(s.scan(ByteBuffer.wrap(new byte[4]))).isEqualTo(4);
        assertThat(s.remainingLength()).isEqualTo(6);
        assertThat(s.endOfInput()).as("truncated").isFalse();
        assertThat(s.scan(ByteBuffer.wrap(new byte[100]))).isEqualTo(6);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.endOfInput()).isTrue();
    }

    @Test
    void untilCloseAndTunnelTakeEverythingUntilEndOfInput() throws Exception {
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.UNTIL_CLOSE, -1, LIMITS);
        assertThat(s.scan(ByteBuffer.wrap(new byte[77]))).isEqualTo(77);
        assertThat(s.isComplete()).isFalse();
        assertThat(s.endOfInput()).isTrue();
        s.reset(BodyFraming.TUNNEL, -1);
        assertThat(s.scan(ByteBuffer.wrap(new byte[5]))).isEqualTo(5);
        assertThat(s.isComplete()).isFalse();
        s.reset(BodyFraming.NONE, -1);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.scan(ByteBuffer.wrap(new byte[5]))).isZero();
    }

    @Test
    void reportsATruncatedChunkedBody() throws Exception {
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CHUNKED, -1, LIMITS);
        s.scan(ByteBuffer.wrap(bytes("5\r\nhel")));
        assertThat(s.endOfInput()).isFalse();
    }

    @Test
    void acceptsTheLargestChunkSizeAndRefusesOneMoreHexDigit() throws Exception {
        HttpBodyScanner s = HttpBodyScanner.of(BodyFraming.CHUNKED, -1, LIMITS);
        assertThat(s.scan(ByteBuffer.wrap(bytes("7fffffffffffffff\r\n")))).isEqualTo(18);
        s.reset(BodyFraming.CHUNKED, -1);
        assertThatThrownBy(() -> s.scan(ByteBuffer.wrap(bytes("7fffffffffffffff0\r\n"))))
                .isInstanceOfSatisfying(HttpCodecException.class, e -> assertThat(e.reason())
                        .isEqualTo(HttpCodecException.Reason.CHUNK_SIZE_OVERFLOW));
    }

    @Test
    void reusesOneScannerForConsecutiveMessages() throws Exception {
        HttpRequestParser p = new HttpRequestParser();
        ByteBuffer in = ByteBuffer.wrap(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1\r\nx\r\n0\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nyz"));
        HttpBodyScanner s = HttpBodyScanner.forMessage(p.parse(in), LIMITS);
        in.position(in.position() + s.scan(in));
        assertThat(s.isComplete()).isTrue();
        s.reset(p.parse(in));
        assertThat(s.framing()).isEqualTo(BodyFraming.CONTENT_LENGTH);
        assertThat(s.scan(in)).isEqualTo(2);
        assertThat(s.isComplete()).isTrue();
    }
}
