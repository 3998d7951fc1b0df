package io.sqlcache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Turns a run's raw outputs into {@code REPORT.md} (the targets' verdicts first, then the numbers
 * behind them, short enough to read in a minute) and {@code latency.png} (latency per variant
 * and shape, log scale). Plain Java2D: no charting dependency.
 *
 * <p>Usage: {@code ReportWriter <jmh-result.json[.gz]> <report-dir> [<before.json[.gz]>]}. The
 * one-process tools' outputs ({@code interleaved.tsv}, {@code *-interleaved.txt},
 * {@code cold-round-trip.txt}, {@code concurrent-*.txt}, {@code load.txt}) are read from the JSON's
 * directory, where {@code run.sh} writes them ({@code benchmarks/target/results/}, never
 * committed); the report and the chart go to {@code report-dir} ({@code benchmarks/results/}). The
 * baseline, when given, adds the changes against it.
 */
public final class ReportWriter {

    /** One benchmark trial: mean, median and p99 in µs, allocation in bytes per operation. */
    record Row(String bench, String shape, String variant, double mean, double error, double p50, double p99,
               double alloc, long samples) {
        String key() {
            return bench + "|" + shape + "|" + variant;
        }
    }

    static final List<String> READ_VARIANTS = List.of("direct", "handwritten", "sqlcache-redis-hit",
            "sqlcache-redis-hit-park", "sqlcache-redis-hit-cold", "sqlcache-local-hit", "sqlcache-miss",
            "handwritten-miss", "floor");
    static final List<String> SHAPES = List.of("POINT", "RANGE", "JOIN");

    /** Changes against the previous run smaller than this share are not listed: the machine drifts by as much. */
    static final double NOTABLE_CHANGE = 0.10;

