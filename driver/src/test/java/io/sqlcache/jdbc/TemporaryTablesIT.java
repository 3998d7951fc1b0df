package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Temporary tables are never cached, and one that shadows a real table's name is never served
 * the real table's cached rows, nor the reverse: also when a stored procedure created it,
 * which the driver cannot see. Against the real MariaDB and Redis.
 */
class TemporaryTablesIT {

    private String table;
    private String proc;
    private String url;
    private String lastOutcome;

    @BeforeEach
    void setUp() throws SQLException {
        TestEnv.requireRedis();
        table = Db.uniqueTable("tmp_shadow");
        proc = table + "_mk";
        url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + Db.uniquePrefix()
                + "&sqlcache.timeoutMs=2000"); // not a store-fault test: a loaded machine must not make it flaky
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (name VARCHAR(20)) ENGINE=InnoDB",
                    "INSERT INTO " + table + " VALUES ('real')",
                    "CREATE PROCEDURE " + proc + "() BEGIN CREATE TEMPORARY TABLE " + table
                            + " (name VARCHAR(20)); INSERT INTO " + table + " VALUES ('temporary'); END");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP PROCEDURE IF EXISTS " + proc, "DROP TABLE IF EXISTS " + table);
        }
    }

    private String name(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM " + table)) {
            lastOutcome = st.unwrap(SqlCacheStatement.class).lastCacheOutcome();
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Caches the real table's row on {@code c}: the second read must be a hit. */
    private void cacheReal(Connection c) throws SQLException {
        assertThat(name(c)).isEqualTo("real");
        assertThat(name(c)).isEqualTo("real");
        assertThat(lastOutcome).isEqualTo("hit");
    }

    @Test
    void aTemporaryTableIsNotServedTheRealTablesCachedRows() throws SQLException {
        try (Connection app = DriverManager.getConnection(url)) {
            cacheReal(app);
            Db.exec(app, "CREATE TEMPORARY TABLE " + table + " (name VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES ('temporary')");
            assertThat(name(app)).isEqualTo("temporary");
            assertThat(lastOutcome).startsWith("bypass: temporary table");
            Db.exec(app, "DROP TEMPORARY TABLE " + table);
            assertThat(name(app)).isEqualTo("real");
        }
    }

    @Test
    void theRealTableIsNotServedATemporaryTablesRows() throws SQLException {
        try (Connection withTemp = DriverManager.getConnection(url);
                Connection other = DriverManager.getConnection(url)) {
            Db.exec(withTemp, "CREATE TEMPORARY TABLE " + table + " (name VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES ('temporary')");
            assertThat(name(withTemp)).isEqualTo("temporary");
            assertThat(name(withTemp)).isEqualTo("temporary");
            assertThat(lastOutcome).startsWith("bypass");
            assertThat(name(other)).isEqualTo("real");
            assertThat(name(other)).isEqualTo("real");
            assertThat(lastOutcome).isEqualTo("hit");
        }
    }

    @Test
    void aTemporaryTableCreatedByAProcedureIsNotServedTheRealRows() throws SQLException {
        try (Connection app = DriverManager.getConnection(url); Connection other = DriverManager.getConnection(url)) {
            cacheReal(other);
            cacheReal(app);
            Db.exec(app, "CALL " + proc + "()");
            assertThat(name(app)).as("the procedure's temporary table shadows the real one").isEqualTo("temporary");
            assertThat(lastOutcome).isEqualTo("bypass: temporary table " + "test." + table.toLowerCase());
            assertThat(name(app)).isEqualTo("temporary");
            // nor the reverse: the temporary rows were not stored for the real table
            assertThat(name(other)).isEqualTo("real");
        }
    }

    @Test
    void aProcedureThatCreatesNoTemporaryTableLeavesCachingOnAfterOneCheck() throws SQLException {
        try (Connection direct = TestEnv.mysql()) {
            Db.exec(direct, "CREATE PROCEDURE " + proc + "_noop() SELECT 1");
        }
        try (Connection app = DriverManager.getConnection(url)) {
            cacheReal(app);
            Db.exec(app, "CALL " + proc + "_noop()");
            assertThat(name(app)).isEqualTo("real");
            assertThat(lastOutcome).as("the CALL bumped the global epoch").isEqualTo("miss");
            assertThat(name(app)).isEqualTo("real");
            assertThat(lastOutcome).isEqualTo("hit");
        } finally {
            try (Connection direct = TestEnv.mysql()) {
                Db.exec(direct, "DROP PROCEDURE IF EXISTS " + proc + "_noop");
            }
        }
    }

    @Test
    void createTemporaryTableInsideATransactionDoesNotEndIt() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            cacheReal(reader);
            Db.exec(writer, "START TRANSACTION",
                    "CREATE TEMPORARY TABLE " + table + "_other (a INT)",
                    "UPDATE " + table + " SET name = 'committed'");
            // not committed yet: the reader sees and caches the old row
            assertThat(name(reader)).isEqualTo("real");
            assertThat(name(reader)).isEqualTo("real");
            Db.exec(writer, "COMMIT");
            assertThat(name(reader)).as("the commit, not the UPDATE before it, invalidates").isEqualTo("committed");
        }
    }
}
