package io.sqlcache.jdbc;

import io.sqlcache.codec.CacheEntry;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.EntryCodec;
import io.sqlcache.testing.TestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I3 transparency against the real driver: every getter of every common MariaDB column type,
 * read directly and read through capture + encode + decode + {@link CachedResultSet}, must give
 * the same value or fail with the same exception class and SQLState.
 */
class CachedResultSetFidelityIT {

    private static final String QUERY = "SELECT * FROM ha_types ORDER BY id";

    /**
     * Getters where the cached set is known to differ from Connector/J, as "column getter".
     * Each must still differ (the list cannot go stale); see the report in the commit message.
     */
    private static final Set<String> KNOWN_MISMATCHES = Set.of(
            // TINYINT(1) and BIT(1) have identical metadata and both read as Boolean: the raw
            // bytes of BIT(1) (0x01) cannot be told from TINYINT(1)'s text ("1"); we serve the text.
            "c_bit1 getBytes", "c_bit1 getBlob", "c_bit1 getObject(byte[])",
            // The server's text for floating point ("1e38", "-1.7976931348623157e308") is not kept:
            // getString gives Java's Double.toString and getBytes is built from that.
            "c_float getBytes", "c_float getBlob", "c_float getObject(byte[])",
            "c_double getBytes", "c_double getBlob", "c_double getObject(byte[])");

    private static final Calendar NEW_YORK = Calendar.getInstance(TimeZone.getTimeZone("America/New_York"));
    private static final Calendar KOLKATA = Calendar.getInstance(TimeZone.getTimeZone("Asia/Kolkata"));

    @FunctionalInterface
    interface Getter {
        Object get(ResultSet rs, int column) throws Exception;
    }

    static final Map<String, Getter> GETTERS = new LinkedHashMap<>();

