package io.sqlcache.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * A transaction of one UPDATE, marked and settled at its commit through the driver ({@link TransactionBenchmark}).
 * Run: {@code java -jar benchmarks/target/sqlcache-benchmarks.jar WriteTransactionBenchmark}.
 */
public class WriteTransactionBenchmark extends TransactionBenchmark {

    @Benchmark
    public int transaction() throws Exception {
        return writeTransaction();
    }
}
