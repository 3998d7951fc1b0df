package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * I3 through the whole driver: a table with every MariaDB column type, edge values and NULLs is
 * read through {@code jdbc:sqlcache:} twice (a miss, then the answer the cache gives) and through
 * {@code jdbc:mysql:} with the same options; every getter of every column of every row, and the
 * metadata, must agree, exceptions included (class and SQLState). Where the cache cannot be
 * identical it must not cache: the second read is then a bypass, and still equal.
 *
 * <p>Runs once per set of Connector/J options that change values.
 */
class DriverFidelityIT {

    private static final String TABLE = Db.uniqueTable("df_types");
    private static final String QUERY = "SELECT * FROM " + TABLE + " ORDER BY id";
    private static final int ROWS = 6;

    @BeforeAll
    static void createTable() throws SQLException {
        try (Connection c = TestEnv.mysql(); Statement s = c.createStatement()) {
            // zero dates need a permissive sql_mode on this session only
            s.execute("SET SESSION sql_mode = ''");
            s.execute("CREATE TABLE " + TABLE + " ("
                    + " id INT PRIMARY KEY,"
                    + " c_tinyint TINYINT, c_tinyint_u TINYINT UNSIGNED, c_bool BOOLEAN, c_smallint SMALLINT,"
                    + " c_smallint_u SMALLINT UNSIGNED, c_mediumint MEDIUMINT, c_mediumint_u MEDIUMINT UNSIGNED,"
                    + " c_int INT, c_int_u INT UNSIGNED, c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,"
                    + " c_decimal DECIMAL(65,30), c_float FLOAT, c_double DOUBLE,"
                    + " c_bit1 BIT(1), c_bit64 BIT(64),"
                    + " c_char CHAR(10), c_varchar VARCHAR(100), c_text TEXT,"
                    + " c_binary BINARY(4), c_varbinary VARBINARY(300), c_blob BLOB,"
                    + " c_date DATE, c_time TIME, c_datetime6 DATETIME(6), c_timestamp6 TIMESTAMP(6) NULL,"
                    + " c_year YEAR, c_enum ENUM('a','b','1'), c_set SET('x','y','z'), c_json JSON,"
                    + " c_geometry GEOMETRY, c_datetime DATETIME, c_timestamp TIMESTAMP NULL"
                    + ") CHARACTER SET utf8mb4");
            StringBuilder every = new StringBuilder("x'");
            for (int b = 0; b < 256; b++) {
                every.append(String.format("%02x", b));
            }
            every.append("'");
            s.execute("INSERT INTO " + TABLE + " VALUES"
                    + " (1, -128, 255, TRUE, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,"
                    + "  -9223372036854775808, 18446744073709551615,"
                    + "  '12345678901234567890123456789012345.123456789012345678901234567890', 3.5, 0.1,"
                    + "  b'1', b'1111111111111111111111111111111111111111111111111111111111111111',"
                    + "  'ab', 'héllo 😀 世界', 'line1\\nline2 𝄞', x'00ff7f80', " + every + ", " + every + ","
                    + "  '2024-02-29', '838:59:59', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999999',"
                    + "  2155, 'b', 'x,z', '{\"a\": [1, 2.5, null], \"é\": \"😀\"}', ST_GeomFromText('POINT(1 2)'),"
                    + "  '2024-02-29 23:59:59', '2038-01-19 03:14:07'),"
                    + " (2, 127, 0, FALSE, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0,"
                    + "  '-0.000000000000000000000000000001', -3.4e38, 1.7976931348623157e308,"
                    + "  b'0', b'0', '1', 'true', '', x'31000000', x'', x'',"
                    + "  '1000-01-01', '-838:59:59', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000',"
                    + "  1901, '1', '', '[]', ST_GeomFromText('LINESTRING(0 0, 1 1)'),"
                    + "  '1000-01-01 00:00:00', '1970-01-01 00:00:01'),"
                    + " (3, 0, 1, 2, 0, 1, 0, 1, 0, 1, 0, 9223372036854775808, '0.5', 1e38, -0.0,"
                    + "  b'1', b'101', 'Y', '2024-02-29', '12', x'7f', x'ff', x'00',"
                    + "  '9999-12-31', '00:00:00', '9999-12-31 23:59:59.999999', '2024-03-10 02:30:00',"
                    + "  0, 'a', 'x,y,z', 'null', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'),"
                    + "  '9999-12-31 23:59:59', '2024-03-10 02:30:00'),"
                    + " (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + "  NULL, NULL, NULL),"
                    + " (5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, '1', 1.5, 2.5, b'0', b'11111111', 'N', '-1', '1e3',"
                    + "  x'01', x'31', x'41', '0000-00-00', '12:30:00.5', '0000-00-00 00:00:00',"
                    + "  '0000-00-00 00:00:00', 1970, 'b', 'y', '\"str\"', NULL,"
                    + "  '0000-00-00 00:00:00', '0000-00-00 00:00:00'),"
                    + " (6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, '1', 1, 1, b'1', b'1', 'N', '-1', '1',"
                    + "  x'01', x'31', x'41', '2024-00-00', '01:02:03', '2024-02-00 10:00:00',"
                    + "  '2024-06-15 12:00:00.5', 2000, 'b', 'y', '1', NULL,"
                    + "  '2024-02-00 10:00:00', '2024-06-15 12:00:00')");
        }
    }

    @AfterAll
    static void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + TABLE);
        }
    }

    private static String withOptions(String url, String options) {
        return options.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + options;
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "zeroDateTimeBehavior=CONVERT_TO_NULL", "zeroDateTimeBehavior=ROUND",
        "zeroDateTimeBehavior=EXCEPTION", "tinyInt1isBit=false", "yearIsDateType=false", "transformedBitIsBoolean=true",
        "connectionTimeZone=%2B05:30&forceConnectionTimeZoneToSession=true",
        "connectionTimeZone=SERVER&preserveInstants=false", "useServerPrepStmts=true",
        "useServerPrepStmts=true&zeroDateTimeBehavior=CONVERT_TO_NULL", "useCursorFetch=true"})
    void theCachesAnswerEqualsTheRealDriversForEveryGetter(String options) throws Exception {
        String cachedUrl = withOptions(TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix()), options);
        String directUrl = withOptions(TestEnv.MYSQL_URL, options);
        List<String> diffs = new ArrayList<>();
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        int compared = 0;
        try (Connection cached = DriverManager.getConnection(cachedUrl);
                Connection direct = DriverManager.getConnection(directUrl)) {
            List<String> columns = new ArrayList<>();
            try (Statement st = direct.createStatement(); ResultSet rs = st.executeQuery(QUERY)) {
                for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
                    columns.add(rs.getMetaData().getColumnLabel(i));
                }
            }
            // one cell at a time: a value the cache must refuse refuses only its own query
            for (String column : columns) {
                String query = "SELECT id, " + column + " FROM " + TABLE + " WHERE id = ?";
                try (PreparedStatement cps = cached.prepareStatement(query);
                        PreparedStatement dps = direct.prepareStatement(query)) {
                    for (int id = 1; id <= ROWS; id++) {
                        cps.setInt(1, id);
                        dps.setInt(1, id);
                        try (ResultSet first = cps.executeQuery()) {
                            while (first.next()) {
                                CachedResultSetFidelityIT.outcome(first, 2, ResultSet::getObject); // may throw, as directly
                            }
                        }
                        String firstOutcome = cps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
                        // the second read is the first hit on the decoded entry (cold: each getter converts),
                        // the third one a hit on the same decoded entry (warm: served what the second kept)
                        String previous = firstOutcome;
                        for (String pass : List.of("cold", "warm")) {
                            try (ResultSet c = cps.executeQuery(); ResultSet d = dps.executeQuery()) {
                                String outcome = cps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
                                if (previous.equals("miss") || previous.equals("hit")) {
                                    assertThat(outcome).as("%s row %d: a stored miss is a hit next", column, id)
                                            .isEqualTo("hit");
                                }
                                previous = outcome;
                                if (pass.equals("cold")) {
                                    outcomes.merge(outcome.startsWith("bypass") ? "bypass" : outcome, 1, Integer::sum);
                                }
                                for (String m : metadataDiffs(d, c)) {
                                    diffs.add(column + " row " + id + " (" + outcome + ", " + pass + ") " + m);
                                }
                                assertThat(d.next()).isTrue();
                                assertThat(c.next()).isTrue();
                                for (Map.Entry<String, CachedResultSetFidelityIT.Getter> g
                                        : CachedResultSetFidelityIT.GETTERS.entrySet()) {
                                    String expected = CachedResultSetFidelityIT.outcome(d, 2, g.getValue());
                                    String actual = CachedResultSetFidelityIT.outcome(c, 2, g.getValue());
                                    compared++;
                                    if (!expected.equals(actual)) {
                                        diffs.add(String.format("row %d %-14s %-22s (%s) direct=%s cached=%s", id, column,
                                                g.getKey(), outcome + ", " + pass, expected, actual));
                                    }
                                }
                                assertThat(c.next()).isEqualTo(d.next());
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("DriverFidelityIT [%s]: second reads %s, %d getter outcomes compared%n", options, outcomes,
                compared);
        if (DriverOptions.unfaithful(options) != null) {
            // options the cache cannot replay: nothing is cached, and what the driver serves is the real thing
            assertThat(outcomes).as("[%s] second reads", options).containsOnlyKeys("bypass");
        } else {
            assertThat(outcomes.getOrDefault("hit", 0)).as("cells served by the cache").isGreaterThan(ROWS * 20);
        }
        assertThat(diffs).as("[%s] differences from Connector/J:%n%s", options, String.join("\n", diffs)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void scrollableAndUpdatableResultSetsAreTheRealDriversAndWork() throws Exception {
        String url = TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix());
        String table = Db.uniqueTable("df_scroll");
        try (Connection c = DriverManager.getConnection(url)) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            String query = "SELECT id, name FROM " + table + " ORDER BY id";
            try (Statement plain = c.createStatement()) {
                // a forward-only read caches the query first: the scrollable one must not be served it
                plain.executeQuery(query).close();
                plain.executeQuery(query).close();
                assertThat(plain.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
            }
            try (Statement scroll = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
                    ResultSet rs = scroll.executeQuery(query)) {
                assertThat(scroll.unwrap(SqlCacheStatement.class).lastCacheOutcome())
                        .isEqualTo("bypass: scrollable result set requested");
                assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_SCROLL_INSENSITIVE);
                assertThat(rs.absolute(3)).isTrue();
                assertThat(rs.getString(2)).isEqualTo("c");
                assertThat(rs.previous()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("b");
                assertThat(rs.first()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            try (PreparedStatement update = c.prepareStatement(query, ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_UPDATABLE); ResultSet rs = update.executeQuery()) {
                assertThat(update.unwrap(SqlCacheStatement.class).lastCacheOutcome())
                        .isEqualTo("bypass: updatable result set requested");
                assertThat(rs.getConcurrency()).isEqualTo(ResultSet.CONCUR_UPDATABLE);
                assertThat(rs.next()).isTrue();
                rs.updateString(2, "updated");
                rs.updateRow();
            }
            try (Connection direct = TestEnv.mysql()) {
                assertThat(Db.one(direct, "SELECT name FROM " + table + " WHERE id = 1")).isEqualTo("updated");
            }
            // the row written through updateRow invalidated the forward-only entry (I1)
            try (Statement plain = c.createStatement(); ResultSet rs = plain.executeQuery(query)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("updated");
            }
        } finally {
            try (Connection direct = TestEnv.mysql()) {
                Db.exec(direct, "DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static List<String> metadataDiffs(ResultSet direct, ResultSet cached) throws SQLException {
        Map<String, CachedResultSetFidelityIT.Getter> meta = new LinkedHashMap<>();
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
        List<String> diffs = new ArrayList<>();
        int n = direct.getMetaData().getColumnCount();
        for (int i = 0; i <= n + 1; i++) {
            for (Map.Entry<String, CachedResultSetFidelityIT.Getter> m : meta.entrySet()) {
                String x = CachedResultSetFidelityIT.outcome(direct, i, m.getValue());
                String y = CachedResultSetFidelityIT.outcome(cached, i, m.getValue());
                if (!x.equals(y)) {
                    diffs.add("metadata column " + i + " " + m.getKey() + ": direct=" + x + " cached=" + y);
                }
            }
        }
        return diffs;
    }
}
