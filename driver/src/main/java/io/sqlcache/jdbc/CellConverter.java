package io.sqlcache.jdbc;

import io.sqlcache.codec.ColumnMeta;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Pattern;

/**
 * Getter conversions that reproduce mysql-connector-j 9.x over the text protocol.
 *
 * <p>Connector/J decodes the wire text of a cell according to the column's MySQL type into an
 * intermediate (a long, a double, a decimal, bit bytes, a date, a time, a date-time, or plain
 * bytes for strings) and hands that to a value factory per target type. We hold the text (the
 * real driver's {@code getString}, which for these types is the wire text) and the metadata,
 * so we run the same pipeline: {@link Source} is the decoding step, {@link Target} the factory.
 *
 * <p>Stateless and thread-safe.
 */
final class CellConverter {

    private static final Pattern FLOATING = Pattern.compile("-?(\\d+)?\\.\\d+");
    private static final Pattern INTEGRAL = Pattern.compile("-?\\d+");
    /** Type names of the zoned targets, which are built per call (they hold the caller's zone). */
    private static final String SQL_DATE = java.sql.Date.class.getName();
    private static final String SQL_TIME = Time.class.getName();
    private static final String SQL_TIMESTAMP = Timestamp.class.getName();

    private CellConverter() {
    }

    /** How Connector/J decodes a column's wire text; the names are those its error messages use. */
    enum Source {
        LONG, BIGINT, DECIMAL, DOUBLE, BIT, DATE, TIME, DATETIME, TIMESTAMP, YEAR, BYTES;

        static Source of(ColumnMeta c, Object value) {
            String t = c.columnTypeName() == null ? "" : upper(c.columnTypeName());
            if (t.equals("BIT")) {
                // TINYINT(1) is reported as BIT(1) too; a Boolean value cannot tell them apart, and
                // TINYINT(1) (BOOLEAN) is by far the more common, so its text decoding wins.
                return value instanceof byte[] ? BIT : LONG;
            }
            if (t.equals("BIGINT UNSIGNED")) {
                return BIGINT;
            }
            if (t.startsWith("TINYINT") || t.startsWith("SMALLINT") || t.startsWith("MEDIUMINT")
                    || t.startsWith("INT") || t.startsWith("BIGINT") || t.equals("BOOLEAN")) {
                return LONG;
            }
            if (t.startsWith("DECIMAL")) {
                return DECIMAL;
            }
            if (t.startsWith("FLOAT") || t.startsWith("DOUBLE")) {
                return DOUBLE;
            }
            return switch (t) {
                case "DATE" -> DATE;
                case "TIME" -> TIME;
                case "DATETIME" -> DATETIME;
                case "TIMESTAMP" -> TIMESTAMP;
                case "YEAR" -> YEAR;
                default -> BYTES;
            };
        }
    }

