package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every standard setter as key material: the same binding twice is one database query, and
 * another value is another key (a different result, never the first one's rows).
 */
class PreparedStatementParamsIT {

    private static String table;
    private static Connection app;

    /** Binds a parameter. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @BeforeAll
    static void createTable() throws SQLException {
        table = Db.uniqueTable("ps_params");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, i INT, b BIGINT, d DECIMAL(20,6), f DOUBLE,"
                    + " s VARCHAR(32), bin VARBINARY(8), dt DATE, tm TIME, ts DATETIME(6), flag BOOLEAN)",
                    "INSERT INTO " + table + " VALUES"
                            + " (1, 10, 10000000000, 1.5, 0.25, 'one', X'01', '2024-01-01', '10:00:00', '2024-01-01 10:00:00', TRUE),"
                            + " (2, 20, 20000000000, 2.5, 0.5, 'two', X'02', '2024-02-02', '11:00:00', '2024-02-02 11:00:00', FALSE),"
                            + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        }
        app = DriverManager.getConnection(TestEnv.sqlcacheUrl("sqlcache.prefix=" + Db.uniquePrefix()));
    }

    @AfterAll
    static void dropTable() throws SQLException {
        app.close();
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    static Stream<Arguments> setters() {
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        return Stream.of(
                Arguments.of("i = ?", (Binder) ps -> ps.setInt(1, 10), (Binder) ps -> ps.setInt(1, 20)),
                Arguments.of("i = ?", (Binder) ps -> ps.setShort(1, (short) 10), (Binder) ps -> ps.setShort(1, (short) 20)),
                Arguments.of("i = ?", (Binder) ps -> ps.setByte(1, (byte) 10), (Binder) ps -> ps.setByte(1, (byte) 20)),
                Arguments.of("b = ?", (Binder) ps -> ps.setLong(1, 10_000_000_000L), (Binder) ps -> ps.setLong(1, 20_000_000_000L)),
                Arguments.of("d = ?", (Binder) ps -> ps.setBigDecimal(1, new BigDecimal("1.5")),
                        (Binder) ps -> ps.setBigDecimal(1, new BigDecimal("2.500000"))),
                Arguments.of("f = ?", (Binder) ps -> ps.setDouble(1, 0.25), (Binder) ps -> ps.setDouble(1, 0.5)),
                Arguments.of("f = ?", (Binder) ps -> ps.setFloat(1, 0.25f), (Binder) ps -> ps.setFloat(1, 0.5f)),
                Arguments.of("s = ?", (Binder) ps -> ps.setString(1, "one"), (Binder) ps -> ps.setString(1, "two")),
                Arguments.of("s = ?", (Binder) ps -> ps.setNString(1, "one"), (Binder) ps -> ps.setNString(1, "two")),
                Arguments.of("bin = ?", (Binder) ps -> ps.setBytes(1, new byte[] {1}), (Binder) ps -> ps.setBytes(1, new byte[] {2})),
                Arguments.of("dt = ?", (Binder) ps -> ps.setDate(1, Date.valueOf("2024-01-01")),
                        (Binder) ps -> ps.setDate(1, Date.valueOf("2024-02-02"))),
                Arguments.of("dt = ?", (Binder) ps -> ps.setDate(1, Date.valueOf("2024-01-01"), utc),
                        (Binder) ps -> ps.setDate(1, Date.valueOf("2024-02-02"), utc)),
                Arguments.of("tm = ?", (Binder) ps -> ps.setTime(1, Time.valueOf("10:00:00")),
                        (Binder) ps -> ps.setTime(1, Time.valueOf("11:00:00"))),
                Arguments.of("ts = ?", (Binder) ps -> ps.setTimestamp(1, Timestamp.valueOf("2024-01-01 10:00:00")),
                        (Binder) ps -> ps.setTimestamp(1, Timestamp.valueOf("2024-02-02 11:00:00"))),
                Arguments.of("flag = ?", (Binder) ps -> ps.setBoolean(1, true), (Binder) ps -> ps.setBoolean(1, false)),
                Arguments.of("dt = ?", (Binder) ps -> ps.setObject(1, LocalDate.of(2024, 1, 1)),
                        (Binder) ps -> ps.setObject(1, LocalDate.of(2024, 2, 2))),
                Arguments.of("ts = ?", (Binder) ps -> ps.setObject(1, LocalDateTime.parse("2024-01-01T10:00:00")),
                        (Binder) ps -> ps.setObject(1, LocalDateTime.parse("2024-02-02T11:00:00"))),
                Arguments.of("i = ?", (Binder) ps -> ps.setObject(1, 10), (Binder) ps -> ps.setObject(1, "20", Types.INTEGER)),
                Arguments.of("s <=> ?", (Binder) ps -> ps.setNull(1, Types.VARCHAR), (Binder) ps -> ps.setString(1, "one")),
                Arguments.of("s <=> ?", (Binder) ps -> ps.setObject(1, null), (Binder) ps -> ps.setObject(1, "two")));
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("setters")
    void sameBindingIsOneQueryAnotherValueIsAnotherKey(String where, Binder first, Binder second) throws SQLException {
        try (PreparedStatement ps = app.prepareStatement("SELECT id FROM " + table + " WHERE " + where + " ORDER BY id")) {
            first.bind(ps);
            List<Integer> expected = direct(where, first);
            long before = Db.comSelect(app);
            assertThat(ids(ps)).isEqualTo(expected);
            first.bind(ps);
            assertThat(ids(ps)).isEqualTo(expected);
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
            assertThat(Db.comSelect(app) - before).isEqualTo(1);

            second.bind(ps);
            List<Integer> other = direct(where, second);
            assertThat(other).isNotEqualTo(expected);
            assertThat(ids(ps)).isEqualTo(other);
        }
    }

    @org.junit.jupiter.api.Test
    void streamsAndLobsBypassTheCacheButStillWork() throws SQLException {
        try (PreparedStatement ps = app.prepareStatement("SELECT id FROM " + table + " WHERE s = ?")) {
            ps.setCharacterStream(1, new java.io.StringReader("one"));
            assertThat(ids(ps)).containsExactly(1);
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).startsWith("bypass: ");
            ps.setBinaryStream(1, new java.io.ByteArrayInputStream("two".getBytes(StandardCharsets.UTF_8)));
            assertThat(ids(ps)).containsExactly(2);
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).startsWith("bypass: ");
            ps.clearParameters();
            ps.setString(1, "one");
            ids(ps);
            assertThat(ids(ps)).containsExactly(1);
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
        }
    }

    private static List<Integer> direct(String where, Binder binder) throws SQLException {
        try (Connection c = TestEnv.mysql();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE " + where + " ORDER BY id")) {
            binder.bind(ps);
            return ids(ps);
        }
    }

    private static List<Integer> ids(PreparedStatement ps) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }
}