    private ReportWriter() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReportWriter <jmh-result.json[.gz]> <report-dir> [<before.json[.gz]>]");
            System.exit(2);
        }
        Path json = Path.of(args[0]).toAbsolutePath();
        Path raw = json.getParent();
        Map<String, Row> rows = read(json);
        Map<String, Row> baseline = args.length > 2 && Files.exists(Path.of(args[2])) ? read(Path.of(args[2])) : null;
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        String md = markdown(rows, baseline);
        // the same targets measured by the tools run after JMH, each under JMH's own row
        Row get = get(rows, "RoundTripBenchmark", "", "get");
        double rtt = get == null ? Double.NaN : get.mean;
        md = underRow(md, "| " + SCALE_TARGET + " |", scaleSplitRow(text(raw, "scale-interleaved.txt")));
        String cold = text(raw, "cold-round-trip.txt");
        md = underRow(md, "| " + WRITE_TARGET + " |", writeSplitRows(text(raw, "write-interleaved.txt"), cold, rtt));
        md = underRow(md, "| " + MISS_TARGET + " | JOIN |", joinFloorRow(cold, rtt));
        // this run's one-process sections go before the comparison with the previous run
        StringBuilder sections = new StringBuilder();
        Path interleaved = raw.resolve("interleaved.tsv");
        if (Files.exists(interleaved)) {
            sections.append(interleaved(Files.readAllLines(interleaved)));
        }
        StringBuilder tools = new StringBuilder();
        for (String[] t : TEXT_SECTIONS) {
            String text = text(raw, t[0]);
            if (t.length > 3) {
                // a long output: only its heading and the lines that say the result
                text = text.lines().filter(l -> l.contains(t[3]) || l.contains("threads")).reduce("", (a, b) -> a + b + "\n");
            }
            if (!text.isBlank()) {
                tools.append(textSection(t[1], t[2], t[0], text));
            }
        }
        if (!tools.isEmpty()) {
            sections.append("\n## The other one-process tools\n").append(tools);
        }
        int before = md.indexOf("\n## Before and after");
        md = before < 0 ? md + sections : md.substring(0, before) + sections + md.substring(before);
        md += "\n## Machine\n\n" + machine();
        String load = text(raw, "load.txt");
        if (!load.isBlank()) {
            // other work on the machine shows in the tails: say how loaded it was
            md += "\nLoad average (1, 5, 15 min) around the run, from `/proc/loadavg`:\n\n```\n" + load.strip() + "\n```\n";
        }
        Files.writeString(out.resolve("REPORT.md"), md);
        chart(rows, out.resolve("latency.png"));
        System.out.println("wrote " + out.resolve("REPORT.md") + " and " + out.resolve("latency.png"));
    }

    static Map<String, Row> read(Path json) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        JsonNode all;
        // run.sh keeps the raw JSON gzipped (sample-time histograms make it ~12 MB, ~1 MB gzipped)
        try (InputStream in = json.getFileName().toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(json)) : Files.newInputStream(json)) {
            all = new ObjectMapper().readTree(in);
        }
        for (JsonNode b : all) {
            String name = b.get("benchmark").asText();
            String[] parts = name.split("\\.");
            String bench = parts[parts.length - 2];
            JsonNode params = b.path("params");
            String shape = params.path("shape").asText(params.path("entries").asText(""));
            String variant = params.path("variant").asText("");
            JsonNode m = b.get("primaryMetric");
            JsonNode pct = m.path("scorePercentiles");
            double alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score").asDouble(Double.NaN);
            long samples = 0;
            for (JsonNode fork : m.path("rawDataHistogram")) {
                for (JsonNode iteration : fork) {
                    for (JsonNode bin : iteration) {
                        samples += bin.get(1).asLong();
                    }
                }
            }
            Row r = new Row(bench, shape, variant, m.get("score").asDouble(), m.path("scoreError").asDouble(Double.NaN),
                    pct.path("50.0").asDouble(Double.NaN), pct.path("99.0").asDouble(Double.NaN), alloc, samples);
            rows.put(r.key(), r);
        }
        return rows;
    }

    private static Row get(Map<String, Row> rows, String bench, String shape, String variant) {
        return rows.get(bench + "|" + shape + "|" + variant);
    }

    // ------------------------------------------------------------------ markdown

    static String markdown(Map<String, Row> rows, Map<String, Row> baseline) {
        StringBuilder md = new StringBuilder();
        md.append("# sqlcache benchmarks\n\n");
        md.append("One run of `benchmarks/run.sh`: the JMH suite (two forks per variant), then the same comparisons")
                .append(" with the variants alternating in one process (`CpuSplit`, `ColdRoundTrip`, `ConcurrentSplit`),")
                .append(" which a shared machine's drift between forks does not blur. Times in µs per operation: the mean")
                .append(" and the median (p50) of JMH's sample-time mode. The raw outputs stay in `benchmarks/target/results/`")
                .append(" (not committed); why the suite measures what it does: [DECISIONS.md](../DECISIONS.md).\n\n");
        md.append("![latency per variant and shape](latency.png)\n");
        // the verdicts first: what a reader comes for
        md.append("\n## Targets (ratios from this run)\n\n");
        md.append("Each ratio on means and on medians: on a 2-core machine shared with other work the mean carries the")
                .append(" scheduler's tail, the median shows the steady cost. Under a JMH row, the same target from a")
                .append(" one-process tool, and where a bound adds round trips measured back to back, what a bare socket")
                .append(" paid for one right after the statement (above 1: no client could meet the bound that day).\n\n");
        md.append("| target | shape | on means | on medians | verdict (means / medians) |\n|---|---|---:|---:|---|\n");
        Row rtt = get(rows, "RoundTripBenchmark", "", "get");
        for (String shape : SHAPES) {
            readTargets(md, shape, v -> {
                Row r = get(rows, "ReadBenchmark", shape, v);
                return r == null ? null : new double[] {r.mean, r.p50};
            }, rtt == null ? null : new double[] {rtt.mean, rtt.p50});
        }
        if (rtt != null) {
            Row w = get(rows, "WriteBenchmark", "", "sqlcache-write");
            Row wd = get(rows, "WriteBenchmark", "", "direct");
            if (w != null && wd != null) {
                ratio(md, WRITE_TARGET, "UPDATE",
                        w.mean / (wd.mean + 2 * rtt.mean), w.p50 / (wd.p50 + 2 * rtt.p50), 1.0, true);
            }
            transactionTargets(md, rows, rtt);
            Row wm = get(rows, "WriteBenchmark", "", "direct-then-mset");
            if (w != null && wm != null) {
                ratio(md, "write ≤ direct then a raw MSET, measured in sequence (floor; not in the issue)", "UPDATE",
                        w.mean / wm.mean, w.p50 / wm.p50, 1.0, true);
            }
        }
        Row k1 = get(rows, "HitScaleBenchmark", "1000", "");
        Row m1 = get(rows, "HitScaleBenchmark", "1000000", "");
        if (k1 != null && m1 != null) {
            ratio(md, SCALE_TARGET, "POINT", m1.mean / k1.mean, m1.p50 / k1.p50, 1.10, true);
        }
        Row i10 = get(rows, "InvalidationScaleBenchmark", "10", "");
        Row i100k = get(rows, "InvalidationScaleBenchmark", "100000", "");
        if (i10 != null && i100k != null) {
            ratio(md, "invalidation with 100k entries ≤ 1.10 × with 10", "UPDATE", i100k.mean / i10.mean,
                    i100k.p50 / i10.p50, 1.10, true);
        }
        Row seen = get(rows, "LiteralBenchmark", "", "seen-text");
        Row fresh = get(rows, "LiteralBenchmark", "", "new-literal");
        Row parse = get(rows, "LiteralBenchmark", "", "full-parse");
        Row pointHit = get(rows, "ReadBenchmark", "POINT", "sqlcache-redis-hit");
        if (seen != null && fresh != null && parse != null) {
            md.append(String.format(Locale.ROOT, "%nA never-seen literal: analysing it costs %s µs (median %s) by its"
                            + " shape, against %s µs (median %s) for a full JSqlParser parse and %s µs for a text seen before.",
                    f(fresh.mean), f(fresh.p50), f(parse.mean), f(parse.p50), f(seen.mean)));
            if (pointHit != null) {
                md.append(String.format(Locale.ROOT, " A Redis hit of the point read with a never-seen literal therefore"
                        + " costs about %s µs (hit %s + shape %s), where it cost %s µs with a parse.",
                        f(pointHit.mean + fresh.mean - seen.mean), f(pointHit.mean), f(fresh.mean - seen.mean),
                        f(pointHit.mean + parse.mean - seen.mean)));
            }
            md.append('\n');
        }
        md.append("\n## Reads: mean µs (p50), JMH\n\n| variant |");
        List<String> shapes = SHAPES.stream().filter(sh -> READ_VARIANTS.stream()
                .anyMatch(v -> get(rows, "ReadBenchmark", sh, v) != null)).toList();
        for (String shape : shapes) {
            md.append(' ').append(shape).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(shapes.size())).append('\n');
        for (String v : READ_VARIANTS) {
            StringBuilder line = new StringBuilder("| " + v + " |");
            boolean any = false;
            for (String shape : shapes) {
                Row r = get(rows, "ReadBenchmark", shape, v);
                any |= r != null;
                line.append(r == null ? " - |" : " " + f(r.mean) + " (" + f(r.p50) + ") |");
            }
            if (any) {
                md.append(line).append('\n');
            }
        }
        md.append("\n## Other benchmarks, JMH\n\n| benchmark | parameter | mean µs | p50 µs | alloc B/op |\n");
        md.append("|---|---|---:|---:|---:|\n");
        for (Row r : rows.values()) {
            if (!r.bench.equals("ReadBenchmark")) {
                String param = (r.shape + " " + r.variant).trim();
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.bench, param.isEmpty() ? "-" : param,
                        f(r.mean), f(r.p50), bytes(r.alloc)));
            }
        }
        if (baseline != null) {
            md.append("\n## Before and after\n\n");
            md.append(String.format(Locale.ROOT, "Against the previous full run of the suite (`before.json.gz`, kept by"
                    + " `run.sh`), the means that moved by %d %% or more; the machine alone moves some by as much.%n%n",
                    Math.round(NOTABLE_CHANGE * 100)));
            md.append("| benchmark | parameters | before mean | after mean | change |\n|---|---|---:|---:|---:|\n");
            int listed = 0;
            for (Row b : baseline.values()) {
                Row a = rows.get(b.key());
                if (a != null && Math.abs(a.mean / b.mean - 1) >= NOTABLE_CHANGE) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %+.0f %% |%n", b.bench,
                            (b.shape + " " + b.variant).trim(), f(b.mean), f(a.mean), 100 * (a.mean / b.mean - 1)));
                    listed++;
                }
            }
            if (listed == 0) {
                md.append("| (none) | | | | |\n");
            }
        }
        return md.toString();
    }

    private static final String SCALE_TARGET = "hit with 1M entries ≤ 1.10 × with 1k";
    /** A write marks what it writes before it runs and settles it after: two round trips. */
    private static final String WRITE_TARGET = "write ≤ direct + 2 round trips (ratio to that bound)";
    private static final String MISS_TARGET = "miss ≤ direct + 2 round trips (ratio to that bound)";

    /** A tool's text output in {@code out}, or "" when it did not run. */
    private static String text(Path out, String file) throws java.io.IOException {
        Path p = out.resolve(file);
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** {@code md} with {@code rows} inserted after the first line that starts with {@code prefix}; as it was when either is missing. */
    static String underRow(String md, String prefix, String rows) {
        int at = md.indexOf("\n" + prefix);
        if (rows == null || rows.isEmpty() || at < 0) {
            return md;
        }
        int end = md.indexOf('\n', at + 1) + 1;
        return md.substring(0, end) + rows + md.substring(end);
    }

    /**
     * Number {@code column} (from 0) of the numbers that follow {@code label} on the first line of
     * {@code text} that is that label and numbers only; NaN when there is none.
     */
    private static double numberAfter(String text, String label, int column) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(label)
                + "((?:\\s+[0-9.]+)+)\\s*$").matcher(text);
        if (!m.find()) {
            return Double.NaN;
        }
        String[] numbers = m.group(1).trim().split("\\s+");
        return column < numbers.length ? Double.parseDouble(numbers[column]) : Double.NaN;
    }

    /**
     * The write target from the output of {@link CpuSplit} writes (the driver's UPDATE and the UPDATE alone,
     * alternating), and what {@link ColdRoundTrip} says the machine allows: a bare-socket MSET right
     * after the UPDATE against the round trip {@code rtt} (JMH's GET). Null when neither ran.
     */
    static String writeSplitRows(String writeSplit, String coldRoundTrip, double rtt) {
        StringBuilder rows = new StringBuilder();
        double write = numberAfter(writeSplit, "sqlcache-write", 0);
        double direct = numberAfter(writeSplit, "direct", 0);
        if (!Double.isNaN(write) && !Double.isNaN(direct) && !Double.isNaN(rtt)) {
            rows.append(row(WRITE_TARGET + ", alternating in one process (`CpuSplit writes`; on means only)", "UPDATE",
                    write / (direct + 2 * rtt), 1.0));
        }
        double socket = numberAfter(coldRoundTrip, "update", 2);
        if (!Double.isNaN(socket) && !Double.isNaN(rtt)) {
            rows.append(floorRow("the bound against the machine: a bare-socket MSET right after the UPDATE ÷ 1 round"
                    + " trip (`ColdRoundTrip`)", "UPDATE", socket / rtt));
        }
        return rows.isEmpty() ? null : rows.toString();
    }

    /**
     * What {@link ColdRoundTrip} says the machine allows a join miss: a bare-socket MSET right after
     * the join against its two round trips {@code rtt} (JMH's GET). Null when it did not run.
     */
    static String joinFloorRow(String coldRoundTrip, double rtt) {
        double socket = numberAfter(coldRoundTrip, "join", 2);
        if (Double.isNaN(socket) || Double.isNaN(rtt)) {
            return null;
        }
        return floorRow("the bound against the machine: a bare-socket MSET right after the join ÷ 2 round trips"
                + " (`ColdRoundTrip`)", "JOIN", socket / (2 * rtt));
    }

    /**
     * A row that checks a bound rather than the driver: what no client can beat on this machine
     * today, over the target's allowance. Above 1, the bound is below what the machine allows.
     */
    private static String floorRow(String what, String shape, double ratio) {
        return String.format(Locale.ROOT, "| %s | %s | %s | - | %s |%n", what, shape, twoPlaces(ratio),
                ratio > 1 ? "**the bound is below the machine's floor**" : "the bound is above it");
    }

    /** A targets-table row of one ratio on means, none on medians. */
    private static String row(String target, String shape, double onMeans, double bound) {
        return String.format(Locale.ROOT, "| %s | %s | %s | - | %s / - |%n", target, shape, twoPlaces(onMeans),
                pass(onMeans, bound, true));
    }

    /**
     * The hit-scale target's row of the targets table from the output of {@link CpuSplit} scale (its
     * "hit 1M / hit 1k: r" line), on means only; null when the text has no such line.
     */
    static String scaleSplitRow(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("hit 1M / hit 1k: ([0-9.]+)").matcher(text);
        if (!m.find()) {
            return null;
        }
        return row(SCALE_TARGET + ", alternating in one process (`CpuSplit scale`; on means only)", "POINT",
                Double.parseDouble(m.group(1)), 1.10);
    }

    /** The plain-text outputs of run.sh's other tools: file, heading, what it measures. */
    /**
     * The plain-text outputs of run.sh's other tools: file, heading, what it measures, and for a
     * long output the text of the lines that say its result (the others stay in the raw file).
     */
    private static final String[][] TEXT_SECTIONS = {
        {"write-interleaved.txt", "Writes (`CpuSplit writes`)",
            "The driver's UPDATE with its bump, the same UPDATE then a raw MSET of the same keys, the UPDATE alone."},
        {"cold-round-trip.txt", "A round trip after a statement (`ColdRoundTrip`)",
            "An MSET right after other work (a statement, a spin, a sleep) against back to back, through Lettuce and"
                + " a bare socket, and the statement's own time."},
        {"scale-interleaved.txt", "Hit scale (`CpuSplit scale`)",
            "The point hit with 1k and with 1M entries, each in a Redis database of its own, beside a raw GET in each."},
        {"concurrent-hits.txt", "Many threads: the hit's spin against parking (`ConcurrentSplit hits`)",
            "Threads each doing some CPU work then a point hit: requests per second of the spinning driver over the"
                + " parked one and over the spinning one on Lettuce's shared connection.", "requests/s:"},
        {"concurrent-misses.txt", "Many threads missing: the lanes' daemon thread (`ConcurrentSplit misses`)",
            "Threads each running point misses, with the lanes and on Lettuce's shared connection only: misses per"
                + " second, CPU per miss, and the lanes' daemon thread's share."},
    };

    /** A section that shows one tool's text output as it printed it. */
    static String textSection(String heading, String what, String file, String text) {
        return "\n### " + heading + "\n\n" + what + " Raw: `target/results/" + file + "`.\n\n```\n" + text.strip()
                + "\n```\n";
    }

    /**
     * One variant of an interleaved run ({@link CpuSplit}'s lines): wall µs per read, mean and
     * median over rounds; {@code db} is the µs per read spent in the database, NaN in lines
     * written before {@link DbTimer}.
     */
    record Split(String shape, String variant, double mean, double median, double cpu, double io, int rounds,
                 double db) {
    }

    /**
     * The section of the interleaved run: every variant's wall time, calling-thread CPU and
     * Lettuce I/O CPU, and the read targets' ratios from it, where every variant ran in every
     * round, seconds apart rather than minutes.
     */
    static String interleaved(List<String> lines) {
        Map<String, Split> splits = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length == 7 || f.length == 8) {
                Split sp = new Split(f[0], f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[5]), Integer.parseInt(f[6]), f.length == 8 ? Double.parseDouble(f[7]) : Double.NaN);
                splits.put(sp.shape + "|" + sp.variant, sp);
            }
        }
        if (splits.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## The same targets, variants alternating in one process\n\n");
        md.append("`CpuSplit reads` runs every variant of a shape in turn, a slice of seconds each, round after round;")
                .append(" wall µs per read, the mean and the median of the rounds. `redis-get` is the round trip (a GET of")
                .append(" 20 bytes) back to back; `direct-2rt` the direct read with a bare-socket round trip before and after")
                .append(" it, the miss's bound measured where its round trips happen; \"outside the database\" takes each")
                .append(" side's time in the database out (`DbTimer`). Per-variant times and CPU: `target/results/interleaved.tsv`.\n");
        md.append("\n| target | shape | on means | on medians | verdict (means / medians) |\n|---|---|---:|---:|---|\n");
        for (String shape : SHAPES) {
            Split rt = splits.get(shape + "|redis-get");
            readTargets(md, shape, v -> {
                Split sp = splits.get(shape + "|" + v);
                return sp == null ? null : new double[] {sp.mean, sp.median};
            }, rt == null ? null : new double[] {rt.mean, rt.median});
            Split miss = splits.get(shape + "|sqlcache-miss");
            Split direct = splits.get(shape + "|direct");
            if (miss != null && direct != null && rt != null && !Double.isNaN(miss.db) && !Double.isNaN(direct.db)) {
                // what the miss adds, with each side's own time in the database taken out: the
                // join's variance from call to call is larger than the whole bound
                double added = (miss.mean - miss.db) - (direct.mean - direct.db);
                ratio(md, "miss's time outside the database − direct's ≤ 2 round trips (ratio to 2 round trips;"
                        + " on means only)", shape, added / (2 * rt.mean), Double.NaN, 1.0, true);
            }
            Split bound = splits.get(shape + "|direct-2rt");
            if (miss != null && bound != null) {
                ratio(md, "miss ≤ direct-2rt: direct with its 2 round trips where they happen (ratio)", shape,
                        miss.mean / bound.mean, miss.median / bound.median, 1.0, true);
                if (!Double.isNaN(miss.db) && !Double.isNaN(bound.db)) {
                    ratio(md, "miss ≤ direct-2rt, outside the database (ratio; on means only)", shape,
                            (miss.mean - miss.db) / (bound.mean - bound.db), Double.NaN, 1.0, true);
                }
            }
        }
        return md.toString();
    }

    /**
     * The read targets of one shape, as ratios on means and on medians, for every pair of
     * variants measured: {@code times} gives a read variant's {mean, median} in µs, or null when
     * it was not run; {@code roundTrip} is the round trip's {mean, median}, or null.
     */
    /**
     * The targets of transactions as Spring runs them ({@link TransactionBenchmark}): a read-only
     * transaction of one cached read faster than direct (≥ 100 × for the heavy join), a write
     * transaction at most direct + 2 round trips (its commit's mark and settle).
     */
    private static void transactionTargets(StringBuilder md, Map<String, Row> rows, Row rtt) {
        for (String shape : List.of("POINT", "JOIN")) {
            Row hit = get(rows, "ReadTransactionBenchmark", shape, "sqlcache-redis");
            Row direct = get(rows, "ReadTransactionBenchmark", shape, "direct");
            if (hit != null && direct != null) {
                double want = shape.equals("JOIN") ? 100 : 1;
                ratio(md, "read-only transaction of a cached read: direct / sqlcache ≥ " + (int) want, shape,
                        direct.mean / hit.mean, direct.p50 / hit.p50, want, false);
            }
        }
        Row w = get(rows, "WriteTransactionBenchmark", "POINT", "sqlcache-redis");
        Row wd = get(rows, "WriteTransactionBenchmark", "POINT", "direct");
        if (w != null && wd != null) {
            ratio(md, "write transaction ≤ direct + 2 round trips (ratio to that bound)", "UPDATE",
                    w.mean / (wd.mean + 2 * rtt.mean), w.p50 / (wd.p50 + 2 * rtt.p50), 1.0, true);
        }
    }

    private static void readTargets(StringBuilder md, String shape, java.util.function.Function<String, double[]> times,
                                    double[] roundTrip) {
        double[] hit = times.apply("sqlcache-redis-hit");
        double[] cold = times.apply("sqlcache-redis-hit-cold");
        double[] floor = times.apply("floor");
        double[] hand = times.apply("handwritten");
        double[] direct = times.apply("direct");
        double[] local = times.apply("sqlcache-local-hit");
        double[] miss = times.apply("sqlcache-miss");
        if (hit != null && floor != null) {
            ratio(md, "redis-hit ≤ 1.25 × floor", shape, hit[0] / floor[0], hit[1] / floor[1], 1.25, true);
        }
        if (hit != null && hand != null) {
            ratio(md, "redis-hit ≤ 1.0 × handwritten", shape, hit[0] / hand[0], hit[1] / hand[1], 1.0, true);
        }
        double[] park = times.apply("sqlcache-redis-hit-park");
        if (park != null && hand != null) {
            ratio(md, "parked redis-hit (sqlcache.spinMicros=0) ≤ 1.0 × handwritten", shape, park[0] / hand[0],
                    park[1] / hand[1], 1.0, true);
        }
        if (cold != null && floor != null) {
            ratio(md, "cold redis-hit (no local copy) ≤ 1.25 × floor", shape, cold[0] / floor[0], cold[1] / floor[1], 1.25, true);
        }
        if (cold != null && hand != null) {
            ratio(md, "cold redis-hit (no local copy) ≤ 1.0 × handwritten", shape, cold[0] / hand[0], cold[1] / hand[1], 1.0,
                    true);
        }
        if (local != null && direct != null) {
            double want = shape.equals("POINT") ? 20 : shape.equals("JOIN") ? 100 : Double.NaN;
            ratio(md, Double.isNaN(want) ? "direct / local-hit (no target)" : "direct / local-hit ≥ " + (int) want,
                    shape, direct[0] / local[0], direct[1] / local[1], want, false);
        }
        if (miss != null && direct != null && roundTrip != null) {
            ratio(md, "miss ≤ direct + 2 round trips (ratio to that bound)", shape, miss[0] / (direct[0] + 2 * roundTrip[0]),
                    miss[1] / (direct[1] + 2 * roundTrip[1]), 1.0, true);
        }
        double[] handMiss = times.apply("handwritten-miss");
        if (miss != null && handMiss != null) {
            ratio(md, "miss ≤ hand-written miss: GET, query, SETEX in sequence (floor; not in the issue)", shape,
                    miss[0] / handMiss[0], miss[1] / handMiss[1], 1.0, true);
        }
    }

    private static void ratio(StringBuilder md, String target, String shape, double onMeans, double onMedians,
                              double bound, boolean atMost) {
        String verdict = Double.isNaN(bound) ? "-" : pass(onMeans, bound, atMost) + " / " + pass(onMedians, bound, atMost);
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", target, shape, twoPlaces(onMeans),
                twoPlaces(onMedians), verdict));
    }

    /** Met, missed, or "-" for a ratio not computed (NaN). */
    private static String pass(double v, double bound, boolean atMost) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return (atMost ? v <= bound : v >= bound) ? "met" : "**missed**";
    }

    private static String twoPlaces(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String bytes(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String machine() {
        StringBuilder sb = new StringBuilder("| | |\n|---|---|\n");
        sb.append("| CPUs (nproc) | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
        sb.append("| CPU model | ").append(procLine("/proc/cpuinfo", "model name")).append(" |\n");
        sb.append("| memory | ").append(procLine("/proc/meminfo", "MemTotal")).append(" |\n");
        sb.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n");
        sb.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(" |\n");
        try (Connection c = BenchEnv.direct(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            sb.append("| database | ").append(rs.getString(1)).append(" (loopback) |\n");
        } catch (Exception e) {
            sb.append("| database | unknown: ").append(e.getMessage()).append(" |\n");
        }
        try (RawRedis raw = new RawRedis()) {
            String info = raw.sync.info("server");
            String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElse("?");
            sb.append("| Redis | ").append(version.substring(version.indexOf(':') + 1)).append(" (loopback) |\n");
        } catch (Exception e) {
            sb.append("| Redis | unknown: ").append(e.getMessage()).append(" |\n");
        }
        return sb.toString();
    }

    private static String procLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ chart

    private static final Color[] COLORS = {new Color(0x59, 0x59, 0x59), new Color(0xE6, 0x9F, 0x00),
        new Color(0x00, 0x72, 0xB2), new Color(0x00, 0x9E, 0x73), new Color(0xD5, 0x5E, 0x00), new Color(0xCC, 0x79, 0xA7),
        new Color(0x56, 0xB4, 0xE9)};

    /** Horizontal bars of the mean per variant, grouped by shape, log scale, with a p99 whisker. */
    static void chart(Map<String, Row> rows, Path png) throws IOException {
        int left = 190;
        int right = 170; // room for the label of a bar that reaches the axis end
        int top = 70;
        int barH = 18;
        int gap = 6;
        int groupGap = 34;
        int width = 1100;
        int plotW = width - left - right;
        List<String> shapes = new ArrayList<>();
        for (String s : SHAPES) {
            if (READ_VARIANTS.stream().anyMatch(v -> get(rows, "ReadBenchmark", s, v) != null)) {
                shapes.add(s);
            }
        }
        int height = top + shapes.size() * (READ_VARIANTS.size() * (barH + gap) + groupGap) + 70;
        double min = 0.5;
        double max = 1;
        for (Row r : rows.values()) {
            if (r.bench.equals("ReadBenchmark")) {
                max = Math.max(max, Math.max(r.mean, Double.isNaN(r.p99) ? 0 : r.p99));
            }
        }
        double logMin = Math.log10(min);
        double logMax = Math.ceil(Math.log10(max));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("sqlcache: latency per read (µs, log scale): bar = mean, whisker = p99", left - 150, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("lower is better; same JMH run, MariaDB and Redis on loopback", left - 150, 50);
        int plotBottom = height - 50;
        // decade grid
        for (int d = (int) Math.floor(logMin); d <= logMax; d++) {
            for (int k = 1; k < 10; k++) {
                double v = k * Math.pow(10, d);
                if (v < min || Math.log10(v) > logMax) {
                    continue;
                }
                int x = left + (int) ((Math.log10(v) - logMin) / (logMax - logMin) * plotW);
                g.setColor(k == 1 ? new Color(0xBB, 0xBB, 0xBB) : new Color(0xEE, 0xEE, 0xEE));
                g.drawLine(x, top - 5, x, plotBottom);
                if (k == 1) {
                    g.setColor(Color.DARK_GRAY);
                    String label = v >= 1000 ? (long) (v / 1000) + " ms" : (v >= 1 ? String.valueOf((long) v) : String.valueOf(v)) + " µs";
                    g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, plotBottom + 16);
                }
            }
        }
        int y = top;
        for (String shape : shapes) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(shape.toLowerCase(Locale.ROOT) + " read", 10, y + 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            y += 18;
            for (int i = 0; i < READ_VARIANTS.size(); i++) {
                Row r = get(rows, "ReadBenchmark", shape, READ_VARIANTS.get(i));
                g.setColor(Color.BLACK);
                g.drawString(READ_VARIANTS.get(i), 30, y + barH - 5);
                if (r != null) {
                    int x1 = left + (int) ((Math.log10(Math.max(min, r.mean)) - logMin) / (logMax - logMin) * plotW);
                    g.setColor(COLORS[i % COLORS.length]);
                    g.fillRect(left, y, Math.max(1, x1 - left), barH);
                    if (!Double.isNaN(r.p99)) {
                        int xp = left + (int) ((Math.log10(Math.max(min, r.p99)) - logMin) / (logMax - logMin) * plotW);
                        g.setColor(Color.BLACK);
                        g.setStroke(new BasicStroke(1.5f));
                        g.drawLine(x1, y + barH / 2, xp, y + barH / 2);
                        g.drawLine(xp, y + 3, xp, y + barH - 3);
                    }
                    int xp = Double.isNaN(r.p99) ? x1
                            : left + (int) ((Math.log10(Math.max(min, r.p99)) - logMin) / (logMax - logMin) * plotW);
                    g.setColor(Color.BLACK);
                    String label = f(r.mean) + " µs  (p50 " + f(r.p50) + ")";
                    g.drawString(label, Math.max(x1, xp) + 6, y + barH - 5);
                }
                y += barH + gap;
            }
            y += groupGap - 18;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
