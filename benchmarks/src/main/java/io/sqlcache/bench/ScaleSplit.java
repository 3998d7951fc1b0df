package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.sql.ResultSet;
import java.util.Locale;

/**
 * {@link HitScaleBenchmark}'s two trials in one process, alternating: JMH runs the 1k and the 1M
 * trial in forks of their own, minutes apart, and on a shared 2-core machine a Redis round trip
 * drifts between them by more than the 10 % the target allows. Here each fixture has a Redis
 * database of its own (1k entries in one, 1M in the other), and each round runs, slice by slice in
 * a rotated order, the driver's point hit and a raw Lettuce GET of the same entries' bytes against
 * each: the GET says what Redis itself pays for the larger keyspace, the hit what the driver adds.
 * The first round is warm-up. Wall µs per read.
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.ScaleSplit
 * [seconds per slice] [rounds] [large entries]}.
 */
public final class ScaleSplit {

    /** The Redis databases of the two fixtures: not 0, where the other benchmarks and the tests keep their keys. */
    private static final int SMALL_DB = 14;
    private static final int LARGE_DB = 15;

    private ScaleSplit() {
    }

    public static void main(String[] args) throws Exception {
        long nanos = BenchEnv.sliceNanos(args, 2);
        int rounds = BenchEnv.rounds(args, 6);
        int large = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        String[] variants = {"hit 1k", "hit " + label(large), "GET 1k", "GET " + label(large)};
        double[] micros = new double[variants.length];
        long[] counts = new long[variants.length];
        try (ScaleFixture small = new ScaleFixture(1000, SMALL_DB);
             ScaleFixture big = new ScaleFixture(large, LARGE_DB)) {
            ScaleFixture[] fixtures = {small, big, small, big};
            long sink = 0;
            int i = 0;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < variants.length; k++) {
                    int v = (k + r) % variants.length;
                    ScaleFixture f = fixtures[v];
                    long count = 0;
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < nanos) {
                        int key = i++ & (Shape.KEYS - 1);
                        if (v < 2) {
                            Shape.POINT.bind(f.point, key, 0);
                            try (ResultSet rs = f.point.executeQuery()) {
                                sink += Shape.POINT.read(rs);
                            }
                        } else {
                            sink += f.raw.sync.get(f.entryKeys.get(key % f.entryKeys.size())).length;
                        }
                        count++;
                    }
                    if (r > 0) {
                        micros[v] += (System.nanoTime() - start) / 1e3;
                        counts[v] += count;
                    }
                }
            }
            for (ScaleFixture f : fixtures) {
                if (!"hit".equals(f.point.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
                    throw new IllegalStateException("a fixture's read was not a hit");
                }
            }
            System.out.printf(Locale.ROOT, "%-10s %10s   (%d rounds of %d s slices, order rotated, first not counted;"
                    + " checksum %d)%n", "variant", "µs/read", rounds - 1, nanos / 1_000_000_000L, sink & 0xff);
            for (int v = 0; v < variants.length; v++) {
                System.out.printf(Locale.ROOT, "%-10s %10.1f%n", variants[v], micros[v] / counts[v]);
            }
            System.out.printf(Locale.ROOT, "hit %s / hit 1k: %.3f; GET %s / GET 1k: %.3f%n", label(large),
                    micros[1] / counts[1] / (micros[0] / counts[0]), label(large),
                    micros[3] / counts[3] / (micros[2] / counts[2]));
        }
    }

    private static String label(int entries) {
        return entries % 1_000_000 == 0 ? entries / 1_000_000 + "M" : entries % 1000 == 0 ? entries / 1000 + "k"
                : Integer.toString(entries);
    }
}
