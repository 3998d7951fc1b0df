package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I4: the cache never causes a failure. Each test runs its own redis-server and kills, freezes
 * or never starts it, while the application keeps querying.
 */
class FailOpenIT {

    private String table;

    @BeforeEach
    void setUp() throws SQLException {
        table = Db.uniqueTable("fo_users");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + table + " VALUES (1, 'alice')");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private static String url(String redis) {
        return TestEnv.sqlcacheUrl("sqlcache.redis=" + redis + "&sqlcache.prefix=" + Db.uniquePrefix()
                + "&sqlcache.timeoutMs=200&sqlcache.breakerMs=100");
    }

    private static String read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String outcome(PreparedStatement ps) throws SQLException {
        return ps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
    }

    /** Reads until the cache serves a hit again; every read on the way must return {@code expected}. */
    private static void readUntilHit(PreparedStatement ps, String expected) throws SQLException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            assertThat(read(ps)).isEqualTo(expected);
            if ("hit".equals(outcome(ps))) {
                return;
            }
            Thread.sleep(20); // waiting for the breaker's next trial and Lettuce's reconnect, not for a race
        }
        throw new AssertionError("caching did not resume; last outcome " + outcome(ps));
    }

    @Test
    void aKilledRedisCostsNoQueryAndCachingResumesWhenItIsBack() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Connection app = DriverManager.getConnection(url(redis.uri()));
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1")) {
            read(ps);
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");

            redis.kill();
            for (int i = 0; i < 50; i++) {
                assertThat(read(ps)).isEqualTo("alice");
            }
            assertThat(outcome(ps)).isEqualTo("bypass: store unavailable");
            assertThat(app.unwrap(SqlCacheConnection.class).cacheStats().storeErrors()).isPositive();

            Db.exec(app, "UPDATE " + table + " SET name = 'bob' WHERE id = 1");
            assertThat(read(ps)).isEqualTo("bob");

            redis.restart();
            readUntilHit(ps, "bob");
        }
    }

    @Test
    void aWriteWhileRedisIsFrozenNeverLeavesAStaleEntryBehind() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Connection app = DriverManager.getConnection(url(redis.uri()));
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1")) {
            read(ps);
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");

            redis.pause();
            try {
                // the bump cannot reach Redis: the entry for 'alice' is still there, unchanged
                Db.exec(app, "UPDATE " + table + " SET name = 'carol' WHERE id = 1");
                for (int i = 0; i < 5; i++) {
                    assertThat(read(ps)).isEqualTo("carol");
                }
            } finally {
                redis.resume();
            }
            // Redis is back with the old entry still in it: the remembered bump must land first
            readUntilHit(ps, "carol");
            assertThat(app.unwrap(SqlCacheConnection.class).cacheStats().storeErrors()).isPositive();
        }
    }

    @Test
    void aRedisThatIsNeverThereIsNoProblem() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Connection app = DriverManager.getConnection(url("redis://127.0.0.1:" + port));
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1")) {
            for (int i = 0; i < 20; i++) {
                assertThat(read(ps)).isEqualTo("alice");
            }
            assertThat(outcome(ps)).isEqualTo("bypass: store unavailable");
        }
    }
}
