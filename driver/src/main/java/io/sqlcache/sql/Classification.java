package io.sqlcache.sql;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the analyzer has found out about one statement so far; turned into a
 * {@link SqlAnalysis} once. Mutable, confined to one analysis.
 */
final class Classification {
    StatementKind kind;
    Set<TableName> read = Set.of();
    final Set<TableName> written = new LinkedHashSet<>();
    boolean writesUnknown;
    /** Why the result may not be cached (READ), or what the statement is (others). */
    String reason;
    String useSchema;
    TableName temporary;
    /** Row conditions per table occurrence, values as positions in the text (see {@link RowRestrictions}). */
    java.util.List<RowRestrictions.Occ> rows = java.util.List.of();

    Classification(StatementKind kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    Classification unknownWrites() {
        writesUnknown = true;
        return this;
    }
}
