package io.sqlcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Param;

/** The benchmark classes construct and the report computes the targets' ratios from JMH's JSON. No service needed. */
class ReportWriterTest {

    @TempDir
    Path dir;

    private static String trial(String bench, String params, double mean, double p50) {
        return "{\"benchmark\":\"io.sqlcache.bench." + bench + ".run\",\"params\":{" + params + "},"
                + "\"primaryMetric\":{\"score\":" + mean + ",\"scoreError\":1.0,"
                + "\"scorePercentiles\":{\"50.0\":" + p50 + ",\"99.0\":" + (mean * 3) + "},"
                + "\"rawDataHistogram\":[[[[" + mean + ",10]]]]},"
                + "\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":1234.0}}}";
    }

    @Test
    void ratiosAndVerdictsComeFromTheSameRun() throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, "[" + String.join(",",
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"floor\"", 40, 20),
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"sqlcache-redis-hit\"", 60, 24),
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"handwritten\"", 50, 30),
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"direct\"", 25, 22),
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"sqlcache-local-hit\"", 1, 1)) + "]");
        Map<String, ReportWriter.Row> rows = ReportWriter.read(json);
        assertThat(rows).hasSize(5);
        assertThat(rows.get("ReadBenchmark|POINT|floor").samples()).isEqualTo(10);
        String md = ReportWriter.markdown(rows, null);
        assertThat(md).contains("| redis-hit ≤ 1.25 × floor | POINT | 1.50 | 1.20 | **missed** / met |");
        assertThat(md).contains("| redis-hit ≤ 1.0 × handwritten | POINT | 1.20 | 0.80 | **missed** / met |");
        assertThat(md).contains("| direct / local-hit ≥ 20 | POINT | 25.00 | 22.00 | met / met |");
        // the reads in one table, a column per shape that ran
        assertThat(md).contains("| variant | POINT |\n|---|---:|\n| direct | 25.00 (22.00) |\n")
                .doesNotContain("| handwritten-miss |");
        Path png = dir.resolve("c.png");
        ReportWriter.chart(rows, png);
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1100);
    }

    @Test
    void benchmarkClassesConstructAndCompareEveryVariant() throws Exception {
        for (Class<?> c : new Class<?>[] {ReadBenchmark.class, WriteBenchmark.class, RoundTripBenchmark.class,
            LiteralBenchmark.class, DecodeBenchmark.class, HitScaleBenchmark.class, InvalidationScaleBenchmark.class,
            ReadTransactionBenchmark.class, WriteTransactionBenchmark.class}) {
            assertThat(c.getDeclaredConstructor().newInstance()).isInstanceOf(BaseBenchmark.class);
        }
        String[] variants = ReadBenchmark.class.getField("variant").getAnnotation(Param.class).value();
        assertThat(variants).containsExactlyElementsOf(ReportWriter.READ_VARIANTS);
    }

    @Test
    void transactionsHaveTheirTargetRows() throws Exception {
        Path json = dir.resolve("tx.json");
        Files.writeString(json, "[" + String.join(",",
                trial("ReadTransactionBenchmark", "\"shape\":\"POINT\",\"variant\":\"direct\"", 400, 380),
                trial("ReadTransactionBenchmark", "\"shape\":\"POINT\",\"variant\":\"sqlcache-redis\"", 350, 300),
                trial("ReadTransactionBenchmark", "\"shape\":\"JOIN\",\"variant\":\"direct\"", 15000, 15000),
                trial("ReadTransactionBenchmark", "\"shape\":\"JOIN\",\"variant\":\"sqlcache-redis\"", 500, 480),
                trial("WriteTransactionBenchmark", "\"shape\":\"POINT\",\"variant\":\"direct\"", 600, 580),
                trial("WriteTransactionBenchmark", "\"shape\":\"POINT\",\"variant\":\"sqlcache-redis\"", 800, 760),
                trial("RoundTripBenchmark", "\"variant\":\"get\"", 80, 70)) + "]");
        String md = ReportWriter.markdown(ReportWriter.read(json), java.util.Map.of());
        // 400 / 350 and 380 / 300; 15000 / 500 = 30; 800 / (600 + 160) and 760 / (580 + 140)
        assertThat(md).contains("| read-only transaction of a cached read: direct / sqlcache ≥ 1 | POINT | 1.14 | 1.27 | met / met |")
                .contains("| read-only transaction of a cached read: direct / sqlcache ≥ 100 | JOIN | 30.00 | 31.25 |"
                        + " **missed** / **missed** |")
                .contains("| write transaction ≤ direct + 2 round trips (ratio to that bound) | UPDATE | 1.05 | 1.06 |"
                        + " **missed** / **missed** |");
    }

    @Test
    void theToolsRawOutputsAreReadBesideTheJsonAndTheReportWrittenElsewhere() throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, "[" + String.join(",",
                trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"direct\"", 25, 22)) + "]");
        Path before = dir.resolve("before.json");
        Files.writeString(before, "[" + trial("ReadBenchmark", "\"shape\":\"POINT\",\"variant\":\"direct\"", 30, 28) + "]");
        Path out = dir.resolve("out");
        Files.writeString(dir.resolve("concurrent-hits.txt"), "threads work µs  hit  requests/s\n      4      50  spin  17936\n"
                + "      4      50  spin/park requests/s: 1.021, spin/lettuce: 1.100\n");
        Files.writeString(dir.resolve("load.txt"), "before the run: 1.18 1.12 0.93 1/144 9345\n");
        ReportWriter.main(new String[] {json.toString(), out.toString(), before.toString()});
        assertThat(out.resolve("latency.png")).exists();
        assertThat(dir.resolve("REPORT.md")).doesNotExist();
        String md = Files.readString(out.resolve("REPORT.md"));
        int section = md.indexOf("### Many threads: the hit's spin against parking (`ConcurrentSplit hits`)");
        assertThat(section).isPositive();
        // a long output shows only the lines that say its result
        assertThat(md.indexOf("      4      50  spin/park requests/s: 1.021", section)).isPositive();
        assertThat(md).doesNotContain("spin  17936");
        assertThat(md.indexOf("## Before and after")).isGreaterThan(section);
        // 30 -> 25 µs moved by more than the machine's drift: listed
        assertThat(md).contains("| ReadBenchmark | POINT direct | 30.00 | 25.00 | -17 % |");
        assertThat(md.indexOf("## Machine")).isGreaterThan(md.indexOf("## Before and after"));
        assertThat(md).contains("before the run: 1.18 1.12 0.93");
        // a tool that did not run has no section
        assertThat(md).doesNotContain("(`ColdRoundTrip`)");
    }

    @Test
    void scaleSplitsRatioStandsUnderJmhsOwnHitScaleRow() throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, "[" + String.join(",",
                trial("HitScaleBenchmark", "\"entries\":\"1000\"", 40, 33),
                trial("HitScaleBenchmark", "\"entries\":\"1000000\"", 48, 38)) + "]");
        Path out = dir.resolve("out");
        Files.writeString(dir.resolve("scale-interleaved.txt"), "variant       µs/read\nhit 1k           39.1\n"
                + "hit 1M           44.0\nhit 1M / hit 1k: 1.125; GET 1M / GET 1k: 1.007\n");
        ReportWriter.main(new String[] {json.toString(), out.toString()});
        String md = Files.readString(out.resolve("REPORT.md"));
        String jmh = "| hit with 1M entries ≤ 1.10 × with 1k | POINT | 1.20 | 1.15 | **missed** / **missed** |\n";
        assertThat(md).contains(jmh + "| hit with 1M entries ≤ 1.10 × with 1k, alternating in one process"
                + " (`CpuSplit scale`; on means only) | POINT | 1.13 | - | **missed** / - |\n");
        assertThat(ReportWriter.scaleSplitRow("hit 1M / hit 1k: 1.018; GET 1M / GET 1k: 1.007"))
                .contains("| POINT | 1.02 | - | met / - |");
        assertThat(ReportWriter.scaleSplitRow("no ratio here")).isNull();
    }

    @Test
    void writeSplitAndColdRoundTripGiveTheWriteAndJoinMissRowsWhatTheMachineAllows() {
        String writeSplit = "variant             µs/UPDATE   (8 rounds of 2 s slices, order rotated, first not counted)\n"
                + "sqlcache-write          309.6\ndirect-then-mset        381.7\ndirect                  212.5\n"
                + "sqlcache-write / direct-then-mset: 0.81\n";
        String cold = "case                         statement µs    MSET µs   socket MSET µs   (4 rounds of 3 s)\n"
                + "nothing                               0.1       88.1             38.4\n"
                + "update                              320.1      163.9             91.6\n"
                + "update alone                        260.9          -                -\n"
                + "join                              17618.9      379.9            234.0\n";
        String rows = ReportWriter.writeSplitRows(writeSplit, cold, 80.0);
        // 309.6 / (212.5 + 2 × 80) and 91.6 / 80
        assertThat(rows).contains("(`CpuSplit writes`; on means only) | UPDATE | 0.83 | - | met / - |")
                .contains("right after the UPDATE ÷ 1 round trip (`ColdRoundTrip`) | UPDATE | 1.15 | - |"
                        + " **the bound is below the machine's floor** |");
        // 234 / 160, and with a slower round trip 234 / 240
        assertThat(ReportWriter.joinFloorRow(cold, 80.0))
                .contains("| JOIN | 1.46 | - | **the bound is below the machine's floor** |");
        assertThat(ReportWriter.joinFloorRow(cold, 120.0)).contains("| JOIN | 0.98 | - | the bound is above it |");
        assertThat(ReportWriter.writeSplitRows("", "", 80.0)).isNull();
        assertThat(ReportWriter.joinFloorRow(cold, Double.NaN)).isNull();
        assertThat(ReportWriter.underRow("a\n| x | 1 |\n| y |\n", "| x |", "| new |\n"))
                .isEqualTo("a\n| x | 1 |\n| new |\n| y |\n");
        assertThat(ReportWriter.underRow("a\n| y |\n", "| x |", "| new |\n")).isEqualTo("a\n| y |\n");
    }

    @Test
    void theInterleavedRunsRatiosComeFromItsOwnLines() {
        String md = ReportWriter.interleaved(java.util.List.of(
                "RANGE\tdirect\t200\t190\t100\t0\t5",
                "RANGE\tsqlcache-redis-hit\t45\t44\t10\t20\t5",
                "RANGE\thandwritten\t90\t88\t30\t20\t5",
                "RANGE\tfloor\t40\t40\t9\t20\t5",
                "RANGE\tsqlcache-miss\t400\t350\t200\t60\t5",
                "RANGE\thandwritten-miss\t500\t280\t210\t90\t5",
                "RANGE\tredis-get\t50\t40\t5\t20\t5",
                "not a line of CpuSplit's"));
        // lines from before DbTimer have no database column: no ratio outside the database
        assertThat(md).doesNotContain("outside the database − direct's");
        assertThat(md).contains("| redis-hit ≤ 1.25 × floor | RANGE | 1.13 | 1.10 | met / met |");
        assertThat(md).contains("| redis-hit ≤ 1.0 × handwritten | RANGE | 0.50 | 0.50 | met / met |");
        assertThat(md).contains("| miss ≤ direct + 2 round trips (ratio to that bound) | RANGE | 1.33 | 1.30 | **missed** / **missed** |");
        assertThat(md).contains("| miss ≤ hand-written miss: GET, query, SETEX in sequence (floor; not in the issue) | RANGE"
                + " | 0.80 | 1.25 | met / **missed** |");
        assertThat(ReportWriter.interleaved(java.util.List.of())).isEmpty();
    }

    @Test
    void theMissesAddedTimeIsTakenOutsideEachSidesOwnTimeInTheDatabase() {
        String md = ReportWriter.interleaved(java.util.List.of(
                "JOIN\tdirect\t16000\t15000\t300\t0\t5\t15800",
                "JOIN\tsqlcache-miss\t17000\t16500\t550\t0\t5\t16650",
                "JOIN\tredis-get\t100\t95\t10\t40\t5\t0",
                "JOIN\tdirect-2rt\t16400\t15500\t320\t0\t5\t16100"));
        // on wall times the miss is over its bound: 17000 / (16000 + 200)
        assertThat(md).contains("| miss ≤ direct + 2 round trips (ratio to that bound) | JOIN | 1.05 | 1.09 |");
        // outside the database it adds (17000 - 16650) - (16000 - 15800) = 150 µs of the 200 allowed
        assertThat(md).contains("| miss's time outside the database − direct's ≤ 2 round trips (ratio to 2 round trips;"
                + " on means only) | JOIN | 0.75 | - | met / - |");
        // against the bound measured in place: 17000 / 16400 and 16500 / 15500 on wall times,
        // 350 / 300 outside the database
        assertThat(md).contains("| miss ≤ direct-2rt: direct with its 2 round trips where they happen (ratio) | JOIN"
                + " | 1.04 | 1.06 | **missed** / **missed** |");
        assertThat(md).contains("| miss ≤ direct-2rt, outside the database (ratio; on means only) | JOIN | 1.17 | - |"
                + " **missed** / - |");
    }
}
