package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Await;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the driver asks the store, command by command, once the version keys exist (issue 5's
 * targets "miss ≤ direct + 2 round trips", "write ≤ direct + 1 round trip"): a hit is one MGET
 * (entry and versions), a miss one MGET and one SET of the entry, a write one SET per version
 * it bumps and nothing else, a transaction's writes one bump at commit. Counted by a Redis
 * server of the test's own ({@code INFO commandstats}), so nothing else talks to it; and the
 * database side by the server's own {@code Com_select}.
 */
class StoreRoundTripsIT {

    private RedisServerProcess redis;
    private String table;
    private Connection conn;

    @BeforeEach
    void setUp() throws SQLException {
        redis = RedisServerProcess.start();
        table = Db.uniqueTable("rt_items");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(20), n INT)",
                    "INSERT INTO " + table + " VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 0), (4, 'd', 0)");
        }
        conn = DriverManager.getConnection(TestEnv.sqlcacheUrl("sqlcache.redis=" + redis.uri()
                + "&sqlcache.prefix=" + Db.uniquePrefix()));
    }

    @AfterEach
    void tearDown() throws SQLException {
        try {
            if (conn != null) {
                conn.close();
            }
        } finally {
            try (Connection c = TestEnv.mysql()) {
                Db.exec(c, "DROP TABLE IF EXISTS " + table);
            } finally {
                redis.close();
            }
        }
    }

    @Test
    void aMissIsOneMgetOneSelectAndOneSetItDoesNotWaitFor() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
            assertThat(read(ps, 1)).isEqualTo("a"); // the first read creates the table's version keys
            assertThat(read(ps, 1)).isEqualTo("a"); // and its lookup follows the first miss's SET
            resetStats();
            long selects = Db.comSelect(conn);

            assertThat(read(ps, 2)).isEqualTo("b");
            assertThat(outcome(ps)).isEqualTo("miss");
            // the miss does not wait for its SET; the next lookup follows it on the store's one
            // connection, so once that hit has its reply Redis has run both
            assertThat(read(ps, 2)).isEqualTo("b");
            assertThat(outcome(ps)).isEqualTo("hit");

            assertThat(commands()).isEqualTo(Map.of("mget", 2L, "set", 1L));
            assertThat(Db.comSelect(conn) - selects).isEqualTo(1);

            resetStats();
            assertThat(read(ps, 2)).isEqualTo("b");
            assertThat(outcome(ps)).isEqualTo("hit");
            assertThat(commands()).isEqualTo(Map.of("mget", 1L));
            assertThat(Db.comSelect(conn) - selects).isEqualTo(1);
        }
    }

    @Test
    void aWriteIsOneMarkBeforeAndOneSettleAfter() throws Exception {
        try (PreparedStatement read = conn.prepareStatement("SELECT name FROM " + table + " WHERE id = ?");
                PreparedStatement write = conn.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = ?")) {
            assertThat(read(read, 1)).isEqualTo("a");
            write.setInt(1, 1);
            write.executeUpdate(); // the first write may load the schema's catalog model
            resetStats();

            write.setInt(1, 2);
            assertThat(write.executeUpdate()).isEqualTo(1);

            assertThat(outcome(write)).isEqualTo("write");
            // the table's version and the row's bucket, marked in one script and settled in another
            assertThat(roundTrips()).isEqualTo(Map.of("eval", 2L));
        }
    }

    @Test
    void aTransactionMarksAndSettlesOnceAtCommit() throws Exception {
        try (PreparedStatement write = conn.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = ?")) {
            write.setInt(1, 1);
            write.executeUpdate();
            conn.setAutoCommit(false);
            resetStats();

            for (int id = 1; id <= 3; id++) {
                write.setInt(1, id);
                write.executeUpdate();
            }
            assertThat(commands()).isEmpty();
            conn.commit();

            assertThat(roundTrips()).isEqualTo(Map.of("eval", 2L));
        }
    }

    private static String read(PreparedStatement ps, int id) throws SQLException {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String outcome(PreparedStatement ps) throws SQLException {
        return ps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
    }

    /**
     * CONFIG RESETSTAT, once the test thread's own Redis connection (ThreadLanes, named
     * {@code sqlcache-lane} as README says) is up: it
     * connects in the background after the thread's first command, and its CLIENT SETNAME must
     * not land among the commands counted.
     */
    private void resetStats() throws InterruptedException {
        Await.until(() -> redis.command("CLIENT", "LIST").contains(" name=sqlcache-lane "),
                "the test thread's lane connected");
        redis.command("CONFIG", "RESETSTAT");
    }

    /** Calls per command since the last CONFIG RESETSTAT, without the test's own INFO and CONFIG. */
    /** The commands sent, without those the write scripts run inside Redis. */
    private Map<String, Long> roundTrips() {
        Map<String, Long> calls = commands();
        calls.keySet().removeAll(java.util.Set.of("time", "get", "set", "zadd", "pexpire", "zrem", "zremrangebyscore",
                "zcard"));
        return calls;
    }

    private Map<String, Long> commands() {
        Map<String, Long> calls = new TreeMap<>();
        Matcher m = Pattern.compile("cmdstat_([a-z|_-]+):calls=(\\d+)").matcher(redis.command("INFO", "commandstats"));
        while (m.find()) {
            String command = m.group(1);
            if (!command.equals("info") && !command.startsWith("config")) {
                calls.put(command, Long.parseLong(m.group(2)));
            }
        }
        return calls;
    }
}
