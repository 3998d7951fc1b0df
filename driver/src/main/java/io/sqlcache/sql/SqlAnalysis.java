package io.sqlcache.sql;

import java.util.List;
import java.util.Set;

/**
 * What one SQL text does, computed once per distinct text and shared: immutable and
 * thread-safe.
 *
 * @param kind           what the statement does
 * @param tablesRead     tables a READ reads (base tables only: CTE names and derived-table
 *                       aliases excluded); empty for other kinds
 * @param tablesWritten  tables a WRITE or DDL changes; for DDL also the tables it names
 * @param writesUnknown  true when the written tables cannot be known (CALL, unparseable text,
 *                       multi-statement text, LOAD DATA of an unknown table…): the writer must
 *                       then invalidate everything
 * @param bypassReason   {@code null} when a READ may be cached, else a short reason a user can
 *                       read, such as {@code "non-deterministic function NOW"}; non-null for
 *                       every kind other than READ
 * @param cacheText      the text that goes into the key: the SQL with sqlcache hint comments
 *                       removed and surrounding white space trimmed
 * @param ttlSeconds     the TTL from a {@code /* sqlcache:ttl=N * /} hint, or {@code null}
 * @param useSchema      the schema named by a USE statement, or {@code null}
 * @param temporaryTable for CREATE/DROP TEMPORARY TABLE, the table; else {@code null}
 * @param rows           what the statement says about the rows it reads or writes, per table
 *                       occurrence ({@link TableRows}); empty when nothing is known, which
 *                       makes every read depend on whole tables and every write bump them
 */
public record SqlAnalysis(
        StatementKind kind,
        Set<TableName> tablesRead,
        Set<TableName> tablesWritten,
        boolean writesUnknown,
        String bypassReason,
        String cacheText,
        Integer ttlSeconds,
        String useSchema,
        TableName temporaryTable,
        List<TableRows> rows) {

    public SqlAnalysis {
        tablesRead = Set.copyOf(tablesRead);
        tablesWritten = Set.copyOf(tablesWritten);
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** An analysis that knows nothing about rows. */
    public SqlAnalysis(StatementKind kind, Set<TableName> tablesRead, Set<TableName> tablesWritten,
            boolean writesUnknown, String bypassReason, String cacheText, Integer ttlSeconds, String useSchema,
            TableName temporaryTable) {
        this(kind, tablesRead, tablesWritten, writesUnknown, bypassReason, cacheText, ttlSeconds, useSchema,
                temporaryTable, List.of());
    }

    /** True when this statement's result may be served from and stored in the cache. */
    public boolean cacheable() {
        return kind == StatementKind.READ && bypassReason == null;
    }

    /** True when running this statement may change data. */
    public boolean writes() {
        return kind == StatementKind.WRITE || kind == StatementKind.DDL;
    }
}
