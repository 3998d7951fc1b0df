package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** I1 and I2 around transactions, against the real MariaDB and Redis. */
class TransactionIT {

    private String table;
    private String url;

    @BeforeEach
    void setUp() throws SQLException {
        TestEnv.requireRedis();
        table = Db.uniqueTable("tx_users");
        url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + Db.uniquePrefix());
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB",
                    "INSERT INTO " + table + " VALUES (1, 'alice'), (2, 'bob')");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private String name(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void uncommittedWritesAreSeenByTheirConnectionOnlyAndCommitInvalidates() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            assertThat(name(reader, 1)).isEqualTo("alice");
            assertThat(name(reader, 1)).isEqualTo("alice");

            writer.setAutoCommit(false);
            writer.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            Db.exec(writer, "UPDATE " + table + " SET name = 'alice v2' WHERE id = 1");
            assertThat(name(writer, 1)).as("I2: read your own write").isEqualTo("alice v2");
            assertThat(name(writer, 1)).isEqualTo("alice v2");
            assertThat(writer.unwrap(io.sqlcache.SqlCacheConnection.class)
                    .whyNotCached("SELECT name FROM " + table + " WHERE id = 1")).contains("written in this transaction");
            assertThat(name(reader, 1)).as("others see the committed row").isEqualTo("alice");

            long before = Db.comSelect(reader);
            writer.commit();
            assertThat(name(reader, 1)).as("I1: fresh right after commit returns").isEqualTo("alice v2");
            assertThat(Db.comSelect(reader) - before).as("the entry no longer matched: a real query").isEqualTo(1);
            writer.setAutoCommit(true);
        }
    }

    @Test
    void aDirtyReadUnderALevelSetForTheNextTransactionIsNeverStored() throws SQLException {
        // SET TRANSACTION (no SESSION) applies to the next transaction only, here the next
        // autocommit statement; the server's @@transaction_isolation does not show it
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            writer.setAutoCommit(false);
            Db.exec(writer, "UPDATE " + table + " SET name = 'ghost' WHERE id = 2");
            Db.exec(reader, "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
            assertThat(name(reader, 2)).as("the server's dirty read").isEqualTo("ghost");
            assertThat(reader.unwrap(io.sqlcache.SqlCacheConnection.class)
                    .whyNotCached("SELECT name FROM " + table + " WHERE id = 2"))
                    .as("the level applied to that statement only: later reads are cached again").isNull();
            writer.rollback();
            writer.setAutoCommit(true);
            assertThat(name(reader, 2)).as("the rolled-back row was not stored").isEqualTo("bob");
            assertThat(name(reader, 2)).isEqualTo("bob");
        }
    }

    @Test
    void aCommitMadeBySetAutocommitAsTextInvalidatesTheTransactionsWrites() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            assertThat(name(reader, 1)).isEqualTo("alice");
            assertThat(name(reader, 1)).isEqualTo("alice");
            writer.setAutoCommit(false);
            Db.exec(writer, "UPDATE " + table + " SET name = 'alice v3' WHERE id = 1");
            // the server commits here; JDBC's setAutoCommit was never called
            Db.exec(writer, "SET autocommit = 1");
            assertThat(name(reader, 1)).as("I1: the commit made by SET autocommit").isEqualTo("alice v3");
        }
    }

    @Test
    void aTransactionChainedByCommitAndChainKeepsItsWritesUntilItsOwnCommit() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            assertThat(name(reader, 2)).isEqualTo("bob");
            Db.exec(writer, "BEGIN");
            Db.exec(writer, "COMMIT AND CHAIN");
            // the chained transaction: this write is not committed when its statement returns
            Db.exec(writer, "UPDATE " + table + " SET name = 'chained' WHERE id = 2");
            assertThat(name(reader, 2)).as("not committed yet").isEqualTo("bob");
            assertThat(name(reader, 2)).isEqualTo("bob");
            Db.exec(writer, "COMMIT");
            assertThat(name(reader, 2)).as("I1: after the chained transaction's commit").isEqualTo("chained");
        }
    }

    @Test
    void rollbackLeavesTheCacheCorrect() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            writer.setAutoCommit(false);
            Db.exec(writer, "UPDATE " + table + " SET name = 'ghost' WHERE id = 2");
            assertThat(name(writer, 2)).isEqualTo("ghost");
            assertThat(name(reader, 2)).isEqualTo("bob");
            writer.rollback();
            assertThat(name(writer, 2)).isEqualTo("bob");
            writer.commit();
            assertThat(name(reader, 2)).isEqualTo("bob");
            assertThat(name(writer, 2)).isEqualTo("bob");
        }
    }

    @Test
    void sqlLevelTransactionsAreTrackedToo() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            assertThat(name(reader, 1)).isEqualTo("alice");
            Db.exec(writer, "START TRANSACTION", "UPDATE " + table + " SET name = 'carol' WHERE id = 1");
            assertThat(name(writer, 1)).isEqualTo("carol");
            assertThat(name(reader, 1)).isEqualTo("alice");
            Db.exec(writer, "COMMIT");
            assertThat(name(reader, 1)).isEqualTo("carol");

            Db.exec(writer, "BEGIN", "UPDATE " + table + " SET name = 'dave' WHERE id = 1", "ROLLBACK");
            assertThat(name(reader, 1)).isEqualTo("carol");
            assertThat(name(writer, 1)).isEqualTo("carol");
        }
    }

    @Test
    void aRepeatableReadSnapshotIsNeverServedNewerRowsFromTheCache() throws SQLException {
        try (Connection tx = DriverManager.getConnection(url);
                Connection other = DriverManager.getConnection(url)) {
            tx.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            tx.setAutoCommit(false);
            assertThat(name(tx, 1)).isEqualTo("alice");
            Db.exec(other, "UPDATE " + table + " SET name = 'eve' WHERE id = 1");
            assertThat(name(other, 1)).isEqualTo("eve");
            assertThat(name(other, 1)).isEqualTo("eve");
            // the real driver returns the snapshot's row: so must we
            assertThat(name(tx, 1)).isEqualTo("alice");
            tx.commit();
            assertThat(name(tx, 1)).isEqualTo("eve");
        }
    }

    @Test
    void readCommittedTransactionsUseTheCacheForTablesTheyDidNotWrite() throws SQLException {
        try (Connection tx = DriverManager.getConnection(url);
                Connection other = DriverManager.getConnection(url)) {
            assertThat(name(other, 2)).isEqualTo("bob");
            tx.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            tx.setAutoCommit(false);
            try (PreparedStatement ps = tx.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
                ps.setInt(1, 2);
                ps.executeQuery().close();
                assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
            }
            tx.commit();
        }
    }

    @Test
    void ddlCommitsImplicitlyAndInvalidates() throws SQLException {
        try (Connection writer = DriverManager.getConnection(url);
                Connection reader = DriverManager.getConnection(url)) {
            assertThat(name(reader, 1)).isEqualTo("alice");
            writer.setAutoCommit(false);
            Db.exec(writer, "UPDATE " + table + " SET name = 'frank' WHERE id = 1");
            // DDL on another table commits the UPDATE on the server
            String other = Db.uniqueTable("tx_other");
            Db.exec(writer, "CREATE TABLE " + other + " (x INT)");
            assertThat(name(reader, 1)).isEqualTo("frank");
            Db.exec(writer, "DROP TABLE " + other);
            writer.rollback();
        }
    }
}
