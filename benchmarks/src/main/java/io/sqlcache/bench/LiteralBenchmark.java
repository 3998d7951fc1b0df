package io.sqlcache.bench;

import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.SqlAnalyzer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the analysis step costs a read whose SQL text carries its literals:
 * <ul>
 *   <li>{@code seen-text}: the exact text was analysed before (a lookup);</li>
 *   <li>{@code new-literal}: a never-seen literal of a known shape (a lex and the shape's analysis);</li>
 *   <li>{@code full-parse}: a never-seen literal without shape reuse (a JSqlParser parse): what
 *       every new literal cost before the literal-normalizing digest.</li>
 * </ul>
 * A hit with a never-seen literal costs a hit plus ({@code new-literal} − {@code seen-text}).
 * Run: {@code java -jar sqlcache-benchmarks.jar LiteralBenchmark}.
 */
@State(Scope.Thread)
public class LiteralBenchmark extends BaseBenchmark {

    private static final String SQL = "SELECT id, name, email, country, score, created_at FROM bench_users WHERE id = ";

    @Param({"seen-text", "new-literal", "full-parse"})
    public String variant;

    private SqlAnalyzer analyzer;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        analyzer = new SqlAnalyzer(variant.equals("full-parse") ? 0 : 10_000);
        SqlAnalysis first = analyzer.analyze(SQL + 42);
        if (!first.cacheable()) {
            throw new IllegalStateException("shape not cacheable: " + first.bypassReason());
        }
        n = 1_000_000_000L;
    }

    @Benchmark
    public SqlAnalysis analyze() {
        return analyzer.analyze(variant.equals("seen-text") ? SQL + 42 : SQL + n++);
    }
}
