package dev.lbkit.proxy.http;

import dev.lbkit.proxy.http.HttpCodecException.Reason;
import java.nio.ByteBuffer;

/**
 * The chunked-body state machine behind {@link HttpBodyScanner} (RFC 9112 section 7.1). Looks at every byte of
 * chunk-size lines, the CRLF after data and the trailer section; skips chunk data by counting.
 */
final class ChunkedScanner {
    private static final int SIZE = 0;
    private static final int BWS_BEFORE_SEMI = 1;
    private static final int AFTER_SEMI = 2;
    private static final int EXT_NAME = 3;
    private static final int AFTER_NAME_WS = 4;
    private static final int AFTER_EQ = 5;
    private static final int EXT_TOKEN = 6;
    private static final int EXT_QUOTED = 7;
    private static final int EXT_ESCAPE = 8;
    private static final int AFTER_QUOTE = 9;
    private static final int LINE_LF = 10;
    private static final int DATA = 11;
    private static final int DATA_CR = 12;
    private static final int DATA_LF = 13;
    private static final int TRAILER_START = 14;
    private static final int TRAILER_NAME = 15;
    private static final int TRAILER_VALUE = 16;
    private static final int TRAILER_LF = 17;
    private static final int FINAL_LF = 18;
    private static final int DONE = 19;

    private final HttpLimits limits;
    private int state;
    private int lineLength;
    private int digits;
    private long size;
    private long remaining;
    private int trailerBytes;
    private int trailerFields;
    private int nameLength;

    ChunkedScanner(HttpLimits limits) {
        if (limits == null) {
            throw new NullPointerException("limits");
        }
        this.limits = limits;
    }

    void reset() {
        state = SIZE;
        lineLength = 0;
        digits = 0;
        size = 0;
        remaining = 0;
        trailerBytes = 0;
        trailerFields = 0;
        nameLength = 0;
    }

    boolean isComplete() {
        return state == DONE;
    }

