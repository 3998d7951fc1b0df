package io.sqlcache;

import java.sql.Statement;

/**
 * What a sqlcache statement adds to {@link Statement}; reach it with
 * {@code statement.unwrap(SqlCacheStatement.class)}.
 */
public interface SqlCacheStatement extends Statement {

    /**
     * What the cache did for the last execution on this statement: {@code "hit"}, {@code "miss"},
     * {@code "bypass: <reason>"} (for example {@code "bypass: non-deterministic function NOW"}),
     * {@code "write"} for a statement that changed data, or {@code null} before the first
     * execution.
     */
    String lastCacheOutcome();
}
