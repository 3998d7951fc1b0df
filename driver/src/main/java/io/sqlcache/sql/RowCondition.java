package io.sqlcache.sql;

import java.util.List;
import java.util.Objects;

/**
 * One top-level AND-conjunct of a WHERE clause (or the values an INSERT gives a column) that
 * bounds an integer column of one table occurrence by integer literals or parameters: the rows
 * of that occurrence the statement can read or change all satisfy it. Immutable.
 *
 * <p>{@link Op#IN} holds one or more values ({@code col = v} or {@code col IN (v, …)}); the
 * other operators hold exactly one. {@code col BETWEEN a AND b} is two conditions, {@code >= a}
 * and {@code <= b}.
 *
 * @param column the column's name, lowercased, never null
 * @param op     how the column compares with the values
 * @param values the values, never empty
 */
public record RowCondition(String column, Op op, List<RowValue> values) {

    /** How a column compares with the values. */
    public enum Op { IN, GE, GT, LE, LT }

    public RowCondition {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(op, "op");
        values = List.copyOf(values);
        if (values.isEmpty() || op != Op.IN && values.size() != 1) {
            throw new IllegalArgumentException(op + " with " + values.size() + " values");
        }
    }
}
