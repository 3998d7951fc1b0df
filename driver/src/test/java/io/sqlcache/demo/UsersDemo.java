package io.sqlcache.demo;

import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The hand-written cache-aside example, done by the driver: {@code get_user(id)} twice, an
 * UPDATE from another connection, and the fresh read. It prints what the cache did and how
 * many SELECTs reached the server (MariaDB's own {@code Com_select} counter).
 *
 * <p>Run with {@code bin/demo} (in-process store) or {@code bin/demo redis://127.0.0.1:6379}; a
 * second argument adds URL parameters, such as {@code sqlcache.timeoutMs=2000}.
 */
public final class UsersDemo {

    private UsersDemo() {
    }

    public static void main(String[] args) throws SQLException {
        String mysql = env("SQLCACHE_TEST_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/test?user=root&password=");
        String redis = args.length > 0 ? args[0] : null;
        String url = "jdbc:sqlcache:" + mysql.substring("jdbc:".length())
                + (redis == null ? "" : (mysql.contains("?") ? "&" : "?") + "sqlcache.redis=" + redis)
                + (mysql.contains("?") || redis != null ? "&" : "?") + "sqlcache.ttl=300"
                + (args.length > 1 ? "&" + args[1] : "");
        System.out.println("URL:   " + url);
        System.out.println("store: " + (redis == null ? "in-process (pass a redis:// URI to use Redis)" : redis));

        try (Connection app = DriverManager.getConnection(url);
                Connection admin = DriverManager.getConnection(url)) {
            try (Statement st = admin.createStatement()) {
                st.executeUpdate("DROP TABLE IF EXISTS demo_users");
                st.executeUpdate("CREATE TABLE demo_users (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL)");
                st.executeUpdate("INSERT INTO demo_users VALUES (1, 'alice'), (2, 'bob')");
            }
            try (PreparedStatement getUser = app.prepareStatement("SELECT name FROM demo_users WHERE id = ?")) {
                long before = comSelect(app);
                show("get_user(1)", getUser, 1, app, before);
                show("get_user(1)", getUser, 1, app, before);
                show("get_user(2)", getUser, 2, app, before);
                try (Statement st = admin.createStatement()) {
                    int n = st.executeUpdate("UPDATE demo_users SET name = 'alice v2' WHERE id = 1");
                    System.out.printf("%-40s %d row updated by another connection: versions bumped%n",
                            "UPDATE demo_users SET name='alice v2'", n);
                }
                show("get_user(1)", getUser, 1, app, before);
                show("get_user(1)", getUser, 1, app, before);
            }
            System.out.println("counters: " + app.unwrap(SqlCacheConnection.class).cacheStats());
            try (Statement st = admin.createStatement()) {
                st.executeUpdate("DROP TABLE demo_users");
            }
        }
    }

    private static void show(String call, PreparedStatement getUser, int id, Connection app, long before)
            throws SQLException {
        getUser.setInt(1, id);
        String name;
        try (ResultSet rs = getUser.executeQuery()) {
            name = rs.next() ? rs.getString(1) : null;
        }
        String outcome = getUser.unwrap(SqlCacheStatement.class).lastCacheOutcome();
        System.out.printf("%-40s -> %-10s [%s] SELECTs on the server so far: %d%n", call, "'" + name + "'", outcome,
                comSelect(app) - before);
    }

    /** The server's own count of SELECTs on this session: what really reached the database. */
    private static long comSelect(Connection c) throws SQLException {
        try (Statement st = c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).createStatement();
                ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
