package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import io.sqlcache.codec.EntryCodec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Reads a real driver's result set to its end into {@link CachedRows}, or refuses as soon as the
 * result cannot be cached (too many rows, too many bytes, a value type the codec cannot hold, a
 * value the real driver cannot even return through {@code getObject}). After a refusal the
 * caller re-runs the query uncached, so the application sees the real driver's behaviour.
 *
 * <p>Stateless and thread-safe; the result set itself must only be used by the calling thread.
 */
public final class ResultSetCapture {

    /** Rough per-cell overhead in the encoded entry (the type tag, a length prefix). */
    private static final int CELL_OVERHEAD = 2;

    private ResultSetCapture() {
    }

    /**
     * The outcome of a capture: exactly one of the two components is non-null.
     *
     * @param rows    the materialized result, or null when refused
     * @param refusal why the result is not cached (user-visible), or null when captured
     */
    public record Capture(CachedRows rows, String refusal) {

        public Capture {
            if ((rows == null) == (refusal == null)) {
                throw new IllegalArgumentException("exactly one of rows and refusal must be set");
            }
        }

        /** Whether the rows were captured. */
        public boolean captured() {
            return rows != null;
        }
    }

    /**
     * Reads {@code rs} from its current position to the end. Does not close it.
     *
     * @param rs       a result set positioned before its first row, not null
     * @param maxRows  the most rows a cached result may have
     * @param maxBytes the most (estimated, encoded) bytes a cached result may have
     * @return the rows, or a refusal; never null
     * @throws SQLException when the real driver fails to read the metadata or the next row
     */
    public static Capture capture(ResultSet rs, int maxRows, long maxBytes) throws SQLException {
        return capture(rs, maxRows, maxBytes, new TextRules());
    }

    /**
     * As {@link #capture(ResultSet, int, long)}, with the verdicts of one connection on taking a
     * cell's text without the real getString (see {@link TextRules}).
     */
    static Capture capture(ResultSet rs, int maxRows, long maxBytes, TextRules rules) throws SQLException {
        return capture(rs, maxRows, maxBytes, true, rules, null);
    }

    /**
     * As {@link #capture(ResultSet, int, long, TextRules)}, for one statement whose last capture
     * {@code memo} remembers (null: none); updates it.
     */
    static Capture capture(ResultSet rs, int maxRows, long maxBytes, TextRules rules, Memo memo) throws SQLException {
        return capture(rs, maxRows, maxBytes, true, rules, memo);
    }

    /**
     * What one statement's last capture learned of its columns, for its next: the column list of
     * that result (as its {@link CachedRows} holds it) and, per column, the class that
     * {@link #rawValue} builds. A result whose metadata the real driver answers as that list's,
     * column for column, takes the list as it is, rather than a new one hashed and looked up, and
     * builds its first row's cells from their raw text as the last result built its later rows.
     * Both cost a miss of a small result 20 to 60 µs, cold, every time (the join miss of
     * benchmarks/DECISIONS.md). The classes hold from one result to the next as they
     * hold from a result's first row to its later ones: {@link #rawValue} follows how the real
     * driver decodes a column of that type and metadata, whatever the value, on a connection
     * whose {@link TextRules} trust the rule; a cell it does not cover (a NULL, a zero date, an
     * integer beyond the column's class) takes the real getters.
     *
     * <p>One statement's, on one connection; not thread-safe, as the statement is not.
     */
    static final class Memo {

        /** The last captured result, for its column list; null before the first. */
        private CachedRows last;
        /** The metadata's share of that result's estimated bytes. */
        private long metaBytes;
        private int[] textRule;
        private boolean[] ownBytes;
        private boolean[] plain;
        /** Per column, the class rawValue builds, or null where the last result did not show one. */
        private Class<?>[] rawClass;

        /** Whether {@code columns}, the real driver's metadata now, are the last result's. */
        private boolean matches(List<ColumnMeta> columns) {
            return last != null && last.columns().equals(columns);
        }

        private void remember(CachedRows rows, long metaBytes, int[] textRule, boolean[] ownBytes, boolean[] plain,
                Class<?>[] rawClass) {
            this.last = rows;
            this.metaBytes = metaBytes;
            this.textRule = textRule;
            this.ownBytes = ownBytes;
            this.plain = plain;
            this.rawClass = rawClass;
        }
    }

