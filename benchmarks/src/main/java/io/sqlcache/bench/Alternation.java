package io.sqlcache.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The harness of the one-process tools ({@link CpuSplit}, {@link ColdRoundTrip},
 * {@link ConcurrentSplit}): variants run in alternating time slices in one JVM, so that a ratio
 * between two of them is not the drift of a shared 2-core machine between JMH forks minutes apart.
 *
 * <p>Each round runs every variant for one slice; the order rotates from round to round (slot
 * {@code k} of round {@code r} runs variant {@code (k + r) mod n}), so that no variant always
 * follows the same one (a slice pays for the switch from the previous variant). The first round
 * is warm-up and not counted; it may be several slices long ({@code warmUpSlices}), as the miss
 * paths are still being compiled after one.
 *
 * <p>A slice returns the quantities it measured (counts, µs, ns: the tool's choice, always the
 * same number of them); {@link Result} keeps them per variant and counted round, and derives
 * means over rounds, medians over rounds and ratios of totals.
 *
 * <p>Not thread-safe: one tool's main thread drives it.
 */
final class Alternation {

    /** One slice of one variant. */
    @FunctionalInterface
    interface Slice {
        /**
         * Runs {@code variant} for about {@code nanos} and returns what it measured.
         *
         * @param round 0 for the warm-up round, which is not counted
         */
        double[] run(int variant, int round, long nanos) throws Exception;
    }

    /** An operation repeated for a slice. */
    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    private final int variants;
    private final int rounds;
    private final long sliceNanos;
    private final int warmUpSlices;

    /**
     * @param variants how many variants alternate, at least 1
     * @param rounds rounds in all, at least 2: the first is warm-up
     * @param sliceNanos one slice's length
     * @param warmUpSlices the warm-up round's slice length, in slices, at least 1
     */
    Alternation(int variants, int rounds, long sliceNanos, int warmUpSlices) {
        if (variants < 1) {
            throw new IllegalArgumentException("variants: at least 1, not " + variants);
        }
        if (rounds < 2) {
            throw new IllegalArgumentException("rounds: at least 2 (the first is warm-up), not " + rounds);
        }
        if (sliceNanos <= 0 || warmUpSlices < 1) {
            throw new IllegalArgumentException("a slice must last: " + sliceNanos + " ns, warm-up x" + warmUpSlices);
        }
        this.variants = variants;
        this.rounds = rounds;
        this.sliceNanos = sliceNanos;
        this.warmUpSlices = warmUpSlices;
    }

    /** From the tools' common arguments: {@code args[0]} seconds per slice, {@code args[1]} rounds, else the defaults. */
    static Alternation fromArgs(int variants, String[] args, long seconds, int rounds) {
        return new Alternation(variants, args.length > 1 ? Integer.parseInt(args[1]) : rounds,
                (args.length > 0 ? Long.parseLong(args[0]) : seconds) * 1_000_000_000L, 1);
    }

    /** The variant that runs in {@code slot} (from 0) of {@code round}. */
    static int variantAt(int slot, int round, int variants) {
        return (slot + round) % variants;
    }

    /** A slice's length in {@code round}: the warm-up round's is {@code warmUpSlices} slices. */
    long nanos(int round) {
        return round == 0 ? warmUpSlices * sliceNanos : sliceNanos;
    }

    int rounds() {
        return rounds;
    }

    long sliceNanos() {
        return sliceNanos;
    }

    /** Runs every round, every variant once per round in rotated order. */
    Result run(Slice slice) throws Exception {
        double[][][] counted = new double[variants][][];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < variants; k++) {
                int v = variantAt(k, r, variants);
                double[] measured = slice.run(v, r, nanos(r));
                if (r > 0) {
                    if (counted[v] == null) {
                        counted[v] = new double[measured.length][rounds - 1];
                    } else if (measured.length != counted[v].length) {
                        throw new IllegalStateException("variant " + v + " measured " + measured.length
                                + " quantities, before " + counted[v].length);
                    }
                    for (int q = 0; q < measured.length; q++) {
                        counted[v][q][r - 1] = measured[q];
                    }
                }
            }
        }
        return new Result(counted);
    }

    /** Runs {@code op} until {@code nanos} have passed; returns how many times it ran. */
    static long repeat(long nanos, Op op) throws Exception {
        long n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            op.run();
            n++;
        }
        return n;
    }

    /** What every tool prints after its column names, in parentheses: how the slices ran. */
    String describe() {
        return String.format(Locale.ROOT, "%d rounds of %d s slices, order rotated, first not counted", rounds - 1,
                sliceNanos / 1_000_000_000L);
    }

    /** A ratio line as the tools print it ({@code "a / b: 1.234"}), for {@link ReportWriter} to find. */
    static String ratioLine(String numerator, String denominator, double ratio, int decimals) {
        return String.format(Locale.ROOT, "%s / %s: %." + decimals + "f", numerator, denominator, ratio);
    }

    /** What the counted rounds measured, per variant and quantity. */
    static final class Result {

        /** [variant][quantity][counted round]. */
        private final double[][][] counted;

        Result(double[][][] counted) {
            this.counted = counted;
        }

        /** The quantity's sum over the counted rounds. */
        double total(int variant, int quantity) {
            return Arrays.stream(counted[variant][quantity]).sum();
        }

        /** The quantity's mean over the counted rounds (a mean of per-round values, e.g. of rates). */
        double mean(int variant, int quantity) {
            return total(variant, quantity) / counted[variant][quantity].length;
        }

        /** The quantity's median over the counted rounds. */
        double median(int variant, int quantity) {
            double[] sorted = counted[variant][quantity].clone();
            Arrays.sort(sorted);
            int m = sorted.length;
            return m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
        }

        /**
         * One quantity's total over another's ({@code µs} over {@code operations}: the mean cost of
         * one operation over all counted slices, each slice weighted by what it did).
         */
        double per(int variant, int quantity, int perQuantity) {
            return total(variant, quantity) / total(variant, perQuantity);
        }

        /** {@code a}'s {@link #per} over {@code b}'s: how much one variant's operation costs against another's. */
        double ratio(int a, int b, int quantity, int perQuantity) {
            return per(a, quantity, perQuantity) / per(b, quantity, perQuantity);
        }

        /** The rounds counted (all but the warm-up). */
        int rounds(int variant) {
            return counted[variant][0].length;
        }
    }
}
