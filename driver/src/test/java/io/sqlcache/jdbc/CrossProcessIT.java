package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Invalidation is shared through Redis: a write from a second JVM is seen by the first. */
class CrossProcessIT {

    /** The second JVM: runs one write through the driver and exits 0. */
    public static final class Writer {
        public static void main(String[] args) throws SQLException {
            try (Connection c = DriverManager.getConnection(args[0])) {
                Db.exec(c, args[1]);
            }
        }
    }

    @Test
    void aWriteInAnotherJvmMakesTheNextReadFresh() throws Exception {
        TestEnv.requireRedis();
        String table = Db.uniqueTable("xp_users");
        String url = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + Db.uniquePrefix());
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + table + " VALUES (1, 'alice')");
        }
        try (Connection app = DriverManager.getConnection(url);
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1")) {
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");

            Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    Writer.class.getName(), url, "UPDATE " + table + " SET name = 'from another jvm' WHERE id = 1")
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("second JVM finished").isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("second JVM exit; output:\n" + output).isZero();

            assertThat(read(ps)).isEqualTo("from another jvm");
            assertThat(ps.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("miss");
        } finally {
            try (Connection c = TestEnv.mysql()) {
                Db.exec(c, "DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static String read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String javaBin() {
        return String.join(File.separator, List.of(System.getProperty("java.home"), "bin", "java"));
    }
}
