package io.sqlcache.testing;

import io.sqlcache.SqlCacheStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The snapshot invariant as a workload: money moves between the rows of two tables, one
 * transaction per transfer; readers sum both tables in REPEATABLE READ transactions, each table by
 * a statement the cache may serve or one it must refuse, in either order. Every sum must equal the
 * total. Used through the driver and through the proxy. Writers pace themselves on the readers'
 * progress (a transfer per few reader transactions), never on time.
 */
public final class Transfers {

    public static final int ROWS = 4;
    public static final int TOTAL = ROWS * 2 * 1000;

    /** How a reader opens its transactions. */
    public enum Begin {
        /** {@code setAutoCommit(false)}, as Spring and Hibernate do. */
        JDBC,
        /** {@code BEGIN} sent as text in autocommit, as sysbench and most non-Java clients do. */
        TEXT
    }

    public final String a;
    public final String b;

    public Transfers() {
        a = Db.uniqueTable("rr_a");
        b = Db.uniqueTable("rr_b");
    }

    /** Creates both tables, each row holding 1000. */
    public void create() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            for (String t : List.of(a, b)) {
                Db.exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB");
                for (int i = 0; i < ROWS; i++) {
                    Db.exec(c, "INSERT INTO " + t + " VALUES (" + i + ", 1000)");
                }
            }
        }
    }

    public void drop() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + a, "DROP TABLE IF EXISTS " + b);
        }
    }

    /** A sum the cache may serve. */
    public String cachedSum(String table) {
        return "SELECT SUM(amount) FROM " + table;
    }

    /** The same sum, which the cache refuses: it always reads the transaction's snapshot on the server. */
    public String serverSum(String table) {
        return "/* sqlcache:skip */ SELECT SUM(amount) FROM " + table;
    }

    /** One value read; its cache outcome counted when {@code outcomes} is given. */
    public static long read(Connection c, String sql, Outcomes outcomes) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            long v = rs.getLong(1);
            if (outcomes != null && st.isWrapperFor(SqlCacheStatement.class)) {
                outcomes.count(st.unwrap(SqlCacheStatement.class).lastCacheOutcome());
            }
            return v;
        }
    }

    /** Moves {@code amount} from row {@code from} of a to row {@code to} of b, in one transaction. */
    public void transfer(Connection c, int from, int to, int amount) throws SQLException {
        c.setAutoCommit(false);
        Db.exec(c, "UPDATE " + a + " SET amount = amount - " + amount + " WHERE id = " + from,
                "UPDATE " + b + " SET amount = amount + " + amount + " WHERE id = " + to);
        c.commit();
        c.setAutoCommit(true);
    }

    /** Hits and other outcomes of the readers' cacheable statements (through the driver). */
    public static final class Outcomes {
        public final AtomicLong hits = new AtomicLong();
        public final AtomicLong others = new AtomicLong();

        void count(String outcome) {
            (outcome.equals("hit") ? hits : others).incrementAndGet();
        }
    }

    /** What a run found. */
    public record Result(long broken, long failures, Outcomes outcomes) {
    }

    /**
     * Runs readers and writers until the readers have run {@code readerTxs} transactions.
     *
     * @param faults given the readers' progress, a fault to inject now (each at most once), or null
     */
    public Result run(String url, Begin begin, int readers, int writers, int readerTxs, int txsPerTransfer,
                      LongFunction<Runnable> faults) throws Exception {
        Set<Runnable> injected = ConcurrentHashMap.newKeySet();
        AtomicLong broken = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Outcomes outcomes = new Outcomes();
        Semaphore paced = new Semaphore(0);
        ExecutorService pool = Executors.newFixedThreadPool(readers + writers);
        List<Future<?>> all = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                long seed = 1000 + w;
                all.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    try (Connection c = DriverManager.getConnection(url)) {
                        while (!stop.get()) {
                            if (!paced.tryAcquire(txsPerTransfer, 100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                            try {
                                transfer(c, rnd.nextInt(ROWS), rnd.nextInt(ROWS), 1 + rnd.nextInt(50));
                            } catch (SQLException e) {
                                // a deadlock between two transfers is the database's answer, not the cache's
                                if (!"40001".equals(e.getSQLState())) {
                                    failures.incrementAndGet();
                                }
                                c.rollback();
                                c.setAutoCommit(true);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int r = 0; r < readers; r++) {
                long seed = r;
                all.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    try (Connection c = DriverManager.getConnection(url)) {
                        while (done.incrementAndGet() <= readerTxs) {
                            try {
                                if (begin == Begin.JDBC) {
                                    c.setAutoCommit(false);
                                } else {
                                    Db.exec(c, "BEGIN");
                                }
                                boolean aFirst = rnd.nextBoolean();
                                String first = aFirst ? a : b;
                                String second = aFirst ? b : a;
                                long s1 = rnd.nextInt(4) == 0 ? read(c, serverSum(first), null)
                                        : read(c, cachedSum(first), outcomes);
                                long s2 = rnd.nextInt(4) == 0 ? read(c, serverSum(second), null)
                                        : read(c, cachedSum(second), outcomes);
                                if (s1 + s2 != TOTAL) {
                                    broken.incrementAndGet();
                                }
                                if (begin == Begin.JDBC) {
                                    c.commit();
                                    c.setAutoCommit(true);
                                } else {
                                    Db.exec(c, "COMMIT");
                                }
                            } catch (SQLException e) {
                                failures.incrementAndGet();
                            }
                            paced.release();
                            Runnable fault = faults.apply(done.get());
                            if (fault != null && injected.add(fault)) {
                                fault.run();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int i = writers; i < all.size(); i++) {
                all.get(i).get(10, TimeUnit.MINUTES);
            }
            stop.set(true);
            for (int i = 0; i < writers; i++) {
                all.get(i).get(1, TimeUnit.MINUTES);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        System.out.printf("Transfers (%s): %d reader transactions, %d broken sums, %d hits, %d other cacheable reads%n",
                begin, readerTxs, broken.get(), outcomes.hits.get(), outcomes.others.get());
        return new Result(broken.get(), failures.get(), outcomes);
    }
}