    int scan(ByteBuffer buf, int offset, int length) throws HttpCodecException {
        int i = offset;
        int end = offset + length;
        while (i < end && state != DONE) {
            if (state == DATA) {
                int n = (int) Math.min(remaining, end - i);
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    state = DATA_CR;
                }
                continue;
            }
            int b = buf.get(i) & 0xFF;
            i++;
            if (state < DATA) {
                if (++lineLength > limits.maxChunkLineLength()) {
                    throw new HttpCodecException(Reason.CHUNK_LINE_TOO_LONG, "chunk-size line is longer than "
                            + "maxChunkLineLength " + limits.maxChunkLineLength() + " bytes");
                }
                chunkLine(b);
            } else if (state >= TRAILER_START) {
                if (++trailerBytes > limits.maxHeaderSectionLength()) {
                    throw new HttpCodecException(Reason.TRAILER_SECTION_TOO_LARGE, "trailer section is longer than "
                            + "maxHeaderSectionLength " + limits.maxHeaderSectionLength() + " bytes");
                }
                trailer(b);
            } else if (state == DATA_CR) {
                if (b != '\r') {
                    throw new HttpCodecException(Reason.BAD_CHUNK_END, "chunk data of " + size
                            + " bytes is followed by " + Ascii.quoteByte(b) + " instead of CRLF");
                }
                state = DATA_LF;
            } else { // DATA_LF
                if (b != '\n') {
                    throw new HttpCodecException(Reason.BAD_CHUNK_END, "chunk data of " + size + " bytes is "
                            + "followed by CR " + Ascii.quoteByte(b) + " instead of CRLF");
                }
                state = SIZE;
                lineLength = 0;
                digits = 0;
                size = 0;
            }
        }
        return i - offset;
    }

    private void chunkLine(int b) throws HttpCodecException {
        switch (state) {
            case SIZE:
                int d = Ascii.HEX[b];
                if (d >= 0) {
                    if (size > (Long.MAX_VALUE >> 4)) {
                        throw new HttpCodecException(Reason.CHUNK_SIZE_OVERFLOW, "chunk-size is larger than "
                                + Long.MAX_VALUE);
                    }
                    size = (size << 4) | d;
                    digits++;
                    return;
                }
                if (digits == 0) {
                    if (b == '\r') {
                        throw new HttpCodecException(Reason.BAD_CHUNK_SIZE, "chunk-size line is empty");
                    }
                    throw HeadParser.classify(b, Reason.BAD_CHUNK_SIZE, "chunk-size starts with "
                            + Ascii.quoteByte(b) + " instead of a hex digit");
                }
                if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b == ' ' || b == '\t') {
                    state = BWS_BEFORE_SEMI;
                } else if (b == '\r') {
                    state = LINE_LF;
                } else {
                    throw HeadParser.classify(b, Reason.BAD_CHUNK_SIZE, "chunk-size has the byte "
                            + Ascii.quoteByte(b) + " after its hex digits");
                }
                return;
            case BWS_BEFORE_SEMI:
                if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b != ' ' && b != '\t') {
                    throw ext(b, "whitespace after a chunk-size or extension must lead to \";\"");
                }
                return;
            case AFTER_SEMI:
                if (Ascii.TOKEN[b]) {
                    state = EXT_NAME;
                } else if (b != ' ' && b != '\t') {
                    throw ext(b, "chunk extension name expected after \";\"");
                }
                return;
            case EXT_NAME:
                if (Ascii.TOKEN[b]) {
                    return;
                }
                if (b == '=') {
                    state = AFTER_EQ;
                } else if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b == ' ' || b == '\t') {
                    state = AFTER_NAME_WS;
                } else if (b == '\r') {
                    state = LINE_LF;
                } else {
                    throw ext(b, "chunk extension name has a byte that is not a token character");
                }
                return;
            case AFTER_NAME_WS:
                if (b == '=') {
                    state = AFTER_EQ;
                } else if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b != ' ' && b != '\t') {
                    throw ext(b, "whitespace after a chunk extension name must lead to \"=\" or \";\"");
                }
                return;
            case AFTER_EQ:
                if (Ascii.TOKEN[b]) {
                    state = EXT_TOKEN;
                } else if (b == '"') {
                    state = EXT_QUOTED;
                } else if (b != ' ' && b != '\t') {
                    throw ext(b, "chunk extension value must be a token or a quoted-string");
                }
                return;
            case EXT_TOKEN:
                if (Ascii.TOKEN[b]) {
                    return;
                }
                if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b == ' ' || b == '\t') {
                    state = BWS_BEFORE_SEMI;
                } else if (b == '\r') {
                    state = LINE_LF;
                } else {
                    throw ext(b, "chunk extension value has a byte that is not a token character");
                }
                return;
            case EXT_QUOTED:
                if (b == '"') {
                    state = AFTER_QUOTE;
                } else if (b == '\\') {
                    state = EXT_ESCAPE;
                } else if (!Ascii.FIELD_VALUE[b]) {
                    throw ext(b, "quoted chunk extension value has a control byte");
                }
                return;
            case EXT_ESCAPE:
                if (!Ascii.FIELD_VALUE[b]) {
                    throw ext(b, "quoted-pair in a chunk extension escapes a control byte");
                }
                state = EXT_QUOTED;
                return;
            case AFTER_QUOTE:
                if (b == ';') {
                    state = AFTER_SEMI;
                } else if (b == ' ' || b == '\t') {
                    state = BWS_BEFORE_SEMI;
                } else if (b == '\r') {
                    state = LINE_LF;
                } else {
                    throw ext(b, "a quoted chunk extension value must be followed by \";\" or CRLF");
                }
                return;
            case LINE_LF:
                if (b != '\n') {
                    throw HeadParser.classify('\r', Reason.BAD_CHUNK_SIZE, "chunk-size line has CR followed by "
                            + Ascii.quoteByte(b));
                }
                if (size == 0) {
                    state = TRAILER_START;
                } else {
                    remaining = size;
                    state = DATA;
                }
                return;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private static HttpCodecException ext(int b, String message) {
        String m = message + ": " + Ascii.quoteByte(b);
        return b == '\r' ? new HttpCodecException(Reason.BAD_CHUNK_EXTENSION, m)
                : HeadParser.classify(b, Reason.BAD_CHUNK_EXTENSION, m);
    }

    private void trailer(int b) throws HttpCodecException {
        switch (state) {
            case TRAILER_START:
                if (b == '\r') {
                    state = FINAL_LF;
                } else if (b == ' ' || b == '\t') {
                    throw new HttpCodecException(Reason.OBS_FOLD, "trailer field line starts with whitespace");
                } else if (Ascii.TOKEN[b]) {
                    if (++trailerFields > limits.maxHeaderCount()) {
                        throw new HttpCodecException(Reason.TRAILER_SECTION_TOO_LARGE, "more than maxHeaderCount "
                                + limits.maxHeaderCount() + " trailer fields");
                    }
                    nameLength = 1;
                    state = TRAILER_NAME;
                } else if (b == ':') {
                    throw new HttpCodecException(Reason.BAD_FIELD_NAME, "trailer field has an empty name");
                } else {
                    throw HeadParser.classify(b, Reason.BAD_FIELD_NAME, "trailer field name starts with "
                            + Ascii.quoteByte(b));
                }
                return;
            case TRAILER_NAME:
                if (Ascii.TOKEN[b]) {
                    nameLength++;
                } else if (b == ':') {
                    state = TRAILER_VALUE;
                } else if (b == ' ' || b == '\t') {
                    throw new HttpCodecException(Reason.WHITESPACE_BEFORE_COLON, "trailer field name is followed "
                            + "by whitespace");
                } else if (b == '\r') {
                    throw new HttpCodecException(Reason.MISSING_COLON, "trailer field line has no colon");
                } else {
                    throw HeadParser.classify(b, Reason.BAD_FIELD_NAME, "trailer field name has a byte that is "
                            + "not a token character " + Ascii.quoteByte(b));
                }
                return;
            case TRAILER_VALUE:
                if (b == '\r') {
                    state = TRAILER_LF;
                } else if (!Ascii.FIELD_VALUE[b]) {
                    throw HeadParser.classify(b, Reason.BAD_FIELD_VALUE, "trailer field value has a forbidden "
                            + "byte " + Ascii.quoteByte(b));
                }
                return;
            case TRAILER_LF:
            case FINAL_LF:
                if (b != '\n') {
                    throw new HttpCodecException(Reason.BARE_CR, "CR not followed by LF in the trailer section: "
                            + "CR " + Ascii.quoteByte(b));
                }
                state = state == FINAL_LF ? DONE : TRAILER_START;
                return;
            default:
                throw new IllegalStateException("state " + state);
        }
    }
}
