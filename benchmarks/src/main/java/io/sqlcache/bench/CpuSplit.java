package io.sqlcache.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a read's time goes, per variant, in one process: wall time, the calling thread's CPU
 * and Lettuce's I/O threads' CPU per operation, the variants interleaved round by round so that
 * each round's machine state is shared by all of them (JMH runs each variant in its own forks,
 * minutes apart; on a shared 2-core machine the round trip drifts between them by more than a
 * hit's own CPU). The first round is warm-up and not counted; the order of the variants rotates
 * from round to round, and the first tenth of each slice is not counted either (the switch from
 * the previous variant).
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.CpuSplit
 * handwritten,sqlcache-redis-hit POINT 3 6 [out.tsv]} (variants, shape, seconds per round (three times
 * that for the first), rounds,
 * and a file to append one line per variant to: shape, variant, the mean and the median over
 * the counted rounds of the round's wall µs per read, caller CPU µs, Lettuce I/O CPU µs, rounds
 * counted, and µs per read spent in the database ({@link DbTimer}, on every connection);
 * {@code run.sh} writes {@code results/interleaved.tsv} so, and {@link ReportWriter} reports it).
 */
public final class CpuSplit {

    private CpuSplit() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: CpuSplit <variant,variant,...> <POINT|RANGE|JOIN> <seconds per round> <rounds> [out.tsv]");
            System.exit(2);
        }
        String[] variants = args[0].split(",");
        long nanos = Long.parseLong(args[2]) * 1_000_000_000L;
        int rounds = Integer.parseInt(args[3]);
        if (rounds < 2) {
            throw new IllegalArgumentException("rounds: at least 2 (the first is warm-up)");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        BenchEnv.timeDatabase = true;
        ReadBenchmark[] benches = new ReadBenchmark[variants.length];
        for (int v = 0; v < variants.length; v++) {
            benches[v] = new ReadBenchmark();
            benches[v].variant = variants[v];
            benches[v].shape = args[1];
            benches[v].setUp();
        }
        double[][] sums = new double[variants.length][4];
        double[][] walls = new double[variants.length][rounds - 1];
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < variants.length; k++) {
                // the order rotates round by round: no variant always follows the same one (a
                // slice after the hits, which leave MariaDB idle for seconds, ran its joins a
                // millisecond slower than one after direct)
                int v = (k + r) % variants.length;
                // the slice's first tenth settles the switch from the last variant, uncounted
                long settle = System.nanoTime();
                while (System.nanoTime() - settle < nanos / 10) {
                    sink += benches[v].read();
                }
                Map<Long, Long> io = ioThreadCpu(threads);
                long n = 0;
                long db0 = DbTimer.nanos();
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                // the warm-up round is three slices long: the miss paths are still being
                // compiled after one (PrintCompilation), and would be measured half-compiled
                long slice = r == 0 ? 3 * nanos : nanos;
                while (System.nanoTime() - t0 < slice) {
                    sink += benches[v].read();
                    n++;
                }
                double wall = (System.nanoTime() - t0) / 1000.0 / n;
                double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1000.0 / n;
                double db = (DbTimer.nanos() - db0) / 1000.0 / n;
                long ioNanos = 0;
                for (Map.Entry<Long, Long> e : ioThreadCpu(threads).entrySet()) {
                    ioNanos += e.getValue() - io.getOrDefault(e.getKey(), 0L);
                }
                if (r > 0) {
                    walls[v][r - 1] = wall;
                    sums[v][0] += wall;
                    sums[v][1] += cpu;
                    sums[v][2] += ioNanos / 1000.0 / n;
                    sums[v][3] += db;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-24s %10s %14s %16s %12s %14s   (%s, %d rounds of %s s, first not counted; checksum %d)%n",
                "variant", "wall µs", "caller CPU µs", "Lettuce I/O µs", "database µs", "outside db µs", args[1], rounds,
                args[2], sink & 1);
        StringBuilder tsv = new StringBuilder();
        for (int v = 0; v < variants.length; v++) {
            System.out.printf(Locale.ROOT, "%-24s %10.1f %14.2f %16.2f %12.1f %14.1f%n", variants[v],
                    sums[v][0] / (rounds - 1), sums[v][1] / (rounds - 1), sums[v][2] / (rounds - 1),
                    sums[v][3] / (rounds - 1), (sums[v][0] - sums[v][3]) / (rounds - 1));
            java.util.Arrays.sort(walls[v]);
            int m = walls[v].length;
            double median = m % 2 == 1 ? walls[v][m / 2] : (walls[v][m / 2 - 1] + walls[v][m / 2]) / 2;
            tsv.append(String.format(Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.3f%n", args[1], variants[v],
                    sums[v][0] / (rounds - 1), median, sums[v][1] / (rounds - 1), sums[v][2] / (rounds - 1), rounds - 1,
                    sums[v][3] / (rounds - 1)));
            benches[v].tearDown();
        }
        if (args.length == 5) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[4]), tsv, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        System.exit(0);
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
}
