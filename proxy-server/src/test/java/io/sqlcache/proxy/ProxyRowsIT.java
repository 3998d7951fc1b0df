package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-range versions across the proxy (text and binary protocol) and the driver: both use the
 * same bucket keys, so a point write through either keeps the other's cached reads of other
 * key ranges and invalidates those of its own range.
 */
class ProxyRowsIT {

    private static String prefix;
    private static ProxyServer proxy;
    private String t;

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
        prefix = Db.uniquePrefix();
        proxy = new ProxyServer(ProxyTests.config(ProxyTests.redisCache(prefix))).start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        ProxyTests.stop(proxy);
    }

    @BeforeEach
    void table() throws SQLException {
        t = Db.uniqueTable("prows");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + t + " VALUES (42, 'a'), (6000, 'b'), (6001, 'c')");
        }
        Dependencies.catalogChanged();
    }

    @AfterEach
    void drop() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + t);
        }
    }

    private static Connection viaProxy(boolean binary) throws SQLException {
        return DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), binary ? "useServerPrepStmts=true" : ""));
    }

    private static Connection driver() throws SQLException {
        return DriverManager.getConnection(TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL
                + "&sqlcache.prefix=" + prefix + "&sqlcache.timeoutMs=2001"));
    }

    private static long selects(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static String one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Runs the proxy read; true when the server ran no SELECT for it (a hit). */
    private static boolean hit(Connection p, PreparedStatement ps, String expected) throws SQLException {
        long before = selects(p);
        assertThat(one(ps)).isEqualTo(expected);
        return selects(p) == before;
    }

    @Test
    void binaryProxyReadsAndDriverWrites() throws SQLException {
        try (Connection p = viaProxy(true); Connection d = driver();
                PreparedStatement r = p.prepareStatement("SELECT GROUP_CONCAT(v ORDER BY id) FROM " + t + " WHERE id BETWEEN ? AND ?");
                PreparedStatement w = d.prepareStatement("UPDATE " + t + " SET v = ? WHERE id = ?")) {
            r.setInt(1, 5000);
            r.setInt(2, 9999);
            one(r);
            assertThat(hit(p, r, "b,c")).as("cached").isTrue();
            w.setString(1, "x");
            w.setInt(2, 42);
            w.executeUpdate();
            assertThat(hit(p, r, "b,c")).as("a driver write to row 42 keeps the range cached").isTrue();
            w.setString(1, "y");
            w.setInt(2, 6001);
            w.executeUpdate();
            assertThat(hit(p, r, "b,y")).as("a driver write inside the range").isFalse();
        }
    }

    @Test
    void binaryAndTextProxyWritesInvalidateDriverReads() throws SQLException {
        try (Connection p = viaProxy(true); Connection d = driver();
                PreparedStatement r = d.prepareStatement("SELECT GROUP_CONCAT(v ORDER BY id) FROM " + t + " WHERE id BETWEEN ? AND ?");
                PreparedStatement w = p.prepareStatement("UPDATE " + t + " SET v = ? WHERE id = ?")) {
            r.setInt(1, 5000);
            r.setInt(2, 9999);
            one(r);
            one(r);
            assertThat(r.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
            w.setString(1, "x");
            w.setInt(2, 42);
            w.executeUpdate();
            assertThat(one(r)).isEqualTo("b,c");
            assertThat(r.unwrap(SqlCacheStatement.class).lastCacheOutcome()).as("binary proxy write to row 42").isEqualTo("hit");
            w.setString(1, "z");
            w.setLong(2, 6000);
            w.executeUpdate();
            assertThat(one(r)).isEqualTo("z,c");
            assertThat(r.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("miss");
            try (Connection text = viaProxy(false)) {
                Db.exec(text, "UPDATE " + t + " SET v = 'q' WHERE id = 42");
                assertThat(one(r)).isEqualTo("z,c");
                assertThat(r.unwrap(SqlCacheStatement.class).lastCacheOutcome()).as("text proxy write to row 42").isEqualTo("hit");
                Db.exec(text, "UPDATE " + t + " SET v = 'r' WHERE id = 6001");
                assertThat(one(r)).isEqualTo("z,r");
                // a string-typed binary parameter: the rows are not known
                w.setString(1, "s");
                w.setString(2, "42");
                w.executeUpdate();
                one(r);
                assertThat(r.unwrap(SqlCacheStatement.class).lastCacheOutcome()).as("string key: whole table").isEqualTo("miss");
            }
        }
    }
}
