package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.testing.Await;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
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
 * The proxy with Redis keeps a Redis connection on each of its event loops, so that a lookup
 * made on a loop completes there. Nothing else fails when those connections are off (every
 * call then hops to Lettuce's I/O thread and back), which is how a Netty upgrade once could
 * turn them off unnoticed: this test is the one that fails then.
 */
class ProxyStoreOnLoopsIT {

    private ProxyServer proxy;
    private String table;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireRedis();
        table = Db.uniqueTable("proxy_loops");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'one')");
        }
        proxy = new ProxyServer(ProxyTests.config(ProxyTests.redisCache(Db.uniquePrefix()))).start();
    }

    @AfterEach
    void stop() throws Exception {
        ProxyTests.stop(proxy);
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void everyEventLoopHasAConnectionToRedisAndQueriesAreServedWithThem() throws Exception {
        int loops = proxy.context().config().eventLoops();
        String expected = ", event-loop connections " + loops + " (" + loops + " connected)";
        // each loop's connection is made as the proxy starts, without waiting for traffic
        Await.until(() -> proxy.context().runtime().store().describe().contains(expected),
                "a connection on each of " + loops + " event loops, store: " + proxy.context().runtime().store().describe());

        try (Connection c = DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), ""))) {
            String sql = "SELECT v FROM " + table + " WHERE id = 1";
            assertThat(Db.one(c, sql)).isEqualTo("one");
            assertThat(Db.one(c, sql)).isEqualTo("one");
            Map<String, String> status = status(c);
            // what an operator sees: the same line
            assertThat(status.get("store")).contains(expected);
            // the miss stored the entry, the hit read it back: through the loop's connection, now up
            assertThat(Long.parseLong(status.get("hits"))).isEqualTo(1);
            assertThat(Long.parseLong(status.get("store_errors"))).isZero();
        }
    }

    private static Map<String, String> status(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SQLCACHE STATUS")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}
