package io.sqlcache.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * A read-only transaction of one read, a cache hit through the driver ({@link TransactionBenchmark}).
 * Run: {@code java -jar benchmarks/target/sqlcache-benchmarks.jar ReadTransactionBenchmark}.
 */
public class ReadTransactionBenchmark extends TransactionBenchmark {

    @Benchmark
    public long transaction() throws Exception {
        return readOnlyTransaction();
    }
}