    static {
        GETTERS.put("getObject", ResultSet::getObject);
        GETTERS.put("wasNull", (rs, i) -> {
            rs.getObject(i);
            return rs.wasNull();
        });
        GETTERS.put("getString", ResultSet::getString);
        GETTERS.put("getNString", ResultSet::getNString);
        GETTERS.put("getBoolean", ResultSet::getBoolean);
        GETTERS.put("getByte", ResultSet::getByte);
        GETTERS.put("getShort", ResultSet::getShort);
        GETTERS.put("getInt", ResultSet::getInt);
        GETTERS.put("getLong", ResultSet::getLong);
        GETTERS.put("getFloat", ResultSet::getFloat);
        GETTERS.put("getDouble", ResultSet::getDouble);
        GETTERS.put("getBigDecimal", ResultSet::getBigDecimal);
        GETTERS.put("getBytes", ResultSet::getBytes);
        GETTERS.put("getDate", ResultSet::getDate);
        GETTERS.put("getTime", ResultSet::getTime);
        GETTERS.put("getTimestamp", ResultSet::getTimestamp);
        GETTERS.put("getDate(NY)", (rs, i) -> rs.getDate(i, NEW_YORK));
        GETTERS.put("getTime(NY)", (rs, i) -> rs.getTime(i, NEW_YORK));
        GETTERS.put("getTimestamp(NY)", (rs, i) -> rs.getTimestamp(i, NEW_YORK));
        GETTERS.put("getDate(IST)", (rs, i) -> rs.getDate(i, KOLKATA));
        GETTERS.put("getTime(IST)", (rs, i) -> rs.getTime(i, KOLKATA));
        GETTERS.put("getTimestamp(IST)", (rs, i) -> rs.getTimestamp(i, KOLKATA));
        GETTERS.put("getBinaryStream", (rs, i) -> {
            InputStream in = rs.getBinaryStream(i);
            return in == null ? null : in.readAllBytes();
        });
        GETTERS.put("getCharacterStream", (rs, i) -> {
            Reader r = rs.getCharacterStream(i);
            if (r == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[256];
            for (int n; (n = r.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            return sb.toString();
        });
        GETTERS.put("getClob", (rs, i) -> {
            Clob c = rs.getClob(i);
            return c == null ? null : c.getSubString(1, (int) c.length());
        });
        GETTERS.put("getBlob", (rs, i) -> {
            Blob b = rs.getBlob(i);
            return b == null ? null : b.getBytes(1, (int) b.length());
        });
        for (Class<?> type : List.of(String.class, Integer.class, Long.class, Short.class, Byte.class, Boolean.class,
                Double.class, Float.class, BigDecimal.class, BigInteger.class, byte[].class, LocalDate.class,
                LocalTime.class, LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class,
                java.sql.Date.class, Time.class, Timestamp.class, java.util.Date.class, Instant.class)) {
            GETTERS.put("getObject(" + type.getSimpleName() + ")", (rs, i) -> rs.getObject(i, type));
        }
    }

    @BeforeAll
    static void createTable() throws Exception {
        // Our own META-INF/services names io.sqlcache.SqlCacheDriver, which another slice provides;
        // until it exists DriverManager's service scan stops at it, so register the real one by hand.
        Class.forName("com.mysql.cj.jdbc.Driver");
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS ha_types");
            s.execute("""
                    CREATE TABLE ha_types (
                      id INT PRIMARY KEY,
                      c_tinyint TINYINT, c_bool TINYINT(1), c_smallint SMALLINT, c_mediumint MEDIUMINT,
                      c_int INT, c_int_u INT UNSIGNED, c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,
                      c_decimal DECIMAL(65,30), c_float FLOAT, c_double DOUBLE,
                      c_bit1 BIT(1), c_bit64 BIT(64),
                      c_char CHAR(10), c_varchar VARCHAR(100) CHARACTER SET utf8mb4, c_numtext VARCHAR(40),
                      c_text TEXT, c_binary BINARY(4), c_varbinary VARBINARY(16), c_blob BLOB,
                      c_date DATE, c_time TIME, c_time6 TIME(6), c_datetime6 DATETIME(6), c_timestamp6 TIMESTAMP(6) NULL,
                      c_year YEAR, c_enum ENUM('a','b','1'), c_set SET('x','y','z'), c_json JSON
                    ) CHARACTER SET utf8mb4""");
            s.execute("""
                    INSERT INTO ha_types VALUES
                    (1, -128, 1, -32768, -8388608, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
                     '12345678901234567890123456789012345.123456789012345678901234567890', 3.5, -1.7976931348623157e308,
                     b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
                     'ab', 'héllo 😀 世界', '1.5', 'line1\\nline2', x'00ff7f80', x'', x'deadbeef',
                     '2024-02-29', '23:59:59', '12:34:56.123456', '2024-02-29 23:59:59.999999',
                     '2038-01-19 03:14:07.999999', 2024, 'b', 'x,z', '{"a": [1, 2.5, null]}'),
                    (2, 127, 0, 32767, 8388607, 2147483647, 0, 9223372036854775807, 0,
                     '-0.000000000000000000000000000001', -0.0, 0.1,
                     b'0', b'0', '1', 'true', '-1', '', x'31000000', x'31', x'',
                     '1000-01-01', '00:00:00', '00:00:00.000001', '1000-01-01 00:00:00.000000',
                     '1970-01-01 00:00:01.000000', 1901, '1', 'y', '[]'),
                    (3, 1, 2, 1, 1, 1, 1, 1, 1, '1.5', 1e38, 2.5, b'1', b'101', 'Y', '12', '2024-02-29 12:00:00',
                     'yes', x'01020304', x'0102', x'41', '9999-12-31', '01:02:03', '23:59:59.999999',
                     '9999-12-31 23:59:59.999999', '2000-06-15 12:00:00.5', 2155, 'a', '', '"str"'),
                    (5, 0, -1, 0, 0, 0, 0, 0, 9223372036854775808, '0.5', 0.5, 123456789.125, b'0', b'11111111',
                     'N', '2024-02-29', '12:30:00', '1e3', x'7f000000', x'ff', x'00',
                     '1582-10-15', '12:00:00', '00:00:00', '2024-03-10 02:30:00', '2024-11-03 01:30:00', 1970,
                     NULL, 'x,y,z', 'null'),
                    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""");
        }
    }

    @AfterAll
    static void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS ha_types");
        }
    }

