package io.sqlcache.core;

import io.sqlcache.sql.TableName;
import java.util.Map;
import java.util.Set;

/**
 * Whether a read may use the cache and, if so, what its entry depends on.
 *
 * @param bypass  why not, or {@code null} when it may
 * @param tables  the tables the read depends on, schemas resolved (after {@link ReadPolicy#expand},
 *                through views too)
 * @param buckets  per table, the primary-key buckets the read is restricted to; a table absent
 *                 depends on its whole-table version
 * @param snapshot the write sequence the reader's REPEATABLE READ snapshot was taken after, or
 *                 {@link Long#MAX_VALUE} outside such a transaction ({@link CacheRuntime#read})
 */
public record ReadDecision(String bypass, Set<TableName> tables, Map<TableName, long[]> buckets, long snapshot) {

    /** Outside a REPEATABLE READ transaction: any entry whose versions are current. */
    public static final long ANY_SNAPSHOT = Freshness.ANY;

    public static ReadDecision bypass(String reason) {
        return new ReadDecision(reason, Set.of(), Map.of(), ANY_SNAPSHOT);
    }

    /** The same decision with the tables and buckets of {@code expanded}. */
    ReadDecision with(Set<TableName> expandedTables, Map<TableName, long[]> expandedBuckets) {
        return new ReadDecision(null, expandedTables, expandedBuckets, snapshot);
    }
}
