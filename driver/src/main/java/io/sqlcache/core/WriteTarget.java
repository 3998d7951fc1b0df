package io.sqlcache.core;

import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.invalidate.RowScopes;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.sql.TableName;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a statement writes, as the versions to bump: the same rule for the driver and the proxy.
 *
 * @param tables  the tables written, schemas resolved (after {@link #expand}: with the tables the
 *                server writes by itself)
 * @param unknown true when what it writes cannot be known: the global epoch is bumped
 * @param buckets per table, the primary-key buckets that hold every row changed; a table absent
 *                is bumped whole
 */
public record WriteTarget(Set<TableName> tables, boolean unknown, Map<TableName, long[]> buckets) {

    /** Writes nothing. */
    public static final WriteTarget NONE = new WriteTarget(Set.of(), false, Map.of());
    /** Writes what cannot be known: a procedure, a stored function, an unreadable command. */
    public static final WriteTarget UNKNOWN = new WriteTarget(Set.of(), true, Map.of());

    public WriteTarget {
        tables = Set.copyOf(tables);
        buckets = Map.copyOf(buckets);
    }

    /**
     * The tables a write or DDL statement names, resolved against the session's schema (a name
     * that cannot be resolved makes the write unknown). A CREATE or DROP TEMPORARY TABLE is noted
     * in the session's temporary tables. For a read that may write (a stored function), unknown.
     */
    public static WriteTarget of(SqlAnalysis analysis, SessionView session) {
        if (!analysis.writes()) {
            return analysis.writesUnknown() ? UNKNOWN : NONE;
        }
        String schema = session.schema();
        Set<TableName> tables = new HashSet<>();
        boolean unknown = analysis.writesUnknown();
        for (TableName t : analysis.tablesWritten()) {
            TableName r = t.resolve(schema);
            if (r.schema() == null) {
                unknown = true;
            } else {
                tables.add(r);
            }
        }
        if (analysis.temporaryTable() != null) {
            session.temporaryTables().seen(analysis.temporaryTable().resolve(schema));
        }
        return new WriteTarget(tables, unknown, Map.of());
    }

    /**
     * Whether {@link #expand} applies: a data write whose tables are known. DDL is not expanded:
     * TRUNCATE, ALTER, DROP and RENAME fire no trigger and cascade nothing.
     */
    public boolean expandable(SqlAnalysis analysis) {
        return !unknown && !tables.isEmpty() && analysis.kind() == StatementKind.WRITE;
    }

    /**
     * With what the server writes by itself (triggers, cascading foreign keys, the base tables of
     * a view written through) and the primary-key buckets of the rows changed. Reads the catalog
     * when a model is not loaded: never on an event loop.
     */
    public WriteTarget expand(Dependencies dependencies, SqlAnalysis analysis, String schema, String server,
                              CatalogConnector catalog, Long[] integerParams) {
        Dependencies.Writes w = dependencies.expandWrite(server, catalog, tables);
        Map<TableName, long[]> rows = RowScopes.forWrite(dependencies, server, catalog, schema, analysis, w.tables(),
                w.unknown(), integerParams);
        return new WriteTarget(w.tables(), w.unknown(), rows);
    }

    public boolean isEmpty() {
        return tables.isEmpty() && !unknown;
    }

    /**
     * Both writes. A table one side bumps whole is bumped whole: the other's buckets for it go.
     */
    public WriteTarget plus(WriteTarget other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Set<TableName> all = new HashSet<>(tables);
        all.addAll(other.tables);
        Map<TableName, long[]> rows = new java.util.HashMap<>();
        for (var e : buckets.entrySet()) {
            if (!other.tables.contains(e.getKey()) || other.buckets.containsKey(e.getKey())) {
                rows.put(e.getKey(), e.getValue());
            }
        }
        for (var e : other.buckets.entrySet()) {
            long[] mine = rows.get(e.getKey());
            if (mine != null) {
                rows.put(e.getKey(), union(mine, e.getValue()));
            } else if (!tables.contains(e.getKey()) || buckets.containsKey(e.getKey())) {
                rows.put(e.getKey(), e.getValue());
            }
        }
        return new WriteTarget(all, unknown || other.unknown, rows);
    }

    private static long[] union(long[] a, long[] b) {
        return java.util.stream.LongStream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .distinct().sorted().toArray();
    }
}
