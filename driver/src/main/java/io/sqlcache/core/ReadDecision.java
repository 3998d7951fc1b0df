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
 * @param buckets per table, the primary-key buckets the read is restricted to; a table absent
 *                depends on its whole-table version
 */
public record ReadDecision(String bypass, Set<TableName> tables, Map<TableName, long[]> buckets) {

    public static ReadDecision bypass(String reason) {
        return new ReadDecision(reason, Set.of(), Map.of());
    }
}
