package io.sqlcache.sql;

import java.util.Locale;
import java.util.Objects;

/**
 * A table named by a statement, lowercased. The schema is {@code null} when the statement
 * did not qualify the name; it is then resolved against the connection's current schema
 * with {@link #resolve(String)}.
 *
 * @param schema the schema, lowercased, or {@code null} if unqualified
 * @param name   the table name, lowercased, never {@code null}
 */
public record TableName(String schema, String name) {

    public TableName {
        Objects.requireNonNull(name, "name");
        name = name.toLowerCase(Locale.ROOT);
        schema = schema == null ? null : schema.toLowerCase(Locale.ROOT);
    }

    /** An unqualified name. */
    public static TableName of(String name) {
        return new TableName(null, name);
    }

    /** A qualified name. */
    public static TableName of(String schema, String name) {
        return new TableName(schema, name);
    }

    /**
     * This name with the schema filled in from {@code currentSchema} when it has none.
     * Returns {@code this} when already qualified or when {@code currentSchema} is null.
     */
    public TableName resolve(String currentSchema) {
        if (schema != null || currentSchema == null) {
            return this;
        }
        return new TableName(currentSchema, name);
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }
}
