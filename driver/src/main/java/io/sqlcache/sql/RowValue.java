package io.sqlcache.sql;

/**
 * A value in a {@link RowCondition}: an integer literal of the statement's own text, or a
 * parameter whose value is known only when the statement runs. Immutable.
 *
 * @param literal the literal's value, meaningful only when {@code parameter} is 0
 * @param parameter the 1-based index of the statement's parameter ({@code ?}), or 0 for a literal
 */
public record RowValue(long literal, int parameter) {

    public static RowValue ofLiteral(long v) {
        return new RowValue(v, 0);
    }

    public static RowValue ofParameter(int index) {
        if (index < 1) {
            throw new IllegalArgumentException("parameter index " + index);
        }
        return new RowValue(0, index);
    }

    /**
     * The value, or {@code null} when it is a parameter whose integer value is not known.
     *
     * @param integerParams the statement's parameters (index 0 is parameter 1), an element
     *                      {@code null} when that parameter is not bound to an integer type;
     *                      {@code null} when the parameters are not known at all
     */
    public Long resolve(Long[] integerParams) {
        if (parameter == 0) {
            return literal;
        }
        if (integerParams == null || parameter > integerParams.length) {
            return null;
        }
        return integerParams[parameter - 1];
    }
}