    /** {@code s} in upper case; itself when it is already (Connector/J's type names are), without a copy. */
    private static String upper(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLowerCase(s.charAt(i))) {
                return s.toUpperCase(Locale.ROOT);
            }
        }
        return s;
    }

    /** A MySQL TIME as Connector/J's InternalTime: may be negative or beyond 24 hours. */
    record TimeValue(boolean negative, int hours, int minutes, int seconds, int nanos) {
        boolean isWallClock() {
            return !negative && hours < 24;
        }

        LocalTime toLocalTime() {
            return LocalTime.of(hours, minutes, seconds, nanos);
        }

        String text() {
            return (negative ? "-" : "") + String.format(Locale.ROOT, "%02d:%02d:%02d", hours, minutes, seconds);
        }
    }

    /**
     * One cell as the converters see it.
     *
     * @param decimal for a DECIMAL, the number its text spells when already at hand (parsing the
     *                text again gives an equal BigDecimal, scale included), else null
     */
    record Cell(Source source, String text, byte[] raw, BigDecimal decimal) {
        /**
         * What getBytes answers: the real bytes of a binary value, else the wire text's UTF-8,
         * encoded only when asked (a conversion reads the text; only getBytes and BIT need bytes).
         */
        byte[] bytes() {
            return raw != null ? raw : text.getBytes(StandardCharsets.UTF_8);
        }

        /** {@link #bytes()} as an array the caller owns. */
        byte[] bytesCopy() {
            return raw != null ? raw.clone() : text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The raw form of a non-null cell: the text the server sent (or the real bytes for binary
     * strings and BIT), as Connector/J's {@code getBytes} returns it.
     */
    static Cell cell(ColumnMeta c, Object value, String text) {
        Source s = Source.of(c, value);
        if (value instanceof byte[] b) {
            return new Cell(s, text, b, null);
        }
        if (s == Source.DECIMAL && value instanceof BigDecimal d) {
            String plain = plain(d);
            // toString without an exponent (plain returns that very string) reads back to the same
            // number and scale: a conversion can start from d instead of parsing the text again
            return new Cell(s, plain, null, plain == d.toString() ? d : null);
        }
        String wire = switch (s) {
            // getString of a YEAR is the java.sql.Date text (yearIsDateType); the wire text is the year
            case YEAR -> text.length() >= 4 ? text.substring(0, 4) : text;
            // getString goes through BigDecimal.toString ("-1E-30"); the server sent every digit of the scale
            case DECIMAL -> value instanceof BigDecimal d ? plain(d) : text;
            // getString drops a zero fraction; the server pads it to the column's fractional digits
            case DATETIME, TIMESTAMP -> withFraction(text, c.precision() - 20);
            case TIME -> withFraction(text, c.precision() - 11);
            default -> text;
        };
        return new Cell(s, wire, null, null);
    }

    /**
     * {@code d.toPlainString()}, through toString where that has no exponent (then the two are
     * the same text): BigDecimal keeps its toString, which getString has usually asked for
     * already, while toPlainString lays the digits out again on every call.
     */
    private static String plain(BigDecimal d) {
        String s = d.toString();
        return s.indexOf('E') < 0 ? s : d.toPlainString();
    }

    /**
     * Whether Connector/J reads the column as character data (its "UTF-8" fields): string types
     * that are not binary. Decided from the metadata alone, so a NULL answers like a value.
     */
    static boolean isCharacterData(ColumnMeta c) {
        return Source.of(c, null) == Source.BYTES
                && c.columnType() != java.sql.Types.BINARY
                && c.columnType() != java.sql.Types.VARBINARY
                && c.columnType() != java.sql.Types.LONGVARBINARY
                && !"[B".equals(c.columnClassName());
    }

    /** The text with exactly {@code digits} fractional digits, as MariaDB sends temporal values. */
    static String withFraction(String text, int digits) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return text;
        }
        int dot = text.indexOf('.', colon);
        String whole = dot < 0 ? text : text.substring(0, dot);
        if (digits <= 0) {
            return whole;
        }
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        return whole + "." + (fraction + "000000000").substring(0, Math.min(digits, 9));
    }

    /** A Connector/J value factory: one method per intermediate; the defaults refuse the conversion. */
    abstract static class Target<T> {
        final String typeName;

        Target(String typeName) {
            this.typeName = typeName;
        }

        T fromLong(long l) throws SQLException {
            throw unsupported("LONG");
        }

        T fromBigInteger(BigInteger i) throws SQLException {
            throw unsupported("BIGINT");
        }

        T fromDouble(double d) throws SQLException {
            throw unsupported("DOUBLE");
        }

        T fromBigDecimal(BigDecimal d) throws SQLException {
            throw unsupported("DECIMAL");
        }

        T fromBit(byte[] b) throws SQLException {
            throw unsupported("BIT");
        }

        T fromYear(long year) throws SQLException {
            return fromLong(year);
        }

        T fromDate(LocalDate d) throws SQLException {
            throw unsupported("DATE");
        }

        T fromTime(TimeValue t) throws SQLException {
            throw unsupported("TIME");
        }

        T fromDateTime(LocalDateTime t, String sourceName) throws SQLException {
            throw unsupported(sourceName);
        }

        /** Strings: Connector/J guesses the value type from the text (its StringConverter). */
        T fromString(String s) throws SQLException {
            throw new SQLDataException("Unsupported conversion from VARCHAR to " + typeName, "22018");
        }

        SQLException unsupported(String from) {
            return new SQLDataException("Unsupported conversion from " + from + " to " + typeName, "22018");
        }

        SQLException outOfRange(Object v) {
            return new SQLDataException("Value '" + v + "' is outside of valid range for type " + typeName, "22003");
        }
    }

    /**
     * Whether converting the non-null cell {@code value} of column {@code c} through its text
     * ({@code convert(cell(c, value, text), target)}) starts from {@code value} itself, so that
     * {@link #fromValue} gives the same result (or throws the same) without the text: an
     * Integer, Long, Short or Byte of an integer column whose text is its own decimal form
     * ({@code overridden} false: getString is {@code String.valueOf(value)}, which parses back
     * to the same long), or a BigDecimal of a DECIMAL column whose {@code toString()} has no
     * exponent ({@link #cell} then carries the value itself as the cell's decimal, whatever the
     * text). Anything else: false.
     *
     * @param overridden whether the cell keeps a getString text other than {@code String.valueOf(value)}
     */
    static boolean readsAsItself(ColumnMeta c, Object value, boolean overridden) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            if (overridden) {
                return false;
            }
            Source s = Source.of(c, value);
            return s == Source.LONG || s == Source.BIGINT;
        }
        // toString has an exponent when the scale is negative or the adjusted exponent is below -6
        return value instanceof BigDecimal d && d.scale() >= 0 && d.precision() - 1 - d.scale() >= -6
                && Source.of(c, value) == Source.DECIMAL;
    }

    /** The conversion of a value for which {@link #readsAsItself} holds. */
    static <T> T fromValue(Object value, Target<T> target) throws SQLException {
        return value instanceof BigDecimal d ? target.fromBigDecimal(d) : target.fromLong(((Number) value).longValue());
    }

    static <T> T convert(Cell cell, Target<T> target) throws SQLException {
        String text = cell.text();
        return switch (cell.source()) {
            case LONG, BIGINT -> {
                // Connector/J's decodeUInt8: a long while it fits, a BigInteger beyond. Up to 18
                // characters the text always fits a long, and Long.parseLong reads what BigInteger
                // reads (a sign, digits), without the BigInteger
                if (text.length() <= 18) {
                    long l;
                    try {
                        l = Long.parseLong(text);
                    } catch (NumberFormatException e) {
                        l = new BigInteger(text).longValue(); // throws as before
                    }
                    yield target.fromLong(l);
                }
                BigInteger i = new BigInteger(text);
                yield i.bitLength() < 64 ? target.fromLong(i.longValue()) : target.fromBigInteger(i);
            }
            case DECIMAL -> target.fromBigDecimal(cell.decimal() != null ? cell.decimal() : new BigDecimal(text));
            case DOUBLE -> target.fromDouble(Double.parseDouble(text));
            case BIT -> target.fromBit(cell.bytes());
            case YEAR -> target.fromYear(Long.parseLong(text));
            case DATE -> target.fromDate(parseDate(text));
            case TIME -> target.fromTime(parseTime(text));
            case DATETIME, TIMESTAMP -> target.fromDateTime(parseDateTime(text), cell.source().name());
            case BYTES -> target.fromString(text);
        };
    }

    // ---- numeric targets -------------------------------------------------------------------

    /** Parses a string the way Connector/J's numeric factories do: floating if it has an e or a dot. */
    static <T> T numericFromString(Target<T> t, String s) throws SQLException {
        if (s.isEmpty()) {
            return t.fromLong(0); // emptyStringsConvertToZero defaults to true
        }
        if (s.contains("e") || s.contains("E") || FLOATING.matcher(s).matches()) {
            // Double.parseDouble's NumberFormatException escapes as it does from Connector/J
            return t.fromDouble(Double.parseDouble(s));
        }
        if (INTEGRAL.matcher(s).matches()) {
            BigInteger i = new BigInteger(s);
            return i.bitLength() < 64 ? t.fromLong(i.longValue()) : t.fromBigInteger(i);
        }
        throw new SQLDataException("Cannot determine value type from string '" + s + "'", "22018");
    }

    static long bitToLong(byte[] b) {
        long l = 0;
        for (byte x : b) {
            l = (l << 8) | (x & 0xff);
        }
        return l;
    }

    /** Byte, Short, Integer and Long: Connector/J's bounds-enforcing integer factories. */
    static final class IntegralTarget<T> extends Target<T> {
        private final long min;
        private final long max;
        private final int bits;
        private final java.util.function.LongFunction<T> box;

        IntegralTarget(Class<T> type, long min, long max, int bits, java.util.function.LongFunction<T> box) {
            super(type.getName());
            this.min = min;
            this.max = max;
            this.bits = bits;
            this.box = box;
        }

        @Override
        T fromLong(long l) throws SQLException {
            if (l < min || l > max) {
                throw outOfRange(Long.toString(l));
            }
            return box.apply(l);
        }

        @Override
        T fromBigInteger(BigInteger i) throws SQLException {
            if (i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(BigInteger.valueOf(max)) > 0) {
                throw outOfRange(String.format(Locale.ROOT, "%,d", i));
            }
            return box.apply(i.longValue());
        }

        @Override
        T fromDouble(double d) throws SQLException {
            if (d < min || d > max) {
                throw outOfRange(d);
            }
            return box.apply((long) d);
        }

        @Override
        T fromBigDecimal(BigDecimal d) throws SQLException {
            if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw outOfRange(d);
            }
            return box.apply(d.longValue());
        }

        @Override
        T fromBit(byte[] b) throws SQLException {
            long l = bitToLong(b);
            if (bits < 64 && l >> bits != 0) {
                throw outOfRange(Long.toString(l));
            }
            return box.apply(l);
        }

        @Override
        T fromString(String s) throws SQLException {
            if (bits == 8) {
                // Connector/J's ByteValueFactory: a one-byte string is that byte, anything longer is out of range
                if (s.isEmpty()) {
                    return box.apply(0);
                }
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                if (b.length != 1) {
                    throw outOfRange(s);
                }
                return box.apply(b[0]);
            }
            return numericFromString(this, s);
        }
    }

    static final IntegralTarget<Byte> BYTE = new IntegralTarget<>(Byte.class, Byte.MIN_VALUE, Byte.MAX_VALUE, 8, l -> (byte) l);
    static final IntegralTarget<Short> SHORT = new IntegralTarget<>(Short.class, Short.MIN_VALUE, Short.MAX_VALUE, 16, l -> (short) l);
    static final IntegralTarget<Integer> INT = new IntegralTarget<>(Integer.class, Integer.MIN_VALUE, Integer.MAX_VALUE, 32, l -> (int) l);
    static final IntegralTarget<Long> LONG = new IntegralTarget<>(Long.class, Long.MIN_VALUE, Long.MAX_VALUE, 64, l -> l);

    static final Target<Boolean> BOOLEAN = new Target<>(Boolean.class.getName()) {
        @Override
        Boolean fromLong(long l) {
            // Connector/J: -1 is true too (ODBC / VB heritage)
            return l == -1 || l > 0;
        }

        @Override
        Boolean fromBigInteger(BigInteger i) {
            return i.signum() > 0 || i.equals(BigInteger.valueOf(-1));
        }

        @Override
        Boolean fromDouble(double d) {
            return d > 0 || d == -1.0d;
        }

        @Override
        Boolean fromBigDecimal(BigDecimal d) {
            return d.signum() > 0 || d.compareTo(BigDecimal.valueOf(-1)) == 0;
        }

        @Override
        Boolean fromBit(byte[] b) {
            return fromLong(bitToLong(b));
        }

        @Override
        Boolean fromString(String s) throws SQLException {
            if (s.equalsIgnoreCase("Y") || s.equalsIgnoreCase("yes") || s.equalsIgnoreCase("T") || s.equalsIgnoreCase("true")) {
                return true;
            }
            if (s.equalsIgnoreCase("N") || s.equalsIgnoreCase("no") || s.equalsIgnoreCase("F") || s.equalsIgnoreCase("false")) {
                return false;
            }
            return numericFromString(this, s);
        }
    };

    static final Target<Float> FLOAT = new Target<>(Float.class.getName()) {
        @Override
        Float fromLong(long l) {
            return (float) l;
        }

        @Override
        Float fromBigInteger(BigInteger i) throws SQLException {
            return fromDouble(i.doubleValue());
        }

        @Override
        Float fromDouble(double d) throws SQLException {
            if (d < -Float.MAX_VALUE || d > Float.MAX_VALUE) {
                throw outOfRange(String.format(Locale.ROOT, "%,.0f", d));
            }
            return (float) d;
        }

        @Override
        Float fromBigDecimal(BigDecimal d) throws SQLException {
            return fromDouble(d.doubleValue());
        }

        @Override
        Float fromBit(byte[] b) {
            return new BigInteger(1, b).floatValue();
        }

        @Override
        Float fromString(String s) throws SQLException {
            return numericFromString(this, s);
        }
    };

    static final Target<Double> DOUBLE = new Target<>(Double.class.getName()) {
        @Override
        Double fromLong(long l) {
            return (double) l;
        }

        @Override
        Double fromBigInteger(BigInteger i) {
            return i.doubleValue();
        }

        @Override
        Double fromDouble(double d) {
            return d;
        }

        @Override
        Double fromBigDecimal(BigDecimal d) {
            return d.doubleValue();
        }

        @Override
        Double fromBit(byte[] b) {
            return new BigInteger(1, b).doubleValue();
        }

        @Override
        Double fromString(String s) throws SQLException {
            return numericFromString(this, s);
        }
    };

    static final Target<BigDecimal> BIG_DECIMAL = new Target<>(BigDecimal.class.getName()) {
        @Override
        BigDecimal fromLong(long l) {
            return BigDecimal.valueOf(l);
        }

        @Override
        BigDecimal fromBigInteger(BigInteger i) {
            return new BigDecimal(i);
        }

        @Override
        BigDecimal fromDouble(double d) {
            return BigDecimal.valueOf(d);
        }

        @Override
        BigDecimal fromBigDecimal(BigDecimal d) {
            return d;
        }

        @Override
        BigDecimal fromBit(byte[] b) {
            return new BigDecimal(new BigInteger(1, b));
        }

        @Override
        BigDecimal fromString(String s) throws SQLException {
            return numericFromString(this, s);
        }
    };

    // ---- temporal targets ------------------------------------------------------------------

    static LocalDate parseDate(String s) {
        return LocalDate.of(number(s, 0, 4), number(s, 5, 7), number(s, 8, 10));
    }

    static TimeValue parseTime(String s) {
        return parseTime(s, 0);
    }

    /** The time at {@code from} to the end of {@code s}: [-]h+:mm:ss[.f+]. */
    private static TimeValue parseTime(String s, int from) {
        boolean negative = s.startsWith("-", from);
        int start = negative ? from + 1 : from;
        int c1 = s.indexOf(':', start);
        int c2 = s.indexOf(':', c1 + 1);
        int dot = s.indexOf('.', c2 + 1);
        if (c1 < 0 || c2 < 0) {
            // the substring arithmetic below fails as it did before: StringIndexOutOfBounds
            throw new StringIndexOutOfBoundsException("not a time: " + s.substring(from));
        }
        int h = number(s, start, c1);
        int m = number(s, c1 + 1, c2);
        int sec = number(s, c2 + 1, dot < 0 ? s.length() : dot);
        return new TimeValue(negative, h, m, sec, dot < 0 ? 0 : fraction(s.substring(dot + 1)));
    }

    static LocalDateTime parseDateTime(String s) {
        LocalDate d = parseDate(s);
        if (s.length() <= 10) {
            return d.atStartOfDay();
        }
        return LocalDateTime.of(d, parseTime(s, 11).toLocalTime());
    }

    /**
     * {@code Integer.parseInt(s.substring(from, to))} without the substring when it is at most
     * nine plain digits (every field of a server's temporal text); anything else goes to
     * parseInt itself, which throws or answers as before.
     */
    private static int number(String s, int from, int to) {
        if (from >= to || to - from > 9 || to > s.length()) {
            return Integer.parseInt(s.substring(from, to));
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return Integer.parseInt(s.substring(from, to));
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static int fraction(String digits) {
        String nine = (digits + "000000000").substring(0, 9);
        return Integer.parseInt(nine);
    }

    /**
     * Epoch millis of local fields in a zone, as Connector/J's GregorianCalendar computes them
     * (so dates before the Gregorian cutover land on the same instant as the real driver's).
     */
    static long millis(TimeZone tz, int y, int mo, int d, int h, int mi, int s, int ms) {
        return WallClock.millis(tz, y, mo, d, h, mi, s, ms);
    }

    static SQLException invalidTime(TimeValue t) {
        return new SQLException("The value '" + t.text() + "' is an invalid TIME value. JDBC Time objects represent a "
                + "wall-clock time and not a duration as MySQL treats them. If you are treating this type as a "
                + "duration, consider retrieving this value as a string and dealing with it according to your "
                + "requirements.", "S1009");
    }

    /** Targets that only exist for temporal sources and date-like strings. */
    abstract static class TemporalTarget<T> extends Target<T> {
        TemporalTarget(String typeName) {
            super(typeName);
        }

        @Override
        T fromYear(long year) throws SQLException {
            // yearIsDateType: a YEAR is January 1st of that year
            return fromDate(LocalDate.of((int) year, 1, 1));
        }

        @Override
        T fromString(String s) throws SQLException {
            try {
                if (s.length() == 10 && s.charAt(4) == '-' && s.charAt(7) == '-') {
                    return fromDate(parseDate(s));
                }
                if (s.length() >= 8 && s.length() <= 17 && s.charAt(2) == ':' && s.charAt(5) == ':') {
                    return fromTime(parseTime(s));
                }
                if (s.length() >= 19 && s.length() <= 29 && s.charAt(4) == '-' && s.charAt(7) == '-'
                        && s.charAt(10) == ' ' && s.charAt(13) == ':' && s.charAt(16) == ':') {
                    return fromDateTime(parseDateTime(s), "VARCHAR");
                }
            } catch (RuntimeException e) {
                // falls through to the same refusal as an unrecognized string
            }
            throw new SQLDataException("Cannot convert string '" + s + "' to " + typeName + " value", "22018");
        }
    }

    static TemporalTarget<java.sql.Date> sqlDate(TimeZone tz) {
        return new TemporalTarget<>(SQL_DATE) {
            @Override
            java.sql.Date fromDate(LocalDate d) {
                return new java.sql.Date(millis(tz, d.getYear(), d.getMonthValue(), d.getDayOfMonth(), 0, 0, 0, 0));
            }

            @Override
            java.sql.Date fromTime(TimeValue t) {
                // Connector/J ignores the calendar here: the epoch day in the default zone
                return new java.sql.Date(millis(TimeZone.getDefault(), 1970, 1, 1, 0, 0, 0, 0));
            }

            @Override
            java.sql.Date fromDateTime(LocalDateTime t, String source) {
                return fromDate(t.toLocalDate());
            }
        };
    }

    static TemporalTarget<Time> sqlTime(TimeZone tz) {
        return new TemporalTarget<>(SQL_TIME) {
            @Override
            Time fromDate(LocalDate d) {
                return new Time(millis(tz, 1970, 1, 1, 0, 0, 0, 0));
            }

            @Override
            Time fromTime(TimeValue t) throws SQLException {
                if (!t.isWallClock()) {
                    throw invalidTime(t);
                }
                return new Time(millis(tz, 1970, 1, 1, t.hours(), t.minutes(), t.seconds(), t.nanos() / 1_000_000));
            }

            @Override
            Time fromDateTime(LocalDateTime t, String source) {
                return new Time(millis(tz, 1970, 1, 1, t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000_000));
            }
        };
    }

    static TemporalTarget<Timestamp> sqlTimestamp(TimeZone tz) {
        return new TemporalTarget<>(SQL_TIMESTAMP) {
            @Override
            Timestamp fromDate(LocalDate d) {
                return new Timestamp(millis(tz, d.getYear(), d.getMonthValue(), d.getDayOfMonth(), 0, 0, 0, 0));
            }

            @Override
            Timestamp fromTime(TimeValue t) throws SQLException {
                if (!t.isWallClock()) {
                    throw invalidTime(t);
                }
                return fromDateTime(LocalDateTime.of(LocalDate.of(1970, 1, 1), t.toLocalTime()), "TIME");
            }

            @Override
            Timestamp fromDateTime(LocalDateTime t, String source) {
                Timestamp ts = new Timestamp(millis(tz, t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                        t.getHour(), t.getMinute(), t.getSecond(), 0));
                ts.setNanos(t.getNano());
                return ts;
            }
        };
    }

    /** LocalDate, LocalTime, LocalDateTime and the zoned types: all built from a LocalDateTime. */
    static <T> TemporalTarget<T> local(Class<T> type, java.util.function.Function<LocalDateTime, T> make,
                                        boolean dateOnly) {
        return new TemporalTarget<>(type.getName()) {
            @Override
            T fromDate(LocalDate d) {
                return make.apply(d.atStartOfDay());
            }

            @Override
            T fromTime(TimeValue t) throws SQLException {
                if (dateOnly) {
                    return make.apply(LocalDate.of(1970, 1, 1).atStartOfDay());
                }
                if (!t.isWallClock()) {
                    throw invalidTime(t);
                }
                return make.apply(LocalDateTime.of(LocalDate.of(1970, 1, 1), t.toLocalTime()));
            }

            @Override
            T fromDateTime(LocalDateTime t, String source) {
                return make.apply(t);
            }
        };
    }

    static final TemporalTarget<LocalDate> LOCAL_DATE = local(LocalDate.class, LocalDateTime::toLocalDate, true);
    static final TemporalTarget<LocalTime> LOCAL_TIME = local(LocalTime.class, LocalDateTime::toLocalTime, false);
    static final TemporalTarget<LocalDateTime> LOCAL_DATE_TIME = local(LocalDateTime.class, t -> t, false);

    static TemporalTarget<OffsetDateTime> offsetDateTime() {
        return local(OffsetDateTime.class, t -> t.atZone(TimeZone.getDefault().toZoneId()).toOffsetDateTime(), false);
    }

    static TemporalTarget<OffsetTime> offsetTime() {
        return local(OffsetTime.class, t -> t.atZone(TimeZone.getDefault().toZoneId()).toOffsetDateTime().toOffsetTime(), false);
    }

    static TemporalTarget<ZonedDateTime> zonedDateTime() {
        return local(ZonedDateTime.class, t -> t.atZone(TimeZone.getDefault().toZoneId()), false);
    }
}