    private static CachedResultSet cached(Statement s) throws Exception {
        return new CachedResultSet(decoded(s), s);
    }

    /** The rows of QUERY as a hit sees them: captured, encoded, decoded. */
    private static CachedRows decoded(Statement s) throws Exception {
        try (ResultSet real = s.executeQuery(QUERY)) {
            ResultSetCapture.Capture capture = ResultSetCapture.capture(real, 10_000, 1 << 20, false);
            assertThat(capture.refusal()).isNull();
            EntryCodec codec = new EntryCodec();
            byte[] bytes = codec.encode(new CacheEntry(new byte[] {1}, new long[] {7}, Long.MAX_VALUE, capture.rows()));
            return codec.decode(bytes).rows();
        }
    }

    @Test
    void everyGetterOfEveryTypeMatchesTheRealDriver() throws Exception {
        List<String> unexpected = new ArrayList<>();
        Set<String> seenKnown = new TreeSet<>();
        int compared = 0;
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            CachedRows rows = decoded(s);
            // twice over the same decoded rows, as two hits on one entry: the first result set
            // converts every cell (cold), the second is served what the first one kept (warm)
            for (String pass : List.of("cold", "warm")) {
                try (CachedResultSet cached = new CachedResultSet(rows, s);
                        ResultSet direct = s.getConnection().createStatement().executeQuery(QUERY)) {
                    ResultSetMetaData md = direct.getMetaData();
                    assertThat(cached.getStatement()).isSameAs(s);
                    while (direct.next()) {
                        assertThat(cached.next()).isTrue();
                        int id = direct.getInt(1);
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            String column = md.getColumnLabel(i);
                            for (Map.Entry<String, Getter> g : GETTERS.entrySet()) {
                                String expected = outcome(direct, i, g.getValue());
                                String actual = outcome(cached, i, g.getValue());
                                compared++;
                                if (expected.equals(actual)) {
                                    continue;
                                }
                                String key = column + " " + g.getKey();
                                String line = String.format("row %d %-14s %-22s (%s) direct=%s%n%52s cached=%s",
                                        id, column, g.getKey(), pass, expected, "", actual);
                                if (KNOWN_MISMATCHES.contains(key)) {
                                    seenKnown.add(key);
                                    System.out.println("known mismatch: " + line);
                                } else {
                                    unexpected.add(line);
                                }
                            }
                        }
                    }
                    assertThat(cached.next()).isFalse();
                    assertThat(cached.isAfterLast()).isEqualTo(direct.isAfterLast());
                }
            }
        }
        System.out.println("compared " + compared + " getter outcomes");
        assertThat(unexpected).as("getters where the cached result set differs from Connector/J:%n%s",
                String.join("\n", unexpected)).isEmpty();
        assertThat(seenKnown).as("known mismatches that no longer differ: remove them from KNOWN_MISMATCHES")
                .containsExactlyInAnyOrderElementsOf(KNOWN_MISMATCHES);
    }

    @Test
    void metadataMatchesFieldByField() throws Exception {
        List<String> diffs = new ArrayList<>();
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            try (CachedResultSet cached = cached(s); ResultSet direct = c.createStatement().executeQuery(QUERY)) {
                ResultSetMetaData a = direct.getMetaData();
                ResultSetMetaData b = cached.getMetaData();
                assertThat(b.getColumnCount()).isEqualTo(a.getColumnCount());
                Map<String, Getter> meta = new LinkedHashMap<>();
                meta.put("catalog", (rs, i) -> rs.getMetaData().getCatalogName(i));
                meta.put("schema", (rs, i) -> rs.getMetaData().getSchemaName(i));
                meta.put("table", (rs, i) -> rs.getMetaData().getTableName(i));
                meta.put("name", (rs, i) -> rs.getMetaData().getColumnName(i));
                meta.put("label", (rs, i) -> rs.getMetaData().getColumnLabel(i));
                meta.put("type", (rs, i) -> rs.getMetaData().getColumnType(i));
                meta.put("typeName", (rs, i) -> rs.getMetaData().getColumnTypeName(i));
                meta.put("className", (rs, i) -> rs.getMetaData().getColumnClassName(i));
                meta.put("precision", (rs, i) -> rs.getMetaData().getPrecision(i));
                meta.put("scale", (rs, i) -> rs.getMetaData().getScale(i));
                meta.put("nullable", (rs, i) -> rs.getMetaData().isNullable(i));
                meta.put("signed", (rs, i) -> rs.getMetaData().isSigned(i));
                meta.put("displaySize", (rs, i) -> rs.getMetaData().getColumnDisplaySize(i));
                meta.put("autoIncrement", (rs, i) -> rs.getMetaData().isAutoIncrement(i));
                meta.put("caseSensitive", (rs, i) -> rs.getMetaData().isCaseSensitive(i));
                meta.put("currency", (rs, i) -> rs.getMetaData().isCurrency(i));
                meta.put("searchable", (rs, i) -> rs.getMetaData().isSearchable(i));
                meta.put("readOnly", (rs, i) -> rs.getMetaData().isReadOnly(i));
                meta.put("writable", (rs, i) -> rs.getMetaData().isWritable(i));
                meta.put("definitelyWritable", (rs, i) -> rs.getMetaData().isDefinitelyWritable(i));
                for (int i = 0; i <= a.getColumnCount() + 1; i++) {
                    for (Map.Entry<String, Getter> m : meta.entrySet()) {
                        String x = outcome(direct, i, m.getValue());
                        String y = outcome(cached, i, m.getValue());
                        if (!x.equals(y)) {
                            diffs.add("column " + i + " " + m.getKey() + ": direct=" + x + " cached=" + y);
                        }
                    }
                }
            }
        }
        assertThat(diffs).as("metadata differences:%n%s", String.join("\n", diffs)).isEmpty();
    }

    @Test
    void captureRefusesWhatItCannotReproduce() throws Exception {
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT CAST('-838:59:59' AS TIME) AS t")) {
                assertThat(ResultSetCapture.capture(rs, 10, 1 << 20).refusal()).startsWith("value not readable in column 1");
            }
            try (ResultSet rs = s.executeQuery("SELECT id FROM ha_types ORDER BY id")) {
                ResultSetCapture.Capture capture = ResultSetCapture.capture(rs, 4, 1 << 20);
                assertThat(capture.rows()).isNull();
                assertThat(capture.refusal()).isEqualTo("result over 4 rows");
            }
            try (ResultSet rs = s.executeQuery("SELECT REPEAT('x', 5000) AS big")) {
                assertThat(ResultSetCapture.capture(rs, 10, 4096).refusal()).isEqualTo("result over 4096 bytes");
            }
            try (ResultSet rs = s.executeQuery("SELECT id FROM ha_types ORDER BY id")) {
                ResultSetCapture.Capture capture = ResultSetCapture.capture(rs, 5, 1 << 20);
                assertThat(capture.refusal()).isNull();
                assertThat(capture.rows().rowCount()).isEqualTo(5);
                assertThat(rs.isClosed()).isFalse();
            }
        }
    }

    /** What a getter gave, as text that compares values exactly (class, millis and nanos included). */
    static String outcome(ResultSet rs, int column, Getter g) {
        try {
            return describe(g.get(rs, column));
        } catch (Exception e) {
            return "EX " + e.getClass().getName() + (e instanceof SQLException x ? " [" + x.getSQLState() + "]" : "");
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] b) {
            return "byte[" + HexFormat.of().formatHex(b) + "]";
        }
        if (v instanceof Timestamp t) {
            return "Timestamp " + t + " @" + t.getTime() + "/" + t.getNanos();
        }
        if (v instanceof java.util.Date d) {
            return v.getClass().getSimpleName() + " " + d + " @" + d.getTime();
        }
        return v.getClass().getSimpleName() + " " + v;
    }
}
