package io.sqlcache.proxy.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a payload that reads the protocol's basic data types. Every read checks the
 * bytes left and throws {@link MalformedPacketException} on a truncated or inconsistent
 * payload, never an index exception. Not thread-safe; cheap to create.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html">Basic data types</a>
 */
public final class PayloadReader {

    private final byte[] b;
    private int pos;

    public PayloadReader(byte[] payload, int offset) {
        this.b = payload;
        this.pos = offset;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return b.length - pos;
    }

    private void need(int n) {
        if (n < 0 || b.length - pos < n) {
            throw new MalformedPacketException("packet truncated: need " + n + " bytes at " + pos + " of " + b.length);
        }
    }

    public int int1() {
        need(1);
        return b[pos++] & 0xFF;
    }

    public int int2() {
        need(2);
        int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    public int int3() {
        need(3);
        int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16;
        pos += 3;
        return v;
    }

    public int int4() {
        need(4);
        int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long int8() {
        long lo = int4() & 0xFFFF_FFFFL;
        long hi = int4() & 0xFFFF_FFFFL;
        return hi << 32 | lo;
    }

    /** A length-encoded integer; 0xFB (NULL) and 0xFF are not integers here and are refused. */
    public long lenenc() {
        int first = int1();
        if (first < 0xFB) {
            return first;
        }
        return switch (first) {
            case 0xFC -> int2();
            case 0xFD -> int3();
            case 0xFE -> int8();
            default -> throw new MalformedPacketException("0x" + Integer.toHexString(first) + " is not a length-encoded integer");
        };
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }

    /** Bytes up to a NUL, which is consumed; a missing NUL is malformed. */
    public byte[] nulTerminated() {
        for (int i = pos; i < b.length; i++) {
            if (b[i] == 0) {
                byte[] out = java.util.Arrays.copyOfRange(b, pos, i);
                pos = i + 1;
                return out;
            }
        }
        throw new MalformedPacketException("string at " + pos + " has no NUL terminator");
    }

    public String nulTerminatedString() {
        return new String(nulTerminated(), StandardCharsets.UTF_8);
    }

    /** A length-encoded string as bytes. */
    public byte[] lenencBytes() {
        long n = lenenc();
        if (n > remaining()) {
            throw new MalformedPacketException("string of " + n + " bytes with only " + remaining() + " left");
        }
        return bytes((int) n);
    }

    /** Everything left. */
    public byte[] rest() {
        return bytes(remaining());
    }
}
