package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * I6 with real MariaDB accounts: one account's cached rows are never served to another, and an
 * account without the privilege gets the server's own access-denied error, never a cached result.
 * The accounts are created here with unique names and dropped after.
 */
class UserIsolationIT {

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String RICH = "sqc_a_" + SUFFIX;
    private static final String POOR = "sqc_b_" + SUFFIX;
    private static final String COLUMNS = "sqc_c_" + SUFFIX;
    private static final String ROLE_USER = "sqc_d_" + SUFFIX;
    private static final String ROLE = "sqc_r_" + SUFFIX;
    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private static final String TABLE = Db.uniqueTable("ui_secrets");
    private static final String VIEW = Db.uniqueTable("ui_mine");

    @BeforeAll
    static void createAccounts() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, owner VARCHAR(64), secret VARCHAR(64))",
                    "INSERT INTO " + TABLE + " VALUES (1, '" + RICH + "', 'rich secret'), (2, '" + COLUMNS
                            + "', 'columns secret')",
                    // a row-level view: each account sees its own rows
                    "CREATE SQL SECURITY DEFINER VIEW " + VIEW + " AS SELECT id, secret FROM " + TABLE
                            + " WHERE owner = SUBSTRING_INDEX(USER(), '@', 1)");
            for (String user : List.of(RICH, POOR, COLUMNS, ROLE_USER)) {
                Db.exec(c, "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                        "GRANT SELECT ON test." + VIEW + " TO '" + user + "'@'%'");
            }
            Db.exec(c, "GRANT SELECT ON test." + TABLE + " TO '" + RICH + "'@'%'",
                    "GRANT SELECT (id, owner) ON test." + TABLE + " TO '" + COLUMNS + "'@'%'",
                    "CREATE ROLE " + ROLE,
                    "GRANT SELECT ON test." + TABLE + " TO " + ROLE,
                    "GRANT " + ROLE + " TO '" + ROLE_USER + "'@'%'");
        }
    }

    @AfterAll
    static void dropAccounts() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            for (String user : List.of(RICH, POOR, COLUMNS, ROLE_USER)) {
                Db.exec(c, "DROP USER IF EXISTS '" + user + "'@'%'");
            }
            Db.exec(c, "DROP ROLE IF EXISTS " + ROLE, "DROP VIEW IF EXISTS " + VIEW, "DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /** The test database's URL with another account, through sqlcache or directly. */
    private static String url(boolean cached, String user, String prefix) {
        String base = TestEnv.MYSQL_URL.contains("?") ? TestEnv.MYSQL_URL.substring(0, TestEnv.MYSQL_URL.indexOf('?'))
                : TestEnv.MYSQL_URL;
        String url = base + "?user=" + user + "&password=" + PASSWORD;
        return cached ? "jdbc:sqlcache:" + url.substring("jdbc:".length()) + "&sqlcache.prefix=" + prefix : url;
    }

    @Test
    void anAccountWithoutThePrivilegeGetsTheServersErrorNeverACachedResult() throws Exception {
        String prefix = Db.uniquePrefix();
        String query = "SELECT id, secret FROM " + TABLE + " ORDER BY id";
        try (Connection rich = DriverManager.getConnection(url(true, RICH, prefix));
                Connection poor = DriverManager.getConnection(url(true, POOR, prefix));
                Connection poorDirect = DriverManager.getConnection(url(false, POOR, prefix))) {
            assertThat(rows(rich, query)).containsExactly("1 rich secret", "2 columns secret");
            assertThat(rows(rich, query)).containsExactly("1 rich secret", "2 columns secret");
            assertThat(lastOutcome).isEqualTo("hit");

            SQLException expected = catchThrowableOfType(SQLException.class, () -> rows(poorDirect, query));
            assertThat((Throwable) expected).as("the direct read is denied").isNotNull();
            for (int i = 0; i < 2; i++) {
                SQLException actual = catchThrowableOfType(SQLException.class, () -> rows(poor, query));
                assertThat((Throwable) actual).as("the cached read is denied too").isNotNull();
                assertThat(actual.getErrorCode()).isEqualTo(expected.getErrorCode()).isEqualTo(1142);
                assertThat(actual.getSQLState()).isEqualTo(expected.getSQLState());
                assertThat(actual.getMessage()).isEqualTo(expected.getMessage());
            }
        }
    }

    @Test
    void columnPrivilegesAreTheServersToEnforce() throws Exception {
        String prefix = Db.uniquePrefix();
        String query = "SELECT id, secret FROM " + TABLE + " WHERE id = 2";
        try (Connection rich = DriverManager.getConnection(url(true, RICH, prefix));
                Connection columns = DriverManager.getConnection(url(true, COLUMNS, prefix))) {
            assertThat(rows(rich, query)).containsExactly("2 columns secret");
            assertThat(rows(rich, query)).containsExactly("2 columns secret");
            assertThat(lastOutcome).isEqualTo("hit");
            SQLException denied = catchThrowableOfType(SQLException.class, () -> rows(columns, query));
            assertThat((Throwable) denied).as("no privilege on column secret").isNotNull();
            assertThat(denied.getErrorCode()).isEqualTo(1143);
            // what it may read, it reads
            assertThat(rows(columns, "SELECT id, owner FROM " + TABLE + " WHERE id = 2")).containsExactly("2 " + COLUMNS);
        }
    }

    @Test
    void aRowLevelViewNeverServesOneAccountsRowsToAnother() throws Exception {
        String prefix = Db.uniquePrefix();
        String query = "SELECT id, secret FROM " + VIEW + " ORDER BY id";
        try (Connection rich = DriverManager.getConnection(url(true, RICH, prefix));
                Connection columns = DriverManager.getConnection(url(true, COLUMNS, prefix));
                Connection poor = DriverManager.getConnection(url(true, POOR, prefix))) {
            // the view's rows depend on USER(): the dependency model refuses to cache it at all
            // (its definition is hidden from these accounts, and would be uncacheable if shown)
            assertThat(rows(rich, query)).containsExactly("1 rich secret");
            assertThat(rows(rich, query)).containsExactly("1 rich secret");
            assertThat(lastOutcome).startsWith("bypass: ");
            assertThat(rows(columns, query)).containsExactly("2 columns secret");
            assertThat(rows(columns, query)).containsExactly("2 columns secret");
            assertThat(lastOutcome).startsWith("bypass: ");
            assertThat(rows(poor, query)).isEmpty();
            assertThat(rows(poor, query)).isEmpty();
        }
    }

    @Test
    void aRoleSetOnOneSessionIsNotLentToAnotherSessionOfTheSameAccount() throws Exception {
        String prefix = Db.uniquePrefix();
        String query = "SELECT id, secret FROM " + TABLE + " ORDER BY id";
        try (Connection withRole = DriverManager.getConnection(url(true, ROLE_USER, prefix));
                Connection withoutRole = DriverManager.getConnection(url(true, ROLE_USER, prefix))) {
            assertThat((Throwable) catchThrowableOfType(SQLException.class, () -> rows(withRole, query)))
                    .as("no role active yet").isNotNull();
            Db.exec(withRole, "SET ROLE " + ROLE);
            assertThat(rows(withRole, query)).containsExactly("1 rich secret", "2 columns secret");
            assertThat(rows(withRole, query)).containsExactly("1 rich secret", "2 columns secret");
            assertThat(lastOutcome).isEqualTo("hit");

            SQLException denied = catchThrowableOfType(SQLException.class, () -> rows(withoutRole, query));
            assertThat((Throwable) denied).as("the same account without the role must be denied").isNotNull();
            assertThat(denied.getErrorCode()).isEqualTo(1142);

            Db.exec(withRole, "SET ROLE NONE");
            assertThat((Throwable) catchThrowableOfType(SQLException.class, () -> rows(withRole, query)))
                    .as("after SET ROLE NONE the session is denied again").isNotNull();
        }
    }

    private static String lastOutcome;

    private static List<String> rows(Connection c, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
            lastOutcome = st.isWrapperFor(SqlCacheStatement.class)
                    ? st.unwrap(SqlCacheStatement.class).lastCacheOutcome() : null;
        }
        return out;
    }
}