    /**
     * Whether, on one connection of the real driver, a cell's getString can be known without
     * calling it. Connector/J's getString builds a value factory (reading connection properties)
     * on every call and, for temporal types, parses the server's text and formats it again with
     * three {@code String.format} calls: most of a miss's capture. The rules:
     * <ul>
     *   <li>{@link #DATE}, {@link #DATETIME}, {@link #TIMESTAMP}: the raw bytes, when
     *       {@link #rawText} accepts them;</li>
     *   <li>{@link #INTEGER} (integer columns, signed or not): the raw bytes, when
     *       {@link #rawInteger} accepts them and they spell getObject's number (not a Boolean);</li>
     *   <li>{@link #STRING}: getObject's own value when it is a String (Connector/J answers
     *       getObject of a character column through its getString);</li>
     *   <li>{@link #DECIMAL}: the raw bytes, when {@link #rawDecimal} accepts them (Connector/J's
     *       getString of a DECIMAL is {@code BigDecimal.toString()} of the server's text, which
     *       is that text unless toString would choose an exponent) and getObject is a BigDecimal.</li>
     * </ul>
     * Each holds by how the real driver decodes and formats, whatever the value, but depends on
     * its version and the connection's options: the first cell a rule accepts is checked against
     * the real getString, and the verdict stands for the connection (a difference turns the rule
     * off). A fresh instance per result checks each result's first cell. Thread-safe: two threads
     * may both check; both reach the same verdict.
     */
    static final class TextRules {

        static final int DATE = 0;
        static final int DATETIME = 1;
        static final int TIMESTAMP = 2;
        static final int INTEGER = 3;
        static final int STRING = 4;
        static final int DECIMAL = 5;
        /** No rule: always the real getString. */
        static final int NONE = -1;

        private static final int UNKNOWN = 0;
        private static final int TRUSTED = 1;
        private static final int REFUSED = 2;

        private final AtomicIntegerArray verdicts = new AtomicIntegerArray(6);

        /**
         * The rule that may apply to the column's cells, or {@link #NONE}: by the column's source
         * as {@link CellConverter} reads it (each rule also checks the cell's value).
         */
        static int ruleOf(ColumnMeta c) {
            return switch (CellConverter.Source.of(c, null)) {
                case DATE -> DATE;
                case DATETIME -> DATETIME;
                case TIMESTAMP -> TIMESTAMP;
                case LONG, BIGINT -> INTEGER;
                case DECIMAL -> DECIMAL;
                case BYTES -> CellConverter.isCharacterData(c) ? STRING : NONE;
                default -> NONE;
            };
        }

        boolean refused(int rule) {
            return verdicts.get(rule) == REFUSED;
        }

        boolean trusted(int rule) {
            return verdicts.get(rule) == TRUSTED;
        }

        void checked(int rule, boolean same) {
            verdicts.compareAndSet(rule, UNKNOWN, same ? TRUSTED : REFUSED);
        }
    }

    /**
     * As {@link #capture(ResultSet, int, long)}; {@code verify} false skips the check that
     * getString and getBytes of the cached copy equal the real driver's (for the codec-level
     * fidelity test, which lists where they differ).
     */
    static Capture capture(ResultSet rs, int maxRows, long maxBytes, boolean verify) throws SQLException {
        return capture(rs, maxRows, maxBytes, verify, new TextRules(), null);
    }

