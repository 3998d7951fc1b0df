package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Transactions as Spring's {@code @Transactional} runs them on a pooled connection, at the
 * server's default isolation (REPEATABLE READ): {@code setAutoCommit(false)}, the statements,
 * {@code commit()}, {@code setAutoCommit(true)}.
 * <ul>
 *   <li>{@code readOnlyTransaction}: one read of the shape, a cache hit through the driver (which
 *       first takes the transaction's snapshot: START TRANSACTION WITH CONSISTENT SNAPSHOT);</li>
 *   <li>{@code writeTransaction}: one UPDATE of a user row (the driver marks the table and the
 *       row's bucket before the COMMIT and settles them after: two Redis round trips).</li>
 * </ul>
 * Variants: {@code direct} (mysql-connector-j alone) and {@code sqlcache-redis}. One benchmark
 * method per class, as the report keys rows by class ({@link ReadTransactionBenchmark},
 * {@link WriteTransactionBenchmark}).
 * Run: {@code java -jar benchmarks/target/sqlcache-benchmarks.jar TransactionBenchmark}.
 */
@State(Scope.Thread)
public abstract class TransactionBenchmark extends BaseBenchmark {

    @Param({"direct", "sqlcache-redis"})
    public String variant;

    @Param({"POINT", "JOIN"})
    public String shape;

    private Shape s;
    private Connection conn;
    private PreparedStatement read;
    private PreparedStatement write;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchData.ensure();
        s = Shape.valueOf(shape);
        conn = variant.equals("direct") ? BenchEnv.direct()
                : BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + BenchEnv.uniquePrefix());
        read = conn.prepareStatement(s.sql);
        write = conn.prepareStatement(WriteBenchmark.UPDATE);
        for (int k = 0; k < 2 * Shape.KEYS; k++) { // every key stored, then read again
            readOnlyTransaction();
        }
        if (!variant.equals("direct")) {
            String outcome = read.unwrap(SqlCacheStatement.class).lastCacheOutcome();
            if (!"hit".equals(outcome)) {
                throw new IllegalStateException(shape + ": a read-only transaction's read was " + outcome + ", not a hit");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        conn.close();
    }

    /** One read-only transaction of one read of the shape. */
    public long readOnlyTransaction() throws Exception {
        int k = i++ & (Shape.KEYS - 1);
        conn.setAutoCommit(false);
        long sum;
        s.bind(read, k, 0);
        try (ResultSet rs = read.executeQuery()) {
            sum = s.read(rs);
        }
        conn.commit();
        conn.setAutoCommit(true);
        return sum;
    }

    /** One transaction of one UPDATE of a user row. */
    public int writeTransaction() throws Exception {
        conn.setAutoCommit(false);
        write.setInt(1, 1 + (i++ * 7919) % BenchData.USERS);
        int n = write.executeUpdate();
        conn.commit();
        conn.setAutoCommit(true);
        return n;
    }
}
