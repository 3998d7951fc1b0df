package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * JMH's comparisons again, the variants alternating in one process ({@link Alternation}): JMH runs
 * each variant in forks of its own, minutes apart, and on a shared 2-core machine the database
 * and Redis drift between them by more than the costs compared. Three modes:
 *
 * <ul>
 *   <li>{@code reads} ({@link ReadBenchmark}'s variants, one shape): where a read's time goes, per
 *       variant: wall time, the calling thread's CPU, Lettuce's I/O threads' CPU and the time spent
 *       in the database ({@link DbTimer}, on every connection) per read. The warm-up round is three
 *       slices long (the miss paths are still being compiled after one) and the first tenth of each
 *       slice is not counted (the switch from the previous variant). With a file, appends one line
 *       per variant to it: shape, variant, the mean and the median over the counted rounds of the
 *       round's wall µs per read, caller CPU µs, Lettuce I/O CPU µs, rounds counted, database µs
 *       ({@code run.sh} writes {@code interleaved.tsv} so; {@link ReportWriter} reads it).</li>
 *   <li>{@code writes} ({@link WriteBenchmark}'s three writes): wall µs per UPDATE of the driver's
 *       write, the same UPDATE then a raw MSET of the keys it bumps, and the UPDATE alone; then the
 *       line {@code sqlcache-write / direct-then-mset: r}.</li>
 *   <li>{@code scale} ({@link HitScaleBenchmark}'s two trials): each fixture in a Redis database of
 *       its own (1k entries in one, 1M in the other), the driver's point hit and a raw Lettuce GET
 *       of the same entries' bytes against each: the GET says what Redis itself pays for the larger
 *       keyspace, the hit what the driver adds; then the line {@code hit 1M / hit 1k: r; GET 1M / GET 1k: r}.</li>
 * </ul>
 *
 * <p>Run ({@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.CpuSplit ...}):
 * {@code [reads] handwritten,sqlcache-redis-hit POINT 3 6 [out.tsv]} (variants, shape, seconds per
 * slice, rounds; the word {@code reads} may be left out), {@code writes [seconds] [rounds]}
 * (defaults 2, 9), {@code scale [seconds] [rounds] [large entries]} (defaults 2, 6, 1000000).
 */
public final class CpuSplit {

    private CpuSplit() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (mode) {
            case "writes" -> writes(rest);
            case "scale" -> scale(rest);
            case "reads" -> reads(rest);
            // the reads' arguments without the mode word, as before the modes
            default -> reads(args);
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ reads

    private static final int WALL = 0;
    private static final int CPU = 1;
    private static final int IO = 2;
    private static final int DB = 3;

    private static void reads(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: CpuSplit [reads] <variant,variant,...> <POINT|RANGE|JOIN> <seconds per slice>"
                    + " <rounds> [out.tsv] | writes [seconds] [rounds] | scale [seconds] [rounds] [large entries]");
            System.exit(2);
        }
        String[] variants = args[0].split(",");
        String shape = args[1];
        // the warm-up round is three slices long: the miss paths are still being compiled after
        // one (PrintCompilation), and would be measured half-compiled
        Alternation alternation = new Alternation(variants.length, Integer.parseInt(args[3]),
                Long.parseLong(args[2]) * 1_000_000_000L, 3);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        BenchEnv.timeDatabase = true;
        ReadBenchmark[] benches = new ReadBenchmark[variants.length];
        for (int v = 0; v < variants.length; v++) {
            benches[v] = new ReadBenchmark();
            benches[v].variant = variants[v];
            benches[v].shape = shape;
            benches[v].setUp();
        }
        long[] sink = new long[1];
        Alternation.Result result = alternation.run((v, round, nanos) -> {
            ReadBenchmark bench = benches[v];
            // the slice's first tenth settles the switch from the last variant, uncounted (a slice
            // after the hits, which leave MariaDB idle for seconds, ran its joins a millisecond slower)
            Alternation.repeat(alternation.sliceNanos() / 10, () -> sink[0] += bench.read());
            Map<Long, Long> io = ioThreadCpu(threads);
            long db0 = DbTimer.nanos();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long n = Alternation.repeat(nanos, () -> sink[0] += bench.read());
            double wall = (System.nanoTime() - t0) / 1000.0 / n;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1000.0 / n;
            double db = (DbTimer.nanos() - db0) / 1000.0 / n;
            long ioNanos = 0;
            for (Map.Entry<Long, Long> e : ioThreadCpu(threads).entrySet()) {
                ioNanos += e.getValue() - io.getOrDefault(e.getKey(), 0L);
            }
            return new double[] {wall, cpu, ioNanos / 1000.0 / n, db};
        });
        System.out.printf(Locale.ROOT, "%-24s %10s %14s %16s %12s %14s   (%s, %d rounds of %s s, first not counted;"
                        + " checksum %d)%n", "variant", "wall µs", "caller CPU µs", "Lettuce I/O µs", "database µs",
                "outside db µs", shape, alternation.rounds(), args[2], sink[0] & 1);
        StringBuilder tsv = new StringBuilder();
        for (int v = 0; v < variants.length; v++) {
            double wall = result.mean(v, WALL);
            double db = result.mean(v, DB);
            System.out.printf(Locale.ROOT, "%-24s %10.1f %14.2f %16.2f %12.1f %14.1f%n", variants[v], wall,
                    result.mean(v, CPU), result.mean(v, IO), db, wall - db);
            tsv.append(String.format(Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.3f%n", shape, variants[v], wall,
                    result.median(v, WALL), result.mean(v, CPU), result.mean(v, IO), result.rounds(v), db));
            benches[v].tearDown();
        }
        if (args.length == 5) {
            Files.writeString(Path.of(args[4]), tsv, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** CPU time so far of each Lettuce I/O thread, by thread id. */
    private static Map<Long, Long> ioThreadCpu(ThreadMXBean threads) {
        Map<Long, Long> out = new HashMap<>();
        for (ThreadInfo t : threads.dumpAllThreads(false, false)) {
            if (t.getThreadName().startsWith("lettuce-nio") || t.getThreadName().startsWith("lettuce-epoll")) {
                out.put(t.getThreadId(), threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ writes and scale

    /** Quantities of the writes' and the scale's slices. */
    private static final int MICROS = 0;
    private static final int OPS = 1;

    private static final String[] WRITES = {"sqlcache-write", "direct-then-mset", "direct"};

    private static void writes(String[] args) throws Exception {
        Alternation alternation = Alternation.fromArgs(WRITES.length, args, 2, 9);
        BenchData.ensure();
        String prefix = BenchEnv.uniquePrefix();
        Alternation.Result result;
        try (Connection cached = BenchEnv.sqlcache("sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefix);
             Connection direct = BenchEnv.direct(); RawRedis redis = new RawRedis();
             PreparedStatement viaCache = cached.prepareStatement(WriteBenchmark.UPDATE);
             PreparedStatement viaDirect = direct.prepareStatement(WriteBenchmark.UPDATE)) {
            long[] n = new long[1];
            result = alternation.run((v, round, nanos) -> timed(nanos, () -> {
                int id = 1 + (int) (n[0]++ * 7919 % BenchData.USERS);
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
            }));
            if (!"write".equals(viaCache.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
                throw new IllegalStateException("the UPDATE did not go through the write path");
            }
            redis.deleteAll(prefix);
        }
        System.out.printf(Locale.ROOT, "%-18s %10s   (%s)%n", "variant", "µs/UPDATE", alternation.describe());
        for (int v = 0; v < WRITES.length; v++) {
            System.out.printf(Locale.ROOT, "%-18s %10.1f%n", WRITES[v], result.per(v, MICROS, OPS));
        }
        System.out.println(Alternation.ratioLine("sqlcache-write", "direct-then-mset", result.ratio(0, 1, MICROS, OPS), 2));
    }

    private static byte[] version() {
        return Long.toString(ThreadLocalRandom.current().nextLong()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The Redis databases of the scale fixtures: not 0, where the other benchmarks and the tests keep their keys. */
    private static final int SMALL_DB = 14;
    private static final int LARGE_DB = 15;

    private static void scale(String[] args) throws Exception {
        int large = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        String[] variants = {"hit 1k", "hit " + label(large), "GET 1k", "GET " + label(large)};
        Alternation alternation = Alternation.fromArgs(variants.length, args, 2, 6);
        try (ScaleFixture small = new ScaleFixture(1000, SMALL_DB);
             ScaleFixture big = new ScaleFixture(large, LARGE_DB)) {
            ScaleFixture[] fixtures = {small, big, small, big};
            long[] sink = new long[1];
            int[] i = new int[1];
            Alternation.Result result = alternation.run((v, round, nanos) -> timed(nanos, () -> {
                ScaleFixture f = fixtures[v];
                int key = i[0]++ & (Shape.KEYS - 1);
                if (v < 2) {
                    Shape.POINT.bind(f.point, key, 0);
                    try (ResultSet rs = f.point.executeQuery()) {
                        sink[0] += Shape.POINT.read(rs);
                    }
                } else {
                    sink[0] += f.raw.sync.get(f.entryKeys.get(key % f.entryKeys.size())).length;
                }
            }));
            for (ScaleFixture f : fixtures) {
                if (!"hit".equals(f.point.unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
                    throw new IllegalStateException("a fixture's read was not a hit");
                }
            }
            System.out.printf(Locale.ROOT, "%-10s %10s   (%s; checksum %d)%n", "variant", "µs/read", alternation.describe(),
                    sink[0] & 0xff);
            for (int v = 0; v < variants.length; v++) {
                System.out.printf(Locale.ROOT, "%-10s %10.1f%n", variants[v], result.per(v, MICROS, OPS));
            }
            System.out.println(Alternation.ratioLine(variants[1], variants[0], result.ratio(1, 0, MICROS, OPS), 3) + "; "
                    + Alternation.ratioLine(variants[3], variants[2], result.ratio(3, 2, MICROS, OPS), 3));
        }
    }

    /** One slice of {@code op} repeated: {µs it took, times it ran}. */
    private static double[] timed(long nanos, Alternation.Op op) throws Exception {
        long start = System.nanoTime();
        long n = Alternation.repeat(nanos, op);
        return new double[] {(System.nanoTime() - start) / 1e3, n};
    }

    private static String label(int entries) {
        return entries % 1_000_000 == 0 ? entries / 1_000_000 + "M" : entries % 1000 == 0 ? entries / 1000 + "k"
                : Integer.toString(entries);
    }
}