    private static Capture capture(ResultSet rs, int maxRows, long maxBytes, boolean verify, TextRules rules,
            Memo memo) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<ColumnMeta> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(new ColumnMeta(md.getCatalogName(i), md.getSchemaName(i), md.getTableName(i),
                    md.getColumnName(i), md.getColumnLabel(i), md.getColumnType(i), md.getColumnTypeName(i),
                    md.getColumnClassName(i), md.getPrecision(i), md.getScale(i), md.isNullable(i), md.isSigned(i),
                    md.getColumnDisplaySize(i), md.isAutoIncrement(i), md.isCaseSensitive(i), md.isCurrency(i),
                    md.isSearchable(i), md.isReadOnly(i), md.isWritable(i), md.isDefinitelyWritable(i)));
        }
        boolean sameColumns = memo != null && memo.matches(columns);
        long metaBytes = 0;
        // per column, the rule that may give its text without the real getString (TextRules)
        int[] textRule;
        // per column, whether a rule's text is the cell's own bytes as the cached copy answers them
        boolean[] ownBytes;
        // per column, whether rawValue may build its strings (plainText)
        boolean[] plain;
        // per column, the class of getObject's values once a first cell of it showed that rawValue
        // builds them from the rule's text (null until then): later cells skip the real getObject,
        // most of a miss's capture (see rawValue); a statement's last result shows them (Memo)
        Class<?>[] rawClass;
        if (sameColumns) {
            metaBytes = memo.metaBytes;
            textRule = memo.textRule;
            ownBytes = memo.ownBytes;
            plain = memo.plain;
            rawClass = memo.rawClass.clone();
        } else {
            for (ColumnMeta c : columns) {
                metaBytes += 32 + size(c.catalogName()) + size(c.schemaName()) + size(c.tableName())
                        + size(c.columnName()) + size(c.columnLabel()) + size(c.columnTypeName())
                        + size(c.columnClassName());
            }
            textRule = new int[n];
            ownBytes = new boolean[n];
            plain = new boolean[n];
            rawClass = new Class<?>[n];
            for (int i = 0; i < n; i++) {
                textRule[i] = TextRules.ruleOf(columns.get(i));
                ownBytes[i] = ownBytes(columns.get(i), textRule[i]);
                plain[i] = textRule[i] == TextRules.STRING && plainText(columns.get(i));
            }
        }
        long bytes = metaBytes;
        if (bytes > maxBytes) {
            return refuse("result over " + maxBytes + " bytes");
        }
        List<Object[]> values = new ArrayList<>();
        List<String[]> strings = new ArrayList<>();
        // the first cell the cached copy would answer differently; the result is refused for it
        // after the last row, so that a limit or an unreadable value further on still decides
        // the reason, as when the copy was checked after capture
        String mismatch = null;
        // per column, the last value class found supported: supports() depends on the class
        // alone, and a column's values nearly always share one, so most cells skip the lookup
        Class<?>[] supported = new Class<?>[n];
        while (rs.next()) {
            if (values.size() >= maxRows) {
                return refuse("result over " + maxRows + " rows");
            }
            Object[] row = new Object[n];
            String[] overrides = null;
            bytes += 1;
            for (int i = 1; i <= n; i++) {
                Object v;
                String s;
                byte[] b = null;
                // the text a rule gave (then s is this very string), or null
                String known = null;
                int rule = textRule[i - 1];
                try {
                    Class<?> type = rawClass[i - 1];
                    if (type != null && rules.trusted(rule)) {
                        byte[] raw = rs.getBytes(i);
                        Object built = raw == null ? null : rawValue(rule, type, raw);
                        if (built != null) {
                            // as the real getters would have answered: the value, its text and its bytes
                            // are the raw text's (ownBytes; a built string's ASCII is its own UTF-8), and
                            // only a DATETIME's text is not the value's toString (differs)
                            row[i - 1] = built;
                            bytes += CELL_OVERHEAD + estimate(built);
                            if (rule == TextRules.DATETIME) {
                                String text = new String(raw, StandardCharsets.ISO_8859_1);
                                overrides = overrides == null ? new String[n] : overrides;
                                overrides[i - 1] = text;
                                bytes += CELL_OVERHEAD + size(text);
                            }
                            continue;
                        }
                    }
                    // no rule, or a cell rawValue does not cover (a NULL, a zero date, an integer
                    // out of the column's class): the real getters
                    v = rs.getObject(i);
                    if (rule != TextRules.NONE && !rules.refused(rule)) {
                        if (rule == TextRules.STRING) {
                            known = v instanceof String str ? str : null;
                            if (verify) {
                                b = rs.getBytes(i);
                            }
                        } else {
                            b = rs.getBytes(i);
                            known = switch (rule) {
                                case TextRules.INTEGER -> integerText(v, b);
                                case TextRules.DECIMAL -> v instanceof BigDecimal ? rawDecimal(b) : null;
                                default -> rawText(b);
                            };
                        }
                        if (known == null || !rules.trusted(rule)) {
                            String real = rs.getString(i);
                            if (known != null) {
                                rules.checked(rule, known.equals(real));
                            }
                            known = null;
                            s = real;
                        } else {
                            s = known;
                        }
                    } else {
                        s = rs.getString(i);
                        if (verify) {
                            b = rs.getBytes(i);
                        }
                    }
                    if (type == null && known != null && v != null && ownBytes[i - 1]
                            && v.equals(rawValue(rule, v.getClass(), b))) {
                        rawClass[i - 1] = v.getClass();
                    } else if (type == null && plain[i - 1] && v instanceof String str && !str.isEmpty()
                            && str.equals(rawValue(rule, String.class, b))) {
                        // not an empty text: it decodes to itself in every charset, a UTF-16 column's too
                        rawClass[i - 1] = String.class;
                    }
                } catch (SQLException | RuntimeException e) {
                    // e.g. a TIME of -838:59:59 or a zero date: the real driver throws from getObject,
                    // which a cached copy could not reproduce, so this result is served uncached.
                    // Connector/J throws java.time.DateTimeException for '2024-02-00': never let a
                    // getter's failure escape from executeQuery, where the real driver does not throw.
                    return refuse("value not readable in column " + i + ": " + e.getMessage());
                }
                if (v != null && v.getClass() != supported[i - 1]) {
                    if (!EntryCodec.supports(v)) {
                        return refuse("unsupported value type " + v.getClass().getName());
                    }
                    supported[i - 1] = v.getClass();
                }
                row[i - 1] = v;
                bytes += CELL_OVERHEAD + estimate(v);
                boolean overridden = false;
                if (v != null && s != null && differs(v, s, known, rule)) {
                    if (overrides == null) {
                        overrides = new String[n];
                    }
                    overrides[i - 1] = s;
                    bytes += CELL_OVERHEAD + size(s);
                    overridden = true;
                }
                // a rule's text that is the raw bytes b themselves: the cached getBytes is that text's
                // bytes, so b, and the check has nothing to find (see ownBytes); kept as the override
                // too (a DATETIME's, always), except a DECIMAL's, whose cached bytes come from its value
                if (verify && mismatch == null
                        && !(known != null && ownBytes[i - 1] && !(overridden && rule == TextRules.DECIMAL))) {
                    mismatch = difference(columns.get(i - 1), i, v, s, b);
                }
            }
            if (bytes > maxBytes) {
                return refuse("result over " + maxBytes + " bytes");
            }
            values.add(row);
            strings.add(overrides);
        }
        if (mismatch != null) {
            return refuse(mismatch);
        }
        CachedRows rows = sameColumns ? new CachedRows(memo.last, values, strings) : new CachedRows(columns, values, strings);
        if (memo != null) {
            memo.remember(rows, metaBytes, textRule, ownBytes, plain, rawClass);
        }
        return new Capture(rows, null);
    }

    /**
     * Whether the cached copy of one cell would answer getString and getBytes as the real driver
     * did: where the value the real driver gives through getObject does not determine its text or
     * bytes (BIT(1), a FLOAT whose server text is "1e38", YEAR 0, a zero date converted to null),
     * the result is not cached.
     *
     * <p>Checked while capturing, cell by cell, rather than by reading the finished copy back
     * through a {@link CachedResultSet}: that read-back cost a second pass over every cell and
     * kept a copy of every real string and byte array until the end (issue 5). The two are the
     * same check, because this is what {@link CachedResultSet} answers for a cell captured above
     * (its {@code value}, {@code text} and {@code cell} methods):
     * <ul>
     *   <li>getString: {@code null} when {@code v} is null; else the override when one was kept,
     *       which is {@code s}, or else {@code String.valueOf(v)}, which is then equal to
     *       {@code s} when {@code s} is not null. So the cached getString equals {@code s}
     *       exactly when {@code v} and {@code s} are both null or both non-null.</li>
     *   <li>getBytes: {@code null} when {@code v} is null; else
     *       {@code CellConverter.cell(column, v, text).bytes()} (cloned), where text is the cached
     *       getString, which (first point) is {@code s} whenever this check gets that far.</li>
     * </ul>
     * {@code ResultSetCaptureIT} holds this to the read-back, through the live
     * {@link CachedResultSet}, over every column type and every driver option of the fidelity
     * tests: a change to what the cached copy answers that this check does not follow fails it.
     *
     * @return {@code null} when both agree, else the refusal reason
     */
    private static String difference(ColumnMeta column, int i, Object v, String s, byte[] b) {
        if ((v == null) != (s == null)) {
            return "getString not reproducible in column " + i;
        }
        if (v == null) {
            return b == null ? null : "getBytes not reproducible in column " + i;
        }
        byte[] cached;
        try {
            cached = CellConverter.cell(column, v, s).bytes();
        } catch (RuntimeException e) {
            return "value not reproducible: " + e.getMessage();
        }
        return java.util.Arrays.equals(cached, b) ? null : "getBytes not reproducible in column " + i;
    }

    /**
     * Whether, for a column of {@code rule}, a text the rule took from the raw bytes is what the
     * cached copy's getBytes encodes back to exactly those bytes ({@code CellConverter.cell}): an
     * integer's, a date's and a DECIMAL's wire text is their getString when no override was kept
     * (a DECIMAL's is {@code toPlainString()}, which is toString when that has no exponent, and
     * a rule's decimal text never has one); a DATETIME's or TIMESTAMP's too when the column has no
     * fractional digits to pad; each whether or not the text is kept as an override (it is the
     * cached getString, and {@code CellConverter.cell} starts the bytes from it), except a
     * DECIMAL's, whose bytes are its value's plain text. A character column's text is not its
     * bytes (the column's charset).
     */
    private static boolean ownBytes(ColumnMeta c, int rule) {
        return switch (rule) {
            case TextRules.INTEGER, TextRules.DECIMAL, TextRules.DATE -> true;
            case TextRules.DATETIME, TextRules.TIMESTAMP -> c.precision() <= 19;
            default -> false;
        };
    }

    /**
     * Whether getString's text {@code s} is not {@code String.valueOf(v)} (then it is kept beside
     * the value), without formatting {@code v} where a rule already tells: a rule's integer text
     * is the number's own decimal form, a String value is its own text, and a DATETIME or
     * TIMESTAMP's raw text has a space where {@code LocalDateTime.toString()} has a 'T'.
     *
     * @param known the text a rule gave (s itself), or null
     */
    private static boolean differs(Object v, String s, String known, int rule) {
        if (s == v || known != null && rule == TextRules.INTEGER) {
            return false;
        }
        if (known != null && v instanceof LocalDateTime) {
            return true;
        }
        if (known != null && rule == TextRules.DECIMAL && v instanceof BigDecimal d && spells(s, d)) {
            return false;
        }
        return !s.equals(String.valueOf(v));
    }

    /**
     * Whether {@code text}, a DECIMAL rule's text ({@link #rawDecimal}: plain, canonical, no
     * exponent under toString), is {@code d.toString()}, without laying d out: toString is
     * the plain layout of d's unscaled value and scale when it has no exponent, and
     * {@link #rawDecimal}'s text is exactly such a layout, so the two are equal when d has the
     * text's scale and unscaled value. Up to 18 digits (a long); beyond, false (then the caller
     * compares with toString).
     */
    static boolean spells(String text, BigDecimal d) {
        int start = text.charAt(0) == '-' ? 1 : 0;
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                scale = text.length() - i - 1;
                continue;
            }
            if (++digits > 18) {
                return false;
            }
            unscaled = unscaled * 10 + (c - '0');
        }
        // precision first: the long of a wider unscaled value is truncated
        return d.scale() == scale && d.precision() <= 18 && d.unscaledValue().longValue() == (start == 1 ? -unscaled : unscaled);
    }

    /**
     * Whether getString of the column is its cells' decoded bytes, nothing added: VARCHAR and the
     * TEXT types. Not CHAR, ENUM or SET, which a connection with {@code padCharsWithSpace} pads
     * to the column's length; not JSON, whose text Connector/J may decode apart from the
     * column's charset.
     */
    private static boolean plainText(ColumnMeta c) {
        String t = c.columnTypeName() == null ? "" : c.columnTypeName().toUpperCase(java.util.Locale.ROOT);
        return switch (t) {
            case "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT" -> true;
            default -> false;
        };
    }

    /** Whether {@code b} is not null and every byte of it is ASCII (below 0x80). */
    private static boolean ascii(byte[] b) {
        if (b == null) {
            return false;
        }
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #rawInteger} of the raw bytes when it is the text of getObject's number itself: the
     * bytes of a binary-protocol result (a server-side prepared statement) are the number's
     * encoding, which may happen to be ASCII digits ("1234" is the int 875770417).
     */
    private static String integerText(Object v, byte[] b) {
        String text = rawInteger(b);
        if (text == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return text.length() <= 18 && Long.parseLong(text) == ((Number) v).longValue() ? text : null;
        }
        return v instanceof BigInteger big && big.toString().equals(text) ? text : null;
    }

    /**
     * The value Connector/J's getObject gives for a cell of {@code rule} whose raw bytes are
     * {@code b} and whose column's getObject answers {@code type}, built from the bytes where the
     * rule takes them as the cell's text; null where it cannot tell (a text the rule does not take,
     * another type, a number out of the type's range, a date that does not exist). Connector/J
     * decodes these cells from the same text, whatever the value: an INT or BIGINT by its digits
     * ({@code Integer}, or {@code Long} when unsigned or wider), a DECIMAL by {@code new BigDecimal}
     * of the text, a DATETIME by its fields into a {@code LocalDateTime}, with no time zone. Which
     * type, and whether this holds at all, depends on its version and the connection's options,
     * so the capture builds a column's cells here only after the result's first cell of the
     * column that a trusted rule took came out equal to the real getObject's. DATE and TIMESTAMP
     * are not built: their objects depend on the time zones in play. A character column's text
     * ({@link #plainText} columns only) is built when its bytes are all ASCII: Connector/J decodes
     * them with the column's charset, and every charset MySQL sends whose first cell of a column
     * decoded to its own bytes (so not UCS-2, UTF-16 or UTF-32, whose non-empty texts have fewer
     * chars than bytes) maps ASCII bytes to themselves; any other cell goes to the real getters.
     */
    static Object rawValue(int rule, Class<?> type, byte[] b) {
        if (rule == TextRules.STRING && type == String.class && ascii(b)) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        if (rule == TextRules.INTEGER && (type == Integer.class || type == Long.class) && canonicalInteger(b)) {
            long x;
            try {
                x = 0;
                int start = b[0] == '-' ? 1 : 0;
                for (int i = start; i < b.length; i++) {
                    // negative while it grows: Long.MIN_VALUE has no positive counterpart
                    x = Math.subtractExact(Math.multiplyExact(x, 10), b[i] - '0');
                }
                x = start == 1 ? x : Math.negateExact(x);
            } catch (ArithmeticException e) {
                return null; // beyond a Long (BIGINT UNSIGNED is a BigInteger, never built)
            }
            return type == Long.class ? (Object) x : x == (int) x ? (Object) (int) x : null;
        }
        if (rule == TextRules.DECIMAL && type == BigDecimal.class && plainDecimal(b)) {
            long unscaled = 0;
            int scale = 0;
            int digits = 0;
            int start = b[0] == '-' ? 1 : 0;
            for (int i = start; i < b.length; i++) {
                if (b[i] == '.') {
                    scale = b.length - i - 1;
                } else if (++digits <= 18) {
                    unscaled = unscaled * 10 + (b[i] - '0');
                }
            }
            return digits > 18 ? new BigDecimal(new String(b, StandardCharsets.ISO_8859_1))
                    : BigDecimal.valueOf(start == 1 ? -unscaled : unscaled, scale);
        }
        if (rule == TextRules.DATETIME && type == LocalDateTime.class && b != null && b.length == 19 && dateText(b)) {
            try {
                return LocalDateTime.of(digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2), digits(b, 11, 2),
                        digits(b, 14, 2), digits(b, 17, 2));
            } catch (java.time.DateTimeException e) {
                return null; // February 30th (ALLOW_INVALID_DATES): the real getObject says what it is
            }
        }
        return null;
    }

    /** The number spelled by {@code length} ASCII digits of {@code b} from {@code start}. */
    private static int digits(byte[] b, int start, int length) {
        int x = 0;
        for (int i = start; i < start + length; i++) {
            x = x * 10 + (b[i] - '0');
        }
        return x;
    }

    /**
     * The text of an integer cell when its raw bytes are its canonical decimal form ({@code 0},
     * or digits without a leading zero after an optional minus sign): then parsing and formatting
     * the number again, as the real driver's getString does, gives back these very bytes. A
     * ZEROFILL column's padded text, or anything else, returns null: the real getString.
     */
    static String rawInteger(byte[] b) {
        return canonicalInteger(b) ? new String(b, StandardCharsets.ISO_8859_1) : null;
    }

    /** Whether {@link #rawInteger} takes {@code b}. */
    private static boolean canonicalInteger(byte[] b) {
        if (b == null || b.length == 0 || b.length > 21) {
            return false;
        }
        int start = b[0] == '-' ? 1 : 0;
        if (start == b.length || b[start] == '0' && (b.length > start + 1 || start == 1)) {
            return false;
        }
        for (int i = start; i < b.length; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The text of a DECIMAL cell when its raw bytes are the plain form that
     * {@code BigDecimal.toString()} gives back for the number they spell: an optional minus
     * sign, an integer part without a leading zero (or a single zero), an optional fraction, not
     * a negative zero, and an adjusted exponent (significant digits - 1 - scale) of at least -6,
     * below which toString writes an exponent ({@code 0.00000001} is {@code 1E-8}, a zero of
     * scale 8 {@code 0E-8}). Anything else (a ZEROFILL column's padding, the binary protocol's
     * bytes) returns null: the real getString.
     */
    static String rawDecimal(byte[] b) {
        return plainDecimal(b) ? new String(b, StandardCharsets.ISO_8859_1) : null;
    }

    /** Whether {@link #rawDecimal} takes {@code b}. */
    private static boolean plainDecimal(byte[] b) {
        if (b == null || b.length == 0 || b.length > 80) {
            return false;
        }
        int start = b[0] == '-' ? 1 : 0;
        int i = start;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        int integerDigits = i - start;
        if (integerDigits == 0 || integerDigits > 1 && b[start] == '0') {
            return false;
        }
        int scale = 0;
        if (i < b.length) {
            if (b[i] != '.') {
                return false;
            }
            int fraction = ++i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            scale = i - fraction;
            if (scale == 0 || i != b.length) {
                return false;
            }
        }
        int significant = 0;
        for (int j = start; j < b.length; j++) {
            if (significant > 0 ? b[j] != '.' : b[j] >= '1' && b[j] <= '9') {
                significant++;
            }
        }
        if (significant == 0) {
            if (start == 1) {
                return false; // "-0.00": toString drops the sign
            }
            significant = 1;
        }
        return significant - 1 - scale >= -6;
    }

    /**
     * The text of a DATE, DATETIME or TIMESTAMP cell when its raw bytes are exactly
     * {@code YYYY-MM-DD} or {@code YYYY-MM-DD hh:mm:ss} (the text protocol, no fraction) with a
     * year, month and day that are not zero: then parsing the fields and formatting them again
     * with zero padding ({@code %04d-%02d-%02d}, {@code %02d:%02d:%02d}), as the real driver's
     * getString does, gives back these very bytes. Anything else (a fraction, a zero date, the
     * binary protocol's encoding, which is never this long) returns null: the real getString.
     */
    static String rawText(byte[] b) {
        return dateText(b) ? new String(b, StandardCharsets.ISO_8859_1) : null;
    }

    /** Whether {@link #rawText} takes {@code b}. */
    private static boolean dateText(byte[] b) {
        if (b == null || b.length != 10 && b.length != 19) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            boolean separator = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
            if (separator) {
                byte want = i == 10 ? (byte) ' ' : i < 10 ? (byte) '-' : (byte) ':';
                if (c != want) {
                    return false;
                }
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        boolean zeroYear = b[0] == '0' && b[1] == '0' && b[2] == '0' && b[3] == '0';
        boolean zeroMonth = b[5] == '0' && b[6] == '0';
        boolean zeroDay = b[8] == '0' && b[9] == '0';
        if (zeroYear || zeroMonth || zeroDay) {
            return false;
        }
        return true;
    }

    private static Capture refuse(String reason) {
        return new Capture(null, reason);
    }

    private static long estimate(Object v) {
        if (v == null || v instanceof Boolean) {
            return 0;
        }
        if (v instanceof String s) {
            return size(s);
        }
        if (v instanceof byte[] b) {
            return b.length;
        }
        if (v instanceof BigDecimal d) {
            return d.unscaledValue().bitLength() / 8 + 6;
        }
        if (v instanceof BigInteger i) {
            return i.bitLength() / 8 + 2;
        }
        return 12;
    }

    /** UTF-8 length without encoding (surrogate pairs count 2 + 2 = 4, which is exact). */
    private static long size(String s) {
        if (s == null) {
            return 1;
        }
        long n = 1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
