package io.sqlcache.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Turns a {@link CacheEntry} into bytes and back.
 *
 * <p>Format: the magic {@code "SQC"}, one format-version byte, then a body written by our own
 * Kryo serializer. Every cell carries an explicit one-byte type tag and the payload never names
 * a class, so decoding can only ever produce the cell types listed in {@link #supports}: a forged
 * or corrupt payload fails with {@link CodecException} (invariant I5). Every length prefix is
 * checked against the bytes that remain before anything is allocated.
 *
 * <p>Thread-safe: Kryo instances are not, so each call borrows one from a pool.
 */
public final class EntryCodec {

    /** Version of the body layout; bump it whenever the layout changes, old entries then become misses. */
    static final byte FORMAT_VERSION = 2;
    /**
     * Version byte of a {@link RawEntry} (the proxy's raw packets). Distinct from every
     * {@link #FORMAT_VERSION}, so either decoder refuses the other kind with a CodecException.
     */
    static final byte RAW_FORMAT_VERSION = (byte) 0x81;
    private static final byte[] MAGIC = {'S', 'Q', 'C'};
    static final int HEADER_LENGTH = MAGIC.length + 1;

    private static final int T_NULL = 0;
    private static final int T_FALSE = 1;
    private static final int T_TRUE = 2;
    private static final int T_BYTE = 3;
    private static final int T_SHORT = 4;
    private static final int T_INT = 5;
    private static final int T_LONG = 6;
    private static final int T_FLOAT = 7;
    private static final int T_DOUBLE = 8;
    private static final int T_BIG_INTEGER = 9;
    private static final int T_BIG_DECIMAL = 10;
    private static final int T_STRING = 11;
    private static final int T_BYTES = 12;
    private static final int T_SQL_DATE = 13;
    private static final int T_SQL_TIME = 14;
    private static final int T_SQL_TIMESTAMP = 15;
    private static final int T_LOCAL_DATE = 16;
    private static final int T_LOCAL_TIME = 17;
    private static final int T_LOCAL_DATE_TIME = 18;
    private static final int T_OFFSET_DATE_TIME = 19;
    private static final int T_OFFSET_TIME = 20;

    /** Exact classes only: a subclass could carry state the codec would silently drop. */
    private static final Set<Class<?>> SUPPORTED = Set.of(
            Boolean.class, Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
            BigInteger.class, BigDecimal.class, String.class, byte[].class,
            java.sql.Date.class, Time.class, Timestamp.class,
            LocalDate.class, LocalTime.class, LocalDateTime.class, OffsetDateTime.class, OffsetTime.class);

    private final Pool<Kryo> kryos = new Pool<>(true, false, 16) {
        @Override
        protected Kryo create() {
            Kryo kryo = new Kryo();
            kryo.setRegistrationRequired(true);
            kryo.setReferences(false);
            // A fixed id, so the registration never depends on the order classes were seen in.
            kryo.register(CacheEntry.class, new EntrySerializer(), 100);
            return kryo;
        }
    };

    /** Creates a codec; instances are cheap to share and thread-safe. */
    public EntryCodec() {
    }

    /**
     * Whether a cell value can be encoded.
     *
     * @param v a value from a result set, may be {@code null} (which is supported)
     * @return true for {@code null} and the exact classes this codec handles
     */
    public static boolean supports(Object v) {
        return v == null || SUPPORTED.contains(v.getClass());
    }

    /**
     * Encodes an entry.
     *
     * @param e the entry, not null, whose cells all satisfy {@link #supports}
     * @return a new array, never null
     * @throws IllegalArgumentException if a cell holds an unsupported type or a row is shorter
     *                                  than the column list (a programming error of the caller)
     */
    public byte[] encode(CacheEntry e) {
        Kryo kryo = kryos.obtain();
        try (Output out = new Output(256, -1)) {
            out.writeBytes(MAGIC);
            out.writeByte(FORMAT_VERSION);
            kryo.writeObject(out, e);
            return out.toBytes();
        } finally {
            kryos.free(kryo);
        }
    }

    /**
     * Decodes an entry produced by {@link #encode}.
     *
     * @param bytes the stored bytes, may be null (then a CodecException)
     * @return the entry, never null
     * @throws CodecException for anything that is not exactly one well-formed entry of this
     *                        format version: never another exception type
     */
    public CacheEntry decode(byte[] bytes) throws CodecException {
        if (bytes == null || bytes.length < HEADER_LENGTH) {
            throw new CodecException("entry shorter than its header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CodecException("not a sqlcache entry (bad magic)");
            }
        }
        if (bytes[MAGIC.length] != FORMAT_VERSION) {
            throw new CodecException("entry format version " + bytes[MAGIC.length] + ", expected " + FORMAT_VERSION);
        }
        Kryo kryo = kryos.obtain();
        try {
            Input in = new Input(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
            CacheEntry entry = kryo.readObject(in, CacheEntry.class);
            if (in.position() != in.limit()) {
                throw new CodecException("trailing bytes after the entry");
            }
            return entry;
        } catch (Forged f) {
            throw new CodecException(f.getMessage());
        } catch (RuntimeException e) {
            // KryoException (underflow), DateTimeException, NumberFormatException, ...: all mean corrupt.
            throw new CodecException("corrupt entry: " + e, e);
        } finally {
            kryos.free(kryo);
        }
    }

    /**
     * Encodes a proxy entry: header (magic, {@link #RAW_FORMAT_VERSION}), then length-prefixed
     * key material, the versions, and the packets. No Kryo: the body is byte arrays only.
     *
     * @param e the entry, not null
     * @return a new array, never null
     */
    public byte[] encodeRaw(RawEntry e) {
        long size = HEADER_LENGTH + 4L + e.keyMaterial().length + 4L + 8L * e.versions().length + 4L;
        for (byte[] p : e.packets()) {
            size += 4L + p.length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("raw entry of " + size + " bytes is too large to encode");
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate((int) size);
        out.put(MAGIC).put(RAW_FORMAT_VERSION);
        out.putInt(e.keyMaterial().length).put(e.keyMaterial());
        out.putInt(e.versions().length);
        for (long v : e.versions()) {
            out.putLong(v);
        }
        out.putInt(e.packets().size());
        for (byte[] p : e.packets()) {
            out.putInt(p.length).put(p);
        }
        return out.array();
    }

    /**
     * Decodes an entry produced by {@link #encodeRaw}.
     *
     * @param bytes the stored bytes, may be null (then a CodecException)
     * @return the entry, never null
     * @throws CodecException for anything that is not exactly one well-formed raw entry: a
     *                        driver entry, a truncation, a forged length, trailing bytes
     */
    public RawEntry decodeRaw(byte[] bytes) throws CodecException {
        if (bytes == null || bytes.length < HEADER_LENGTH) {
            throw new CodecException("entry shorter than its header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CodecException("not a sqlcache entry (bad magic)");
            }
        }
        if (bytes[MAGIC.length] != RAW_FORMAT_VERSION) {
            throw new CodecException("entry format version " + bytes[MAGIC.length] + ", expected raw " + RAW_FORMAT_VERSION);
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
        byte[] key = new byte[rawLength(in, 1)];
        in.get(key);
        long[] versions = new long[rawLength(in, 8)];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = in.getLong();
        }
        int n = rawLength(in, 4);
        List<byte[]> packets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[rawLength(in, 1)];
            in.get(p);
            packets.add(p);
        }
        if (in.hasRemaining()) {
            throw new CodecException("trailing bytes after the entry");
        }
        return new RawEntry(key, versions, packets);
    }

    /** A count of elements of at least {@code minBytesEach} bytes, refused when the input cannot hold them. */
    private static int rawLength(java.nio.ByteBuffer in, int minBytesEach) throws CodecException {
        if (in.remaining() < 4) {
            throw new CodecException("truncated entry");
        }
        int n = in.getInt();
        if (n < 0 || (long) n * minBytesEach > in.remaining()) {
            throw new CodecException("length " + n + " exceeds the " + in.remaining() + " bytes left");
        }
        return n;
    }

    /** Thrown inside the serializer for a structurally invalid payload; becomes a CodecException. */
    private static final class Forged extends RuntimeException {
        Forged(String message) {
            super(message, null, false, false);
        }
    }

    private static final class EntrySerializer extends Serializer<CacheEntry> {

        EntrySerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, CacheEntry e) {
            writeBytes(out, e.keyMaterial());
            long[] versions = e.versions();
            out.writeVarInt(versions.length, true);
            out.writeLongs(versions, 0, versions.length);
            out.writeLong(e.expiresAtMillis());
            CachedRows rows = e.rows();
            List<ColumnMeta> columns = rows.columns();
            int n = columns.size();
            out.writeVarInt(n, true);
            for (ColumnMeta c : columns) {
                writeMeta(out, c);
            }
            out.writeVarInt(rows.rowCount(), true);
            for (int r = 0; r < rows.rowCount(); r++) {
                Object[] values = rows.values().get(r);
                if (values.length != n) {
                    throw new IllegalArgumentException("row " + r + " has " + values.length + " values for " + n + " columns");
                }
                for (Object v : values) {
                    writeCell(out, v);
                }
                String[] strings = rows.strings().get(r);
                if (strings == null) {
                    out.writeByte(0);
                } else {
                    if (strings.length != n) {
                        throw new IllegalArgumentException("row " + r + " has " + strings.length + " strings for " + n + " columns");
                    }
                    out.writeByte(1);
                    for (String s : strings) {
                        writeString(out, s);
                    }
                }
            }
        }

        @Override
        public CacheEntry read(Kryo kryo, Input in, Class<? extends CacheEntry> type) {
            byte[] keyMaterial = readBytes(in);
            int versionCount = readLength(in, 8);
            long[] versions = in.readLongs(versionCount);
            long expiresAtMillis = in.readLong();
            int n = readLength(in, 1);
            List<ColumnMeta> columns = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                columns.add(readMeta(in));
            }
            // each row costs at least one byte (its strings flag), so this bounds the list too
            int rowCount = readLength(in, 1 + n);
            List<Object[]> values = new ArrayList<>(rowCount);
            List<String[]> strings = new ArrayList<>(rowCount);
            for (int r = 0; r < rowCount; r++) {
                Object[] row = new Object[n];
                for (int c = 0; c < n; c++) {
                    row[c] = readCell(in);
                }
                values.add(row);
                int flag = in.readByte();
                if (flag == 0) {
                    strings.add(null);
                } else if (flag == 1) {
                    String[] s = new String[n];
                    for (int c = 0; c < n; c++) {
                        s[c] = readString(in);
                    }
                    strings.add(s);
                } else {
                    throw new Forged("bad strings flag " + flag);
                }
            }
            return new CacheEntry(keyMaterial, versions, expiresAtMillis, new CachedRows(columns, values, strings));
        }

        private static void writeMeta(Output out, ColumnMeta c) {
            writeString(out, c.catalogName());
            writeString(out, c.schemaName());
            writeString(out, c.tableName());
            writeString(out, c.columnName());
            writeString(out, c.columnLabel());
            out.writeVarInt(c.columnType(), false);
            writeString(out, c.columnTypeName());
            writeString(out, c.columnClassName());
            out.writeVarInt(c.precision(), false);
            out.writeVarInt(c.scale(), false);
            out.writeVarInt(c.nullable(), false);
            out.writeVarInt(c.displaySize(), false);
            int flags = (c.signed() ? 1 : 0)
                    | (c.autoIncrement() ? 1 << 1 : 0)
                    | (c.caseSensitive() ? 1 << 2 : 0)
                    | (c.currency() ? 1 << 3 : 0)
                    | (c.searchable() ? 1 << 4 : 0)
                    | (c.readOnly() ? 1 << 5 : 0)
                    | (c.writable() ? 1 << 6 : 0)
                    | (c.definitelyWritable() ? 1 << 7 : 0);
            out.writeByte(flags);
        }

        private static ColumnMeta readMeta(Input in) {
            String catalog = readString(in);
            String schema = readString(in);
            String table = readString(in);
            String name = readString(in);
            String label = readString(in);
            int type = in.readVarInt(false);
            String typeName = readString(in);
            String className = readString(in);
            int precision = in.readVarInt(false);
            int scale = in.readVarInt(false);
            int nullable = in.readVarInt(false);
            int displaySize = in.readVarInt(false);
            int f = in.readByte() & 0xff;
            return new ColumnMeta(catalog, schema, table, name, label, type, typeName, className, precision, scale,
                    nullable, (f & 1) != 0, displaySize, (f & 1 << 1) != 0, (f & 1 << 2) != 0, (f & 1 << 3) != 0,
                    (f & 1 << 4) != 0, (f & 1 << 5) != 0, (f & 1 << 6) != 0, (f & 1 << 7) != 0);
        }

        private static void writeCell(Output out, Object v) {
            if (v == null) {
                out.writeByte(T_NULL);
            } else if (v instanceof Boolean b) {
                out.writeByte(b ? T_TRUE : T_FALSE);
            } else if (!SUPPORTED.contains(v.getClass())) {
                throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
            } else if (v instanceof Byte b) {
                out.writeByte(T_BYTE);
                out.writeByte(b);
            } else if (v instanceof Short s) {
                out.writeByte(T_SHORT);
                out.writeShort(s);
            } else if (v instanceof Integer i) {
                out.writeByte(T_INT);
                out.writeVarInt(i, false);
            } else if (v instanceof Long l) {
                out.writeByte(T_LONG);
                out.writeVarLong(l, false);
            } else if (v instanceof Float f) {
                out.writeByte(T_FLOAT);
                out.writeInt(Float.floatToRawIntBits(f));
            } else if (v instanceof Double d) {
                out.writeByte(T_DOUBLE);
                out.writeLong(Double.doubleToRawLongBits(d));
            } else if (v instanceof BigInteger bi) {
                out.writeByte(T_BIG_INTEGER);
                writeBytes(out, bi.toByteArray());
            } else if (v instanceof BigDecimal bd) {
                out.writeByte(T_BIG_DECIMAL);
                out.writeVarInt(bd.scale(), false);
                writeBytes(out, bd.unscaledValue().toByteArray());
            } else if (v instanceof String s) {
                out.writeByte(T_STRING);
                writeString(out, s);
            } else if (v instanceof byte[] b) {
                out.writeByte(T_BYTES);
                writeBytes(out, b);
            } else if (v instanceof Timestamp t) {
                out.writeByte(T_SQL_TIMESTAMP);
                out.writeVarLong(t.getTime(), false);
                out.writeVarInt(t.getNanos(), true);
            } else if (v instanceof Time t) {
                out.writeByte(T_SQL_TIME);
                out.writeVarLong(t.getTime(), false);
            } else if (v instanceof java.sql.Date d) {
                out.writeByte(T_SQL_DATE);
                out.writeVarLong(d.getTime(), false);
            } else if (v instanceof LocalDate d) {
                out.writeByte(T_LOCAL_DATE);
                out.writeVarLong(d.toEpochDay(), false);
            } else if (v instanceof LocalTime t) {
                out.writeByte(T_LOCAL_TIME);
                out.writeVarLong(t.toNanoOfDay(), true);
            } else if (v instanceof LocalDateTime t) {
                out.writeByte(T_LOCAL_DATE_TIME);
                writeLocalDateTime(out, t);
            } else if (v instanceof OffsetDateTime t) {
                out.writeByte(T_OFFSET_DATE_TIME);
                writeLocalDateTime(out, t.toLocalDateTime());
                out.writeVarInt(t.getOffset().getTotalSeconds(), false);
            } else if (v instanceof OffsetTime t) {
                out.writeByte(T_OFFSET_TIME);
                out.writeVarLong(t.toLocalTime().toNanoOfDay(), true);
                out.writeVarInt(t.getOffset().getTotalSeconds(), false);
            } else {
                throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
            }
        }

        private static Object readCell(Input in) {
            int tag = in.readByte() & 0xff;
            return switch (tag) {
                case T_NULL -> null;
                case T_FALSE -> Boolean.FALSE;
                case T_TRUE -> Boolean.TRUE;
                case T_BYTE -> in.readByte();
                case T_SHORT -> in.readShort();
                case T_INT -> in.readVarInt(false);
                case T_LONG -> in.readVarLong(false);
                case T_FLOAT -> Float.intBitsToFloat(in.readInt());
                case T_DOUBLE -> Double.longBitsToDouble(in.readLong());
                case T_BIG_INTEGER -> new BigInteger(readNonEmptyBytes(in));
                case T_BIG_DECIMAL -> {
                    int scale = in.readVarInt(false);
                    yield new BigDecimal(new BigInteger(readNonEmptyBytes(in)), scale);
                }
                case T_STRING -> {
                    String s = readString(in);
                    if (s == null) {
                        throw new Forged("null string in a string cell");
                    }
                    yield s;
                }
                case T_BYTES -> readBytes(in);
                case T_SQL_DATE -> new java.sql.Date(in.readVarLong(false));
                case T_SQL_TIME -> new Time(in.readVarLong(false));
                case T_SQL_TIMESTAMP -> {
                    Timestamp t = new Timestamp(in.readVarLong(false));
                    // setNanos rejects values outside 0..999999999 with IllegalArgumentException
                    t.setNanos(in.readVarInt(true));
                    yield t;
                }
                case T_LOCAL_DATE -> LocalDate.ofEpochDay(in.readVarLong(false));
                case T_LOCAL_TIME -> LocalTime.ofNanoOfDay(in.readVarLong(true));
                case T_LOCAL_DATE_TIME -> readLocalDateTime(in);
                case T_OFFSET_DATE_TIME -> OffsetDateTime.of(readLocalDateTime(in), ZoneOffset.ofTotalSeconds(in.readVarInt(false)));
                case T_OFFSET_TIME -> OffsetTime.of(LocalTime.ofNanoOfDay(in.readVarLong(true)),
                        ZoneOffset.ofTotalSeconds(in.readVarInt(false)));
                default -> throw new Forged("unknown cell type tag " + tag);
            };
        }

        private static void writeLocalDateTime(Output out, LocalDateTime t) {
            out.writeVarLong(t.toLocalDate().toEpochDay(), false);
            out.writeVarLong(t.toLocalTime().toNanoOfDay(), true);
        }

        private static LocalDateTime readLocalDateTime(Input in) {
            LocalDate d = LocalDate.ofEpochDay(in.readVarLong(false));
            return LocalDateTime.of(d, LocalTime.ofNanoOfDay(in.readVarLong(true)));
        }

        private static void writeBytes(Output out, byte[] b) {
            out.writeVarInt(b.length, true);
            out.writeBytes(b);
        }

        private static byte[] readBytes(Input in) {
            int n = readLength(in, 1);
            return in.readBytes(n);
        }

        private static byte[] readNonEmptyBytes(Input in) {
            byte[] b = readBytes(in);
            if (b.length == 0) {
                throw new Forged("empty magnitude");
            }
            return b;
        }

        /** Null is written as 0, a string as its UTF-8 length + 1: Kryo's own string format would trust a forged length. */
        private static void writeString(Output out, String s) {
            if (s == null) {
                out.writeVarInt(0, true);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeVarInt(utf8.length + 1, true);
            out.writeBytes(utf8);
        }

        private static String readString(Input in) {
            int n = in.readVarInt(true);
            if (n == 0) {
                return null;
            }
            n -= 1;
            if (n < 0 || n > remaining(in)) {
                throw new Forged("string length " + n + " exceeds the " + remaining(in) + " bytes left");
            }
            return new String(in.readBytes(n), StandardCharsets.UTF_8);
        }

        /** Reads a count of elements that take at least {@code minBytesEach} bytes each, refusing counts the input cannot hold. */
        private static int readLength(Input in, int minBytesEach) {
            int n = in.readVarInt(true);
            if (n < 0 || (long) n * minBytesEach > remaining(in)) {
                throw new Forged("length " + n + " exceeds the " + remaining(in) + " bytes left");
            }
            return n;
        }

        private static int remaining(Input in) {
            return in.limit() - in.position();
        }
    }

    @Override
    public String toString() {
        return "EntryCodec(format " + FORMAT_VERSION + ", magic " + Arrays.toString(MAGIC) + ")";
    }
}
