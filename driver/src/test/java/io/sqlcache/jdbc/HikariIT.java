package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The driver as HikariCP's jdbcUrl: the way most applications will adopt it. */
class HikariIT {

    @Test
    void hikariPoolsCachingConnections() throws SQLException {
        TestEnv.requireRedis();
        String table = Db.uniqueTable("hk_users");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + table + " VALUES (1, 'alice')");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix="
                + Db.uniquePrefix()));
        config.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            for (String expected : new String[] {"miss", "hit", "hit"}) {
                try (Connection c = ds.getConnection();
                        PreparedStatement ps = c.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("alice");
                    }
                    assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo(expected);
                }
            }
            try (Connection c = ds.getConnection()) {
                Db.exec(c, "UPDATE " + table + " SET name = 'alice v2' WHERE id = 1");
            }
            try (Connection c = ds.getConnection()) {
                assertThat(Db.one(c, "SELECT name FROM " + table + " WHERE id = 1")).isEqualTo("alice v2");
                assertThat(c.unwrap(SqlCacheConnection.class).cacheStats().hits()).isGreaterThanOrEqualTo(2);
            }
        } finally {
            try (Connection c = TestEnv.mysql()) {
                Db.exec(c, "DROP TABLE IF EXISTS " + table);
            }
        }
    }
}
