package io.sqlcache.sql;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a statement says about the rows of one table occurrence: conditions every row it reads
 * (or writes) satisfies. Immutable.
 *
 * <p>For a READ, {@link SqlAnalysis#rows()} lists one of these per occurrence of a base table
 * anywhere in the statement (subqueries included); occurrences the analysis cannot bound have no
 * conditions, and a table may be restricted only when every one of its occurrences is. For a
 * WRITE, it lists at most one: the single table of an UPDATE or DELETE with no join, or of an
 * INSERT … VALUES; any other write has none.
 *
 * @param table      the table as the statement names it (schema {@code null} when unqualified)
 * @param conditions conditions on its columns, possibly empty
 * @param assigned   for an UPDATE, the lowercased columns its SET clause assigns; else empty
 * @param insert     true for an INSERT: the conditions say which rows it adds
 */
public record TableRows(TableName table, List<RowCondition> conditions, Set<String> assigned, boolean insert) {

    public TableRows {
        Objects.requireNonNull(table, "table");
        conditions = List.copyOf(conditions);
        assigned = Set.copyOf(assigned);
    }
}
