package io.sqlcache.proxy.relay;

/**
 * Reads the integer parameters of a COM_STMT_EXECUTE: the values of parameters sent as TINY,
 * SHORT, INT24, LONG or LONGLONG, which the server compares as integers. Other parameters, NULLs,
 * and unsigned LONGLONGs above {@code Long.MAX_VALUE} are {@code null}. Stateless.
 *
 * <p>See <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html">
 * COM_STMT_EXECUTE</a> and the binary protocol value encodings it links.
 */
final class BinaryIntegers {

    private BinaryIntegers() {
    }

    /**
     * @param types  two bytes per parameter: type, then flags (0x80: unsigned)
     * @param values the NULL bitmap ({@code (count + 7) / 8} bytes) followed by the values
     * @return one element per parameter; all {@code null} when the values cannot be walked
     */
    static Long[] decode(byte[] types, byte[] values, int count) {
        Long[] out = new Long[count];
        if (types == null || values == null || types.length < 2 * count) {
            return out;
        }
        int nullBytes = (count + 7) / 8;
        int pos = nullBytes;
        try {
            for (int i = 0; i < count; i++) {
                if ((values[i / 8] & (1 << (i % 8))) != 0) {
                    continue; // NULL: no value bytes
                }
                int type = types[2 * i] & 0xff;
                boolean unsigned = (types[2 * i + 1] & 0x80) != 0;
                switch (type) {
                    case 0x01 -> {
                        out[i] = unsigned ? (long) (values[pos] & 0xff) : (long) values[pos];
                        pos += 1;
                    }
                    case 0x02 -> {
                        long v = le(values, pos, 2);
                        out[i] = unsigned ? v : (long) (short) v;
                        pos += 2;
                    }
                    case 0x03, 0x09 -> {
                        long v = le(values, pos, 4);
                        out[i] = unsigned ? v : (long) (int) v;
                        pos += 4;
                    }
                    case 0x08 -> {
                        long v = le(values, pos, 8);
                        out[i] = unsigned && v < 0 ? null : v;
                        pos += 8;
                    }
                    case 0x0d -> pos += 2; // YEAR
                    case 0x04 -> pos += 4; // FLOAT
                    case 0x05 -> pos += 8; // DOUBLE
                    case 0x06 -> {
                    }
                    case 0x07, 0x0a, 0x0b, 0x0c -> pos += 1 + (values[pos] & 0xff); // temporal: length byte
                    case 0x0f, 0x10, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff -> {
                        int first = values[pos] & 0xff;
                        long length;
                        if (first < 0xfb) {
                            length = first;
                            pos += 1;
                        } else if (first == 0xfc) {
                            length = le(values, pos + 1, 2);
                            pos += 3;
                        } else if (first == 0xfd) {
                            length = le(values, pos + 1, 3);
                            pos += 4;
                        } else if (first == 0xfe) {
                            length = le(values, pos + 1, 8);
                            pos += 9;
                        } else {
                            return new Long[count];
                        }
                        if (length < 0 || length > values.length) {
                            return new Long[count];
                        }
                        pos += (int) length;
                    }
                    default -> {
                        // a type we cannot size: the later values cannot be found; keep what we have
                        return out;
                    }
                }
                if (pos > values.length) {
                    return new Long[count]; // truncated: trust nothing
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return new Long[count];
        }
        return out;
    }

    private static long le(byte[] b, int pos, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) {
            v = (v << 8) | (b[pos + k] & 0xff);
        }
        return v;
    }
}
