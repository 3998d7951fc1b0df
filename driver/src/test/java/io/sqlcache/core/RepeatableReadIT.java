package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import io.sqlcache.testing.Transfers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads inside REPEATABLE READ transactions are served from the cache, and every read of a
 * transaction, from the cache or from the server, is consistent with one snapshot. Money moves
 * between the rows of two tables, one transaction per transfer; a reader that sums both tables in
 * one transaction must always find the total. Against the real MariaDB and Redis.
 */
class RepeatableReadIT {

    private static final int TOTAL = Transfers.TOTAL;

    private final Transfers transfers = new Transfers();
    private final String a = transfers.a;
    private final String b = transfers.b;
    private String url;

    @BeforeEach
    void setUp() throws SQLException {
        TestEnv.requireRedis();
        url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + Db.uniquePrefix());
        transfers.create();
    }

    @AfterEach
    void tearDown() throws SQLException {
        RaceHooks.naiveRepeatableRead = false;
        transfers.drop();
    }

    private String cachedSum(String table) {
        return transfers.cachedSum(table);
    }

    private String serverSum(String table) {
        return transfers.serverSum(table);
    }

    private static long read(Connection c, String sql, Transfers.Outcomes outcomes) throws SQLException {
        return Transfers.read(c, sql, outcomes);
    }

    private void transfer(Connection c, int from, int to, int amount) throws SQLException {
        transfers.transfer(c, from, to, amount);
    }

    private static String outcome(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return st.unwrap(SqlCacheStatement.class).lastCacheOutcome();
        }
    }

    @Test
    void readsOfARepeatableReadTransactionAreHitsWhenNothingWasWritten() throws SQLException {
        try (Connection reader = DriverManager.getConnection(url)) {
            assertThat(read(reader, cachedSum(a), null)).isEqualTo(TOTAL / 2); // fills the entry
            reader.setAutoCommit(false);
            reader.setReadOnly(true);
            assertThat(reader.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
            assertThat(outcome(reader, cachedSum(a))).isEqualTo("hit");
            assertThat(outcome(reader, cachedSum(b))).as("a miss inside the transaction").isEqualTo("miss");
            reader.commit();
            assertThat(outcome(reader, cachedSum(b))).as("stored by the transaction: nothing was written since its snapshot")
                    .isEqualTo("hit");
            reader.setReadOnly(false);
            reader.setAutoCommit(true);
        }
    }

    @Test
    void aHitAndALaterServerReadOfTheSameTransactionBelongToOneSnapshot() throws SQLException {
        try (Connection reader = DriverManager.getConnection(url); Connection writer = DriverManager.getConnection(url)) {
            read(reader, cachedSum(a), null);
            reader.setAutoCommit(false);
            long sumA = read(reader, cachedSum(a), null);
            assertThat(reader.unwrap(SqlCacheConnection.class).cacheStats().hits()).isEqualTo(1);
            // a transfer commits between the transaction's hit and its next read
            transfer(writer, 0, 0, 7);
            long sumB = read(reader, serverSum(b), null);
            assertThat(sumA + sumB).as("the server read belongs to the snapshot the hit did").isEqualTo(TOTAL);
            reader.commit();
            reader.setAutoCommit(true);
        }
    }

    @Test
    void anEntryFilledAfterTheSnapshotIsNotServedAndANaiveBuildWouldHave() throws SQLException {
        assertThat(brokenSumsWhenAnEntryIsRefilledMidTransaction()).as("the real rule").isZero();
        RaceHooks.naiveRepeatableRead = true;
        // the same interleaving, served as READ COMMITTED would be: this test would catch it
        assertThat(brokenSumsWhenAnEntryIsRefilledMidTransaction()).as("REPEATABLE READ served as READ COMMITTED")
                .isEqualTo(1);
    }

    /** One reader transaction: server read of b, a transfer, a refill of a's entry, then a's cacheable read. */
    private int brokenSumsWhenAnEntryIsRefilledMidTransaction() throws SQLException {
        try (Connection reader = DriverManager.getConnection(url); Connection writer = DriverManager.getConnection(url);
                Connection filler = DriverManager.getConnection(url)) {
            reader.setAutoCommit(false);
            long sumB = read(reader, serverSum(b), null);
            transfer(writer, 1, 1, 3);
            read(filler, cachedSum(a), null); // autocommit: stores the entry after the transfer
            assertThat(outcome(filler, cachedSum(a))).isEqualTo("hit");
            long sumA = read(reader, cachedSum(a), null);
            reader.commit();
            reader.setAutoCommit(true);
            return sumA + sumB == TOTAL ? 0 : 1;
        }
    }

    @Test
    void aTransactionThatWroteFirstTakesItsSnapshotAtItsFirstReadThenHits() throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            read(c, cachedSum(a), null);
            c.setAutoCommit(false);
            Db.exec(c, "UPDATE " + b + " SET amount = amount + 0 WHERE id = 3");
            assertThat(outcome(c, cachedSum(a))).as("the snapshot is taken on the server")
                    .isEqualTo("bypass: transaction snapshot taken before the cache could see it");
            assertThat(outcome(c, cachedSum(a))).isEqualTo("hit");
            assertThat(outcome(c, cachedSum(b))).isEqualTo("bypass: table written in this transaction");
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void serializableAndLockingReadsStillGoToTheServer() throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            read(c, cachedSum(a), null);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setAutoCommit(false);
            assertThat(outcome(c, cachedSum(a))).isEqualTo("bypass: transaction snapshot (SERIALIZABLE)");
            c.commit();
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertThat(outcome(c, cachedSum(a) + " FOR UPDATE")).startsWith("bypass: ");
            c.commit();
            c.setAutoCommit(true);
        }
    }

    /**
     * Writers move money between the two tables, one transaction per transfer, through sqlcache;
     * readers sum both tables in REPEATABLE READ transactions, each table by a statement the cache
     * serves or one it must refuse, in either order. No sum may differ from the total, and most
     * cacheable reads must be hits. Writers pace themselves on the readers' progress (a transfer
     * per few reader transactions), not on time. {@code -Dsqlcache.longTests=true} runs longer.
     */
    @Test
    void concurrentTransfersNeverShowATransactionTwoSnapshots() throws Exception {
        int readerTxs = Boolean.getBoolean("sqlcache.longTests") ? 20_000 : 1_500;
        Transfers.Result r = transfers.run(url, Transfers.Begin.JDBC, 3, 2, readerTxs, 20, done -> null);
        assertThat(r.broken()).as("sums that differ from the total").isZero();
        assertThat(r.failures()).as("failed statements").isZero();
        assertThat(r.outcomes().hits.get()).as("cacheable reads served from the cache: %s of %s", r.outcomes().hits.get(),
                r.outcomes().hits.get() + r.outcomes().others.get())
                .isGreaterThan(r.outcomes().others.get());
    }

    /**
     * The same run while its own Redis is frozen (SIGSTOP) and later killed and restarted empty,
     * each at a point of the readers' progress: no broken sum, no failed statement.
     */
    @Test
    void concurrentTransfersSurviveARedisFrozenThenKilledMidRun() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            url = TestEnv.sqlcacheUrl("sqlcache.redis=" + redis.uri() + "&sqlcache.prefix=" + Db.uniquePrefix()
                    + "&sqlcache.timeoutMs=200&sqlcache.breakerMs=200");
            int readerTxs = 1_500;
            Runnable[] faults = {redis::pause, redis::resume, redis::kill, redis::restart};
            Transfers.Result r = transfers.run(url, Transfers.Begin.JDBC, 3, 2, readerTxs, 20, done -> {
                // a fault at each fifth of the readers' progress
                int step = (int) (done * 5 / readerTxs) - 1;
                return step >= 0 && step < faults.length ? faults[step] : null;
            });
            assertThat(r.broken()).as("sums that differ from the total").isZero();
            assertThat(r.failures()).as("failed statements").isZero();
            assertThat(r.outcomes().hits.get()).as("hits before and after the faults").isPositive();
        }
    }

    @Test
    void theConcurrentTestCatchesANaiveBuild() throws Exception {
        RaceHooks.naiveRepeatableRead = true;
        Transfers.Result r = transfers.run(url, Transfers.Begin.JDBC, 3, 2, 1_500, 8, done -> null);
        assertThat(r.broken()).as("broken sums with REPEATABLE READ served as READ COMMITTED").isPositive();
    }

}
