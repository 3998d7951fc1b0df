package io.sqlcache.invalidate;

import io.sqlcache.sql.TableName;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The tables an open transaction has written. Reads of those tables bypass the cache on the
 * writing connection (read your own writes); at commit they are invalidated after the real
 * commit; at rollback they are dropped. Not thread-safe: one per connection, used by the
 * thread that uses the connection.
 */
public final class WriteSet {

    private final Set<TableName> tables = new HashSet<>();
    private boolean unknown;

    /** Adds resolved tables; {@code unknown} when the write's tables cannot be known. */
    public void add(Collection<TableName> written, boolean unknownTables) {
        tables.addAll(written);
        unknown |= unknownTables;
    }

    /** True when a read of {@code read} may see this transaction's own writes. */
    public boolean touches(Collection<TableName> read) {
        if (unknown) {
            return true;
        }
        if (tables.isEmpty()) {
            return false;
        }
        for (TableName t : read) {
            if (tables.contains(t)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return tables.isEmpty() && !unknown;
    }

    public boolean unknown() {
        return unknown;
    }

    /** A copy of the tables. */
    public Set<TableName> tables() {
        return Set.copyOf(tables);
    }

    public void clear() {
        tables.clear();
        unknown = false;
    }
}
