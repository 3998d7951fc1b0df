package io.sqlcache.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** Small helpers for integration tests against the real database. */
public final class Db {

    private Db() {
    }

    /** Runs statements on {@code c}, in order. */
    public static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code sql}, as a string, or null. */
    public static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * The server's own count of SELECTs run on the session of {@code c} (MariaDB's
     * {@code Com_select}), read through the real connection under the wrapper: what really
     * reached the database, independent of the driver's own counters.
     */
    public static long comSelect(Connection c) throws SQLException {
        Connection real = c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class);
        try (Statement st = real.createStatement();
                ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** A Redis key prefix no other test uses, so tests never see each other's entries. */
    public static String uniquePrefix() {
        return "sqlcache-it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** A table name no other test uses. */
    public static String uniqueTable(String stem) {
        return stem + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
