package io.sqlcache.jdbc;

import io.sqlcache.sql.TableName;
import java.util.Map;
import java.util.Set;

/**
 * Whether a read may use the cache on its connection now and, if so, with what.
 *
 * @param bypass   why not, or {@code null} when it may
 * @param tables   the tables it reads, with schemas resolved
 * @param schema   the current schema (part of the key)
 * @param session  the session settings that shape results (part of the key)
 * @param buckets  per table, the primary-key buckets the read is restricted to (tables absent
 *                 depend on their whole-table version)
 * @param snapshot the write sequence a REPEATABLE READ transaction's snapshot follows, or
 *                 {@link Long#MAX_VALUE} outside one ({@link io.sqlcache.core.ReadDecision})
 */
record ReadPlan(String bypass, Set<TableName> tables, String schema, String session, Map<TableName, long[]> buckets,
                long snapshot) {

    static ReadPlan bypass(String reason) {
        return new ReadPlan(reason, Set.of(), null, null, Map.of(), Long.MAX_VALUE);
    }
}
