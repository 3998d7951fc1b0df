package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Session state that changes results never lets two sessions share an entry, and a session that
 * changes it mid-life never gets an entry computed under the old state. Each case is a setting
 * and a cacheable query whose result differs under it (checked: the test fails if the setting
 * does not change the direct result, so it cannot pass vacuously).
 *
 * <p>Every case runs the same steps: a default session caches the query (miss, hit); a second
 * session, changed by the case's statements, must read what a direct connection changed the same
 * way reads; then the first session changes itself the same way and must read that too.
 */
class SessionStateIT {

    private static final String TABLE = Db.uniqueTable("ss_t");
    private static final String OTHER_DB = "sqc_ss_" + Db.uniquePrefix().substring(12, 20);

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, name VARCHAR(64) CHARACTER SET utf8mb4,"
                    + " ts TIMESTAMP(3) NULL, d DATE, long_name VARCHAR(200)) CHARACTER SET utf8mb4",
                    "INSERT INTO " + TABLE + " VALUES (1, 'é😀', '2024-06-01 12:00:00.125', '2023-01-01',"
                    + " CONCAT(REPEAT('x', 20), 'b')), (2, 'A', '2024-12-31 23:30:00', '2024-06-30',"
                    + " CONCAT(REPEAT('x', 20), 'a'))",
                    "CREATE DATABASE " + OTHER_DB,
                    "CREATE TABLE " + OTHER_DB + "." + TABLE + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + OTHER_DB + "." + TABLE + " VALUES (1, 'in other schema')");
        }
    }

    @AfterAll
    static void dropTables() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + TABLE, "DROP DATABASE IF EXISTS " + OTHER_DB);
        }
    }

    /** A way to change a session: SQL statements, or a JDBC call. */
    @FunctionalInterface
    interface Change {
        void apply(Connection c) throws SQLException;
    }

    static Change sql(String... sqls) {
        return c -> Db.exec(c, sqls);
    }

    static Stream<Arguments> cases() {
        String t = TABLE;
        return Stream.of(
                Arguments.of("USE", sql("USE " + OTHER_DB), "SELECT name FROM " + t + " WHERE id = 1"),
                Arguments.of("setCatalog", (Change) c -> c.setCatalog(OTHER_DB), "SELECT name FROM " + t + " WHERE id = 1"),
                Arguments.of("time_zone", sql("SET time_zone = '+05:30'"), "SELECT ts, CAST(ts AS CHAR) FROM " + t),
                Arguments.of("SET NAMES", sql("SET NAMES latin1"), "SELECT name, CHARSET(name) FROM " + t),
                Arguments.of("character_set_results", sql("SET character_set_results = 'latin1'"),
                        "SELECT name FROM " + t + " ORDER BY id"),
                Arguments.of("character_set_client", sql("SET character_set_client = 'latin1'"),
                        "SELECT id FROM " + t + " WHERE name = 'é😀'"),
                Arguments.of("collation_connection", sql("SET collation_connection = 'utf8mb4_bin'"),
                        "SELECT 'a' = 'A', name FROM " + t + " ORDER BY id"),
                Arguments.of("sql_mode PIPES_AS_CONCAT", sql("SET sql_mode = 'PIPES_AS_CONCAT'"),
                        "SELECT name || 'x' FROM " + t + " ORDER BY id"),
                Arguments.of("sql_mode ANSI_QUOTES", sql("SET SESSION sql_mode = 'ANSI_QUOTES'"),
                        "SELECT \"name\" FROM " + t + " ORDER BY id"),
                Arguments.of("div_precision_increment", sql("SET div_precision_increment = 9"),
                        "SELECT id / 3 FROM " + t + " ORDER BY id"),
                Arguments.of("lc_time_names", sql("SET lc_time_names = 'de_DE'"),
                        "SELECT DATE_FORMAT(d, '%W %M'), MONTHNAME(d) FROM " + t + " ORDER BY id"),
                Arguments.of("group_concat_max_len", sql("SET group_concat_max_len = 4"),
                        "SELECT GROUP_CONCAT(long_name ORDER BY id) FROM " + t),
                Arguments.of("sql_select_limit", sql("SET sql_select_limit = 1"), "SELECT id FROM " + t + " ORDER BY id"),
                Arguments.of("default_week_format", sql("SET default_week_format = 1"),
                        "SELECT WEEK(d) FROM " + t + " ORDER BY id"),
                Arguments.of("max_sort_length", sql("SET max_sort_length = 8"),
                        "SELECT id FROM " + t + " ORDER BY long_name, id"),
                Arguments.of("@@session syntax", sql("SET @@session.div_precision_increment = 2"),
                        "SELECT id / 3 FROM " + t + " ORDER BY id"),
                Arguments.of("several in one SET", sql("SET time_zone = '-08:00', lc_time_names = 'fr_FR'"),
                        "SELECT CAST(ts AS CHAR), MONTHNAME(d) FROM " + t + " ORDER BY id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sessionsThatDifferNeverShareAnEntry(String name, Change change, String query) throws Exception {
        String url = TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix());
        try (Connection plain = DriverManager.getConnection(url);
                Connection changed = DriverManager.getConnection(url);
                Connection direct = TestEnv.mysql();
                Connection directChanged = TestEnv.mysql()) {
            change.apply(directChanged);
            List<String> before = rows(direct, query);
            List<String> after = rows(directChanged, query);
            assertThat(after).as("the case must change the direct result, or it proves nothing").isNotEqualTo(before);

            assertThat(rows(plain, query)).isEqualTo(before);
            assertThat(rows(plain, query)).isEqualTo(before);
            assertThat(outcome(plain)).isEqualTo("hit");

            change.apply(changed);
            assertThat(rows(changed, query)).as("another session changed by " + name).isEqualTo(after);
            assertThat(rows(changed, query)).isEqualTo(after);

            change.apply(plain);
            assertThat(rows(plain, query)).as("the first session after it changed").isEqualTo(after);
            assertThat(rows(plain, query)).isEqualTo(after);
        }
    }

    @Test
    void setSchemaCountsWhereTheDriverHonoursIt() throws Exception {
        String url = TestEnv.sqlcacheUrl("databaseTerm=SCHEMA&sqlcache.prefix=" + Db.uniquePrefix());
        String query = "SELECT name FROM " + TABLE + " WHERE id = 1";
        try (Connection plain = DriverManager.getConnection(url)) {
            assertThat(rows(plain, query)).contains("é😀 / é😀 | ");
            assertThat(rows(plain, query)).contains("é😀 / é😀 | ");
            assertThat(outcome(plain)).isEqualTo("hit");
            plain.setSchema(OTHER_DB);
            assertThat(rows(plain, query)).contains("in other schema / in other schema | ");
            plain.setSchema("test");
            assertThat(rows(plain, query)).contains("é😀 / é😀 | ");
            assertThat(outcome(plain)).isEqualTo("hit");
        }
    }

    @Test
    void aPreparedSetChangesTheSessionToo() throws Exception {
        String url = TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix());
        String query = "SELECT id / 3 FROM " + TABLE + " ORDER BY id";
        try (Connection c = DriverManager.getConnection(url); Connection direct = TestEnv.mysql()) {
            List<String> before = rows(c, query);
            rows(c, query);
            try (var ps = c.prepareStatement("SET div_precision_increment = ?")) {
                ps.setInt(1, 7);
                ps.execute();
            }
            Db.exec(direct, "SET div_precision_increment = 7");
            assertThat(rows(c, query)).isEqualTo(rows(direct, query)).isNotEqualTo(before);
        }
    }

    @Test
    void setStatementForAReadIsAnsweredUnderItsOwnSettings() throws Exception {
        String url = TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix());
        String plainQuery = "SELECT id / 7 FROM " + TABLE + " ORDER BY id";
        String query = "SET STATEMENT div_precision_increment = 1 FOR " + plainQuery;
        try (Connection c = DriverManager.getConnection(url); Connection direct = TestEnv.mysql()) {
            rows(c, plainQuery);
            rows(c, plainQuery);
            assertThat(outcome(c)).isEqualTo("hit");
            List<String> expected = rows(direct, query);
            assertThat(expected).isNotEqualTo(rows(direct, plainQuery));
            assertThat(rows(c, query)).isEqualTo(expected);
            assertThat(rows(c, query)).isEqualTo(expected);
            assertThat(rows(c, plainQuery)).isEqualTo(rows(direct, plainQuery));
        }
    }

    @Test
    void aVariableOutsideTheFixedListStillSeparatesSessions() throws Exception {
        // max_join_size is in no list: it turns this read into ER_TOO_BIG_SELECT
        String url = TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix());
        String query = "SELECT a.id, b.id FROM " + TABLE + " a JOIN " + TABLE + " b ORDER BY a.id, b.id";
        try (Connection plain = DriverManager.getConnection(url); Connection changed = DriverManager.getConnection(url)) {
            List<String> rows = rows(plain, query);
            assertThat(rows(plain, query)).isEqualTo(rows);
            assertThat(outcome(plain)).isEqualTo("hit");
            Db.exec(changed, "SET @x = 'a,b', SESSION max_join_size = 1");
            try {
                rows(changed, query);
                throw new AssertionError("served rows where the server refuses the read");
            } catch (SQLException e) {
                assertThat(e.getErrorCode()).isEqualTo(1104); // ER_TOO_BIG_SELECT
            }
            Db.exec(changed, "SET max_join_size = DEFAULT");
            assertThat(rows(changed, query)).isEqualTo(rows);
        }
    }

    private static String lastOutcome;

    private static String outcome(Connection c) {
        return lastOutcome;
    }

    /** Every row, every column through getString and getObject, and the column labels. */
    static List<String> rows(Connection c, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        // execute + getResultSet: Connector/J's executeQuery refuses a text that starts with SET
        try (Statement st = c.createStatement(); ResultSet rs = st.execute(query) ? st.getResultSet() : null) {
            ResultSetMetaData md = rs.getMetaData();
            StringBuilder labels = new StringBuilder("labels:");
            for (int i = 1; i <= md.getColumnCount(); i++) {
                labels.append(' ').append(md.getColumnLabel(i));
            }
            out.add(labels.toString());
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object o = rs.getObject(i);
                    sb.append(rs.getString(i)).append(" / ").append(o instanceof byte[] b ? java.util.HexFormat.of()
                            .formatHex(b) : String.valueOf(o)).append(" | ");
                }
                out.add(sb.toString());
            }
            if (st.isWrapperFor(SqlCacheStatement.class)) {
                lastOutcome = st.unwrap(SqlCacheStatement.class).lastCacheOutcome();
            }
        }
        return out;
    }
}
