package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.metrics.CacheStats;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classic cache-aside example, done by the driver, against the real MariaDB and Redis:
 * {@code get_user(id)} is {@code SELECT name FROM users WHERE id = ?}.
 */
class CacheAsideIT {

    private String table;
    private String prefix;

    @BeforeEach
    void createUsers() throws SQLException {
        TestEnv.requireRedis();
        table = Db.uniqueTable("users");
        prefix = Db.uniquePrefix();
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + table + " VALUES (1, 'alice'), (2, 'bob'), (3, NULL)");
        }
    }

    @AfterEach
    void dropUsers() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private String url(String store, String extra) {
        String s = "sqlcache.prefix=" + prefix + (store.equals("redis") ? "&sqlcache.redis=" + TestEnv.REDIS_URL : "");
        return TestEnv.sqlcacheUrl(extra == null ? s : s + "&" + extra);
    }

    private String getUser(PreparedStatement ps, int id) throws SQLException {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            String name = rs.getString("name");
            assertThat(rs.next()).isFalse();
            return name;
        }
    }

    private static String outcome(Statement st) throws SQLException {
        return st.unwrap(SqlCacheStatement.class).lastCacheOutcome();
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "in-process"})
    void getUserTwiceIsOneDatabaseQueryAndAWriteMakesTheNextReadFresh(String store) throws SQLException {
        try (Connection app = DriverManager.getConnection(url(store, null));
                Connection other = DriverManager.getConnection(url(store, null));
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
            long before = Db.comSelect(app);
            assertThat(getUser(ps, 1)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("miss");
            assertThat(getUser(ps, 1)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");
            assertThat(Db.comSelect(app) - before).as("SELECTs that reached MariaDB").isEqualTo(1);

            assertThat(getUser(ps, 2)).isEqualTo("bob");
            assertThat(getUser(ps, 3)).isNull();
            assertThat(getUser(ps, 3)).isNull();
            assertThat(outcome(ps)).isEqualTo("hit");
            assertThat(Db.comSelect(app) - before).isEqualTo(3);

            try (Statement st = other.createStatement()) {
                assertThat(st.executeUpdate("UPDATE " + table + " SET name = 'alice v2' WHERE id = 1")).isEqualTo(1);
            }
            assertThat(getUser(ps, 1)).isEqualTo("alice v2");
            assertThat(outcome(ps)).isEqualTo("miss");
            assertThat(getUser(ps, 2)).as("another key of the same table").isEqualTo("bob");
            assertThat(outcome(ps)).isEqualTo("miss");
            assertThat(getUser(ps, 1)).isEqualTo("alice v2");
            assertThat(outcome(ps)).isEqualTo("hit");
            assertThat(Db.comSelect(app) - before).isEqualTo(5);

            CacheStats stats = app.unwrap(SqlCacheConnection.class).cacheStats();
            assertThat(stats.hits()).isGreaterThanOrEqualTo(3);
            assertThat(stats.misses()).isGreaterThanOrEqualTo(5);
            assertThat(stats.invalidations()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void entriesLiveAtMostTheTtlInRedis() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("redis", "sqlcache.ttl=7"));
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = ?");
                Statement hinted = app.createStatement()) {
            getUser(ps, 1);
            hinted.executeQuery("/* sqlcache:ttl=3 */ SELECT name FROM " + table + " WHERE id = 2").close();
            // the misses' SETs leave with the store's next command (RideAlong): this lookup's
            getUser(ps, 1);
        }
        List<Long> ttls = entryTtlsMillis();
        assertThat(ttls).hasSize(2);
        assertThat(ttls).allSatisfy(ttl -> assertThat(ttl).isPositive().isLessThanOrEqualTo(7_000));
        assertThat(ttls).anySatisfy(ttl -> assertThat(ttl).isLessThanOrEqualTo(3_000));
    }

    private List<Long> entryTtlsMillis() {
        RedisClient client = RedisClient.create(TestEnv.REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<Long> ttls = new ArrayList<>();
            ScanIterator<String> it = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "q:*").limit(100));
            while (it.hasNext()) {
                ttls.add(c.sync().pttl(it.next()));
            }
            return ttls;
        } finally {
            client.shutdown();
        }
    }

    @Test
    void refusalsAreVisibleWithTheirReason() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("in-process", null));
                Statement st = app.createStatement()) {
            long before = Db.comSelect(app);
            for (int i = 0; i < 2; i++) {
                st.executeQuery("SELECT name, NOW() FROM " + table + " WHERE id = 1").close();
                assertThat(outcome(st)).startsWith("bypass: ").containsIgnoringCase("now");
            }
            st.executeQuery("/* sqlcache:skip */ SELECT name FROM " + table + " WHERE id = 1").close();
            assertThat(outcome(st)).startsWith("bypass: ").contains("skip");
            st.executeQuery("SELECT name FROM " + table + " WHERE id = 1 FOR UPDATE").close();
            assertThat(outcome(st)).startsWith("bypass: ");
            assertThat(Db.comSelect(app) - before).as("every refused read reached the server").isEqualTo(4);

            SqlCacheConnection sc = app.unwrap(SqlCacheConnection.class);
            assertThat(sc.whyNotCached("SELECT RAND() FROM " + table)).isNotNull();
            assertThat(sc.whyNotCached("SELECT name FROM " + table + " WHERE id = 1")).isNull();
            assertThat(sc.cacheStats().bypasses()).isNotEmpty();

            Db.exec(app, "USE information_schema");
            assertThat(sc.whyNotCached("SELECT table_name FROM tables")).contains("system schema");
            Db.exec(app, "USE test");
            assertThat(sc.whyNotCached("SELECT name FROM " + table + " WHERE id = 1")).isNull();
        }
    }

    @Test
    void executeAndGetResultSetServeFromTheCacheWithJdbcSemantics() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("in-process", null));
                Statement st = app.createStatement()) {
            String sql = "SELECT id, name FROM " + table + " ORDER BY id";
            for (String expected : List.of("miss", "hit")) {
                assertThat(st.execute(sql)).isTrue();
                assertThat(outcome(st)).isEqualTo(expected);
                ResultSet rs = st.getResultSet();
                assertThat(rs.getStatement()).isSameAs(st);
                assertThat(st.getUpdateCount()).isEqualTo(-1);
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getInt(1) + ":" + rs.getString(2));
                }
                assertThat(names).containsExactly("1:alice", "2:bob", "3:null");
                assertThat(st.getMoreResults()).isFalse();
                assertThat(rs.isClosed()).isTrue();
                assertThat(st.getUpdateCount()).isEqualTo(-1);
                assertThat(st.getResultSet()).isNull();
            }
            assertThat(st.execute("UPDATE " + table + " SET name = 'b' WHERE id = 2")).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(1);
            assertThat(outcome(st)).isEqualTo("write");
            ResultSet fresh = st.executeQuery(sql);
            assertThat(outcome(st)).isEqualTo("miss");
            fresh.next();
            fresh.next();
            assertThat(fresh.getString("NAME")).isEqualTo("b");
        }
    }

    @Test
    void resultsOverTheRowLimitPassThroughUncachedAndComplete() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("in-process", "sqlcache.maxRows=2"));
                Statement st = app.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = st.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                        assertThat(rs.getInt(1)).isEqualTo(n);
                    }
                    assertThat(n).isEqualTo(3);
                }
                assertThat(outcome(st)).startsWith("bypass: ");
            }
        }
    }

    @Test
    void aWriteThroughAnyStatementKindInvalidates() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("in-process", null));
                PreparedStatement read = app.prepareStatement("SELECT COUNT(*) FROM " + table);
                PreparedStatement insert = app.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)");
                Statement st = app.createStatement()) {
            assertThat(count(read)).isEqualTo(3);
            insert.setInt(1, 10);
            insert.setString(2, "x");
            insert.executeUpdate();
            assertThat(count(read)).isEqualTo(4);

            for (int id = 11; id <= 12; id++) {
                insert.setInt(1, id);
                insert.setString(2, "y");
                insert.addBatch();
            }
            insert.executeBatch();
            assertThat(count(read)).isEqualTo(6);

            st.addBatch("DELETE FROM " + table + " WHERE id = 11");
            st.addBatch("DELETE FROM " + table + " WHERE id = 12");
            st.executeBatch();
            assertThat(count(read)).isEqualTo(4);

            st.executeLargeUpdate("DELETE FROM " + table + " WHERE id = 10");
            assertThat(count(read)).isEqualTo(3);
            assertThat(count(read)).isEqualTo(3);
            assertThat(outcome(read)).isEqualTo("hit");

            try (var call = app.prepareCall("{CALL " + table + "_noop()}")) {
                // the procedure does not exist: the call fails, yet it is treated as a write of anything
                call.execute();
            } catch (SQLException expected) {
                assertThat(expected.getMessage()).containsIgnoringCase("does not exist");
            }
            count(read);
            assertThat(outcome(read)).as("a CALL invalidates everything").isEqualTo("miss");

            Db.exec(app, "TRUNCATE TABLE " + table);
            assertThat(count(read)).isZero();
        }
    }

    private static long count(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void sharedAcrossDataSourcesOfTheSameStore() throws SQLException {
        io.sqlcache.SqlCacheDataSource ds1 = new io.sqlcache.SqlCacheDataSource(url("redis", null));
        io.sqlcache.SqlCacheDataSource ds2 = new io.sqlcache.SqlCacheDataSource(url("redis", "sqlcache.ttl=60"));
        try (Connection a = ds1.getConnection(); Connection b = ds2.getConnection()) {
            String q = "SELECT name FROM " + table + " WHERE id = 2";
            assertThat(Db.one(a, q)).isEqualTo("bob");
            Db.exec(b, "UPDATE " + table + " SET name = 'robert' WHERE id = 2");
            assertThat(Db.one(a, q)).isEqualTo("robert");
            assertThat(ds1.cacheStats().misses()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void whatOneHitHandsOutCannotChangeTheNextHit() throws SQLException {
        String t = Db.uniqueTable("mut");
        try (Connection app = DriverManager.getConnection(url("in-process", null));
                Statement st = app.createStatement()) {
            Db.exec(app, "CREATE TABLE " + t + " (b VARBINARY(4), ts DATETIME(3))",
                    "INSERT INTO " + t + " VALUES (X'01020304', '2024-05-06 07:08:09.123')");
            String q = "SELECT b, ts FROM " + t;
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = st.executeQuery(q)) {
                    rs.next();
                    byte[] b = rs.getBytes(1);
                    java.sql.Timestamp ts = rs.getTimestamp(2);
                    Object o = rs.getObject(1);
                    assertThat(b).containsExactly(1, 2, 3, 4);
                    assertThat(ts).isEqualTo(java.sql.Timestamp.valueOf("2024-05-06 07:08:09.123"));
                    assertThat((byte[]) o).containsExactly(1, 2, 3, 4);
                    // an application that scribbles on what it got must not poison the cache
                    b[0] = 9;
                    ((byte[]) o)[1] = 9;
                    ts.setTime(0);
                }
            }
            assertThat(outcome(st)).isEqualTo("hit");
        } finally {
            try (Connection c = TestEnv.mysql()) {
                Db.exec(c, "DROP TABLE IF EXISTS " + t);
            }
        }
    }

    @Test
    void disabledIsAPurePassThrough() throws SQLException {
        try (Connection app = DriverManager.getConnection(url("in-process", "sqlcache.enabled=false"))) {
            assertThat(app.isWrapperFor(SqlCacheConnection.class)).isFalse();
            long before = Db.comSelect(app);
            Db.one(app, "SELECT name FROM " + table + " WHERE id = 1");
            Db.one(app, "SELECT name FROM " + table + " WHERE id = 1");
            assertThat(Db.comSelect(app) - before).isEqualTo(2);
        }
    }
}
