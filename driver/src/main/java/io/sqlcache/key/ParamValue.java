package io.sqlcache.key;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.temporal.TemporalAccessor;
import java.util.Calendar;

/**
 * A bound parameter as key material: a type tag and the value's exact bytes, so two bindings
 * are equal only when the real driver would send the server the same value the same way.
 * Binding the same number through {@code setInt} and {@code setLong} gives two keys; that
 * costs a miss, never a wrong hit. Immutable.
 */
public final class ParamValue {

    private final byte[] bytes;

    private ParamValue(byte[] bytes) {
        this.bytes = bytes;
    }

    byte[] bytes() {
        return bytes;
    }

    /**
     * The value when it was bound through {@code setByte}, {@code setShort}, {@code setInt} or
     * {@code setLong} (the real driver sends it as an integer); else {@code null}, also for
     * integers bound any other way.
     */
    public Long integerValue() {
        if (bytes.length == 9 && (bytes[0] == 'B' || bytes[0] == 'S' || bytes[0] == 'I' || bytes[0] == 'J')) {
            return ByteBuffer.wrap(bytes, 1, 8).getLong();
        }
        return null;
    }

    /** {@link #integerValue()} of each parameter; {@code null} when {@code params} is. */
    public static Long[] integers(ParamValue[] params) {
        if (params == null) {
            return null;
        }
        Long[] out = new Long[params.length];
        for (int i = 0; i < params.length; i++) {
            out[i] = params[i] == null ? null : params[i].integerValue();
        }
        return out;
    }

    public static ParamValue ofNull(int sqlType) {
        return new ParamValue(ByteBuffer.allocate(5).put((byte) 'N').putInt(sqlType).array());
    }

    public static ParamValue ofBoolean(boolean v) {
        return new ParamValue(new byte[] {'Z', (byte) (v ? 1 : 0)});
    }

    /** An integral value; {@code tag} says which setter bound it ('B','S','I','J'). */
    public static ParamValue ofLong(char tag, long v) {
        return new ParamValue(ByteBuffer.allocate(9).put((byte) tag).putLong(v).array());
    }

    public static ParamValue ofFloat(float v) {
        return new ParamValue(ByteBuffer.allocate(5).put((byte) 'F').putInt(Float.floatToRawIntBits(v)).array());
    }

    public static ParamValue ofDouble(double v) {
        return new ParamValue(ByteBuffer.allocate(9).put((byte) 'D').putLong(Double.doubleToRawLongBits(v)).array());
    }

    public static ParamValue ofString(char tag, String v) {
        return tagged(tag, v.getBytes(StandardCharsets.UTF_8));
    }

    public static ParamValue ofBytes(byte[] v) {
        return tagged('X', v);
    }

    /**
     * A value bound through {@code setObject}, {@code setDate} and the like: its class name and
     * its {@code toString()}, which is exact for every type accepted here.
     *
     * @param calendar the Calendar given to the setter, or null; its time zone changes the value sent
     * @param extra    the target SQL type or scale given to the setter, or null
     * @return the parameter, or {@code null} when the type is not one whose value is fully
     *         described by its class and text (streams, LOBs, arrays, …): such a statement is not cached
     */
    public static ParamValue ofObject(Object v, Calendar calendar, String extra) {
        if (v == null) {
            return ofString('0', extra == null ? "" : extra);
        }
        String text;
        if (v instanceof byte[] b) {
            return ofBytes(b);
        } else if (v instanceof String || v instanceof Number && isPlainNumber(v) || v instanceof Boolean
                || v instanceof java.util.Date || v instanceof TemporalAccessor && v.getClass().getName().startsWith("java.time.")
                || v instanceof Character) {
            text = v instanceof java.util.Date d && !(v instanceof java.sql.Date) && !(v instanceof java.sql.Time)
                    && !(v instanceof java.sql.Timestamp)
                    ? Long.toString(d.getTime())
                    : v instanceof java.sql.Timestamp ts ? ts.getTime() + "." + ts.getNanos() : v.toString();
        } else {
            return null;
        }
        String zone = calendar == null ? "" : calendar.getTimeZone().getID();
        return ofString('O', v.getClass().getName() + '\u0000' + text + '\u0000' + zone + '\u0000'
                + (extra == null ? "" : extra));
    }

    private static boolean isPlainNumber(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigDecimal || v instanceof BigInteger || v instanceof Double || v instanceof Float;
    }

    private static ParamValue tagged(char tag, byte[] payload) {
        return new ParamValue(ByteBuffer.allocate(5 + payload.length).put((byte) tag).putInt(payload.length).put(payload).array());
    }
}
