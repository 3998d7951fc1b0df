package io.sqlcache.proxy.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds a payload from the protocol's basic data types. Not thread-safe. */
public final class PayloadWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    public PayloadWriter int1(int v) {
        out.write(v);
        return this;
    }

    public PayloadWriter int2(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    public PayloadWriter int4(int v) {
        int2(v);
        return int2(v >>> 16);
    }

    public PayloadWriter lenenc(long v) {
        if (v < 0xFB) {
            out.write((int) v);
        } else if (v < 1 << 16) {
            out.write(0xFC);
            int2((int) v);
        } else if (v < 1 << 24) {
            out.write(0xFD);
            int2((int) v);
            out.write((int) (v >>> 16));
        } else {
            out.write(0xFE);
            int4((int) v);
            int4((int) (v >>> 32));
        }
        return this;
    }

    public PayloadWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public PayloadWriter lenencString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        lenenc(b.length);
        return bytes(b);
    }

    public PayloadWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
