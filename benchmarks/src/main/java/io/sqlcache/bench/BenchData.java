package io.sqlcache.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The generated schema in database {@code test}: {@code bench_users} (100k rows) and
 * {@code bench_orders} (1M rows, 10 per user), created once and reused while {@code bench_meta}
 * says they are complete. Generated server-side from a cross join of digits, so loading costs
 * one INSERT … SELECT per table rather than a million client round trips.
 *
 * <p>Run {@code java -cp sqlcache-benchmarks.jar io.sqlcache.bench.BenchData} to create it
 * (the run script does); {@link #ensure()} is called by every benchmark's setup as well.
 */
public final class BenchData {

    static final int USERS = 100_000;
    static final int ORDERS_PER_USER = 10;
    static final int ORDERS = USERS * ORDERS_PER_USER;
    /** Changes whenever the schema or the generator changes, so an old schema is rebuilt. */
    private static final String GENERATION = "v1 users=" + USERS + " orders=" + ORDERS;

    private static final String DIGITS = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"
            + " UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8"
            + " UNION ALL SELECT 9)";

    private BenchData() {
    }

    public static void main(String[] args) throws SQLException {
        long t0 = System.nanoTime();
        boolean created = ensure();
        System.out.printf("bench schema %s in %.1f s%n", created ? "created" : "present", (System.nanoTime() - t0) / 1e9);
    }

    /** Creates the schema unless it is complete. Idempotent; safe to call from every fork. */
    static synchronized boolean ensure() throws SQLException {
        try (Connection c = BenchEnv.direct(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bench_meta (k VARCHAR(32) PRIMARY KEY, v VARCHAR(200) NOT NULL)");
            try (ResultSet rs = st.executeQuery("SELECT v FROM bench_meta WHERE k = 'generation'")) {
                if (rs.next() && GENERATION.equals(rs.getString(1))) {
                    return false;
                }
            }
            st.execute("DELETE FROM bench_meta WHERE k = 'generation'");
            st.execute("DROP TABLE IF EXISTS bench_orders");
            st.execute("DROP TABLE IF EXISTS bench_users");
            st.execute("CREATE TABLE bench_users (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL,"
                    + " email VARCHAR(128) NOT NULL, country CHAR(2) NOT NULL, score DECIMAL(10,2) NOT NULL,"
                    + " created_at DATETIME NOT NULL, visits INT NOT NULL DEFAULT 0) ENGINE=InnoDB");
            st.execute("CREATE TABLE bench_orders (id INT PRIMARY KEY, user_id INT NOT NULL,"
                    + " amount DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL,"
                    + " KEY bench_orders_user (user_id)) ENGINE=InnoDB");
            String n5 = "SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n FROM " + DIGITS + " a, " + DIGITS
                    + " b, " + DIGITS + " c, " + DIGITS + " e, " + DIGITS + " f";
            st.execute("INSERT INTO bench_users (id, name, email, country, score, created_at)"
                    + " SELECT n + 1, CONCAT('user ', n + 1), CONCAT('user', n + 1, '@example.com'),"
                    + " ELT(1 + n % 8, 'US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA'),"
                    + " (n * 7919) % 100000 / 100, TIMESTAMP('2020-01-01') + INTERVAL n MINUTE FROM (" + n5 + ") g");
            // ten slices of 100k keep each statement's undo log small on a 128 MiB buffer pool
            for (int slice = 0; slice < ORDERS_PER_USER; slice++) {
                st.execute("INSERT INTO bench_orders (id, user_id, amount, status, created_at)"
                        + " SELECT " + slice + " * " + USERS + " + n + 1, n + 1,"
                        + " ((n + " + slice + ") * 104729) % 50000 / 100,"
                        + " ELT(1 + (n + " + slice + ") % 4, 'new', 'paid', 'shipped', 'returned'),"
                        + " TIMESTAMP('2021-01-01') + INTERVAL (n * 10 + " + slice + ") MINUTE FROM (" + n5 + ") g");
            }
            st.execute("ANALYZE TABLE bench_users, bench_orders");
            st.execute("INSERT INTO bench_meta VALUES ('generation', '" + GENERATION + "')");
            return true;
        }
    }
}
