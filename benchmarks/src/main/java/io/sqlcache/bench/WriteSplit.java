package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link WriteBenchmark}'s three writes in one process, alternating: JMH runs each in forks of
 * its own, minutes apart, and on a shared 2-core machine the database and Redis drift between
 * them by more than the invalidation costs. Each round runs every variant for a slice, in an
 * order rotated round by round (the first slice after another variant pays for the switch);
 * the first round is warm-up. Wall µs per UPDATE, as the application sees it.
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.WriteSplit
 * [seconds per slice] [rounds]}.
 */
public final class WriteSplit {

    private static final String[] VARIANTS = {"sqlcache-write", "direct-then-mset", "direct"};

    private WriteSplit() {
    }

    public static void main(String[] args) throws Exception {
        long nanos = BenchEnv.sliceNanos(args, 2);
        int rounds = BenchEnv.rounds(args, 9);
        BenchData.ensure();
        String prefix = BenchEnv.uniquePrefix();
        double[] micros = new double[VARIANTS.length];
        long[] counts = new long[VARIANTS.length];
        try (Connection cached = BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix);
             Connection direct = BenchEnv.direct(); RawRedis redis = new RawRedis();
             PreparedStatement viaCache = cached.prepareStatement(WriteBenchmark.UPDATE);
             PreparedStatement viaDirect = direct.prepareStatement(WriteBenchmark.UPDATE)) {
            long n = 0;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < VARIANTS.length; k++) {
                    int v = (k + r) % VARIANTS.length;
                    long count = 0;
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < nanos) {
                        int id = 1 + (int) (n++ * 7919 % BenchData.USERS);
                        if (v == 0) {
                            viaCache.setInt(1, id);
                            viaCache.executeUpdate();
                        } else {
                            viaDirect.setInt(1, id);
                            viaDirect.executeUpdate();
                            if (v == 1) {
                                // the keys the driver's bump sets (WriteBenchmark's direct-then-mset)
                                redis.sync.mset(Map.of(prefix + "v:test.bench_users", version(),
                                        prefix + "b:test.bench_users:" + id / 1024, version()));
                            }
                        }
                        count++;
                    }
                    if (r > 0) {
                        micros[v] += (System.nanoTime() - start) / 1e3;
                        counts[v] += count;
                    }
                }
            }
            if (!"write".equals(viaCache.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
                throw new IllegalStateException("the UPDATE did not go through the write path");
            }
            redis.deleteAll(prefix);
        }
        System.out.printf(Locale.ROOT, "%-18s %10s   (%d rounds of %d s slices, order rotated, first not counted)%n",
                "variant", "µs/UPDATE", rounds - 1, nanos / 1_000_000_000L);
        for (int v = 0; v < VARIANTS.length; v++) {
            System.out.printf(Locale.ROOT, "%-18s %10.1f%n", VARIANTS[v], micros[v] / counts[v]);
        }
        System.out.printf(Locale.ROOT, "sqlcache-write / direct-then-mset: %.2f%n", micros[0] / counts[0] / (micros[1] / counts[1]));
    }

    private static byte[] version() {
        return Long.toString(ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
    }
}
