package io.sqlcache.invalidate;

import io.sqlcache.sql.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Names of the version counters in the store. A read checks the counter of every table it
 * reads plus the global epoch; a write bumps the counters of the tables it writes, or the
 * global epoch when it cannot know them (a CALL may write any schema). The layout is shared
 * by the driver and the proxy, so each invalidates what the other cached. Immutable.
 *
 * <p>Layout under the prefix {@code p}: {@code p + "v:" + schema + "." + table} per table and
 * {@code p + "g"} for the epoch. Names are lowercased by {@link TableName}.
 */
public final class VersionKeys {

    private final String prefix;
    private final String global;

    public VersionKeys(String prefix) {
        this.prefix = prefix;
        this.global = prefix + "g";
    }

    /** The key of an entry whose key material hashes to {@code hash}. */
    public String entryKey(String hash) {
        return prefix + "q:" + hash;
    }

    /** The global epoch key. */
    public String globalKey() {
        return global;
    }

    /** The version key of one table; its schema must be resolved (non-null). */
    public String tableKey(TableName table) {
        if (table.schema() == null) {
            throw new IllegalArgumentException("table " + table + " has no schema");
        }
        return prefix + "v:" + table.schema() + "." + table.name();
    }

    /**
     * The keys a read of {@code tables} checks, in a canonical order (sorted, global epoch last),
     * so every reader of the same tables lists the versions in the same order.
     */
    public List<String> forRead(Collection<TableName> tables) {
        TreeSet<String> sorted = new TreeSet<>();
        for (TableName t : tables) {
            sorted.add(tableKey(t));
        }
        List<String> keys = new ArrayList<>(sorted.size() + 1);
        keys.addAll(sorted);
        keys.add(global);
        return keys;
    }

    /** The keys a write bumps: the global epoch when {@code unknown}, else one per table. */
    public List<String> forWrite(Collection<TableName> tables, boolean unknown) {
        if (unknown) {
            return List.of(global);
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (TableName t : tables) {
            sorted.add(tableKey(t));
        }
        return List.copyOf(sorted);
    }
}
