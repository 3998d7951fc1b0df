package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import io.sqlcache.testing.Transfers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * REPEATABLE READ transactions through the proxy: their reads are served from the cache, and
 * every read of a transaction belongs to one snapshot ({@link Transfers}). The proxy forwards a
 * BEGIN as START TRANSACTION WITH CONSISTENT SNAPSHOT after reading the write sequence; a
 * transaction begun by autocommit off takes its snapshot with its first read.
 */
class ProxyRepeatableReadIT {

    private final Transfers transfers = new Transfers();
    private ProxyServer proxy;
    private String url;

    @BeforeEach
    void setUp() throws Exception {
        TestEnv.requireRedis();
        transfers.create();
        CacheConfig cache = ProxyTests.redisCache(Db.uniquePrefix());
        proxy = new ProxyServer(ProxyTests.config(cache)).start();
        url = ProxyTests.proxyUrl(proxy.port(), "");
    }

    @AfterEach
    void tearDown() throws Exception {
        ProxyTests.stop(proxy);
        transfers.drop();
    }

    private static Map<String, Long> status(Connection c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SQLCACHE STATUS")) {
            while (rs.next()) {
                try {
                    out.put(rs.getString(1), Long.parseLong(rs.getString(2)));
                } catch (NumberFormatException notACounter) {
                    // the store's description and the like
                }
            }
        }
        return out;
    }

    @Test
    void aBeginSentAsTextIsServedFromTheCacheFromItsFirstRead() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Connection direct = TestEnv.mysql()) {
            String sql = transfers.cachedSum(transfers.a);
            assertThat(Transfers.read(c, sql, null)).isEqualTo(Transfers.TOTAL / 2);
            Db.exec(c, "BEGIN");
            Map<String, Long> before = status(c);
            long selects = Db.comSelect(direct);
            assertThat(Transfers.read(c, sql, null)).isEqualTo(Transfers.TOTAL / 2);
            assertThat(Transfers.read(c, sql, null)).isEqualTo(Transfers.TOTAL / 2);
            Map<String, Long> after = status(c);
            Db.exec(c, "COMMIT");
            assertThat(after.get("hits") - before.get("hits")).as("hits inside the transaction").isGreaterThanOrEqualTo(1);
            assertThat(Db.comSelect(direct) - selects).as("SELECTs that reached the server").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void concurrentTransfersNeverShowATransactionTwoSnapshotsThroughTheProxy() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            Map<String, Long> before = status(c);
            Transfers.Result text = transfers.run(url, Transfers.Begin.TEXT, 3, 2, 1_000, 20, done -> null);
            Transfers.Result jdbc = transfers.run(url, Transfers.Begin.JDBC, 3, 2, 500, 20, done -> null);
            Map<String, Long> after = status(c);
            assertThat(text.broken() + jdbc.broken()).as("sums that differ from the total").isZero();
            assertThat(text.failures() + jdbc.failures()).as("failed statements").isZero();
            long hits = after.get("hits") - before.get("hits");
            long misses = after.get("misses") - before.get("misses");
            System.out.printf("ProxyRepeatableReadIT: %d hits, %d misses%n", hits, misses);
            // each reader transaction makes two reads, of which three in four are cacheable
            assertThat(hits).as("reads served from the cache, of about %d cacheable", 3 * 1_500 * 2 / 4)
                    .isGreaterThan(1_500 * 2 * 3 / 4 / 2);
        }
    }

    /**
     * The same workload through a proxy whose own Redis is frozen, resumed, killed and restarted
     * empty, each at a fifth of the readers' progress: no broken sum, no failed statement.
     */
    @Test
    void concurrentTransfersSurviveARedisFrozenThenKilledMidRun() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            CacheConfig cache = CacheConfig.parse(Map.of("sqlcache.redis", redis.uri(), "sqlcache.prefix",
                    Db.uniquePrefix(), "sqlcache.timeoutMs", "200", "sqlcache.breakerMs", "200"), k -> null);
            try (ProxyServer faulty = new ProxyServer(ProxyTests.config(cache)).start()) {
                String faultyUrl = ProxyTests.proxyUrl(faulty.port(), "");
                int readerTxs = 1_000;
                Runnable[] faults = {redis::pause, redis::resume, redis::kill, redis::restart};
                Transfers.Result r = transfers.run(faultyUrl, Transfers.Begin.TEXT, 3, 2, readerTxs, 20, done -> {
                    int step = (int) (done * 5 / readerTxs) - 1;
                    return step >= 0 && step < faults.length ? faults[step] : null;
                });
                assertThat(r.broken()).as("sums that differ from the total").isZero();
                assertThat(r.failures()).as("failed statements").isZero();
                assertThat(faulty.context().runtime().stats().hits()).as("hits before and after the faults")
                        .isPositive();
            }
        }
    }
}
