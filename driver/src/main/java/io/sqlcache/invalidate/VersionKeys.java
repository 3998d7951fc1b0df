package io.sqlcache.invalidate;

import io.sqlcache.sql.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of the version counters in the store. A read checks the counter of every table it
 * reads plus the global epoch; a write bumps the counters of the tables it writes, or the
 * global epoch when it cannot know them (a CALL may write any schema). The layout is shared
 * by the driver and the proxy, so each invalidates what the other cached. Thread-safe: its
 * only state is a bounded cache of key names.
 *
 * <p>Layout under the prefix {@code p}: {@code p + "v:" + schema + "." + table} per table and
 * {@code p + "g"} for the epoch, {@code p + "write-sequence"} for the write sequence. Names are lowercased by {@link TableName}. Tables with an integer
 * primary key also have {@code p + "w:" + schema + "." + table} and, per bucket of
 * {@link RowScopes#BUCKET_ROWS} keys, {@code p + "b:" + schema + "." + table + ":" + n}
 * (created when first read or written; like table versions they have no TTL).
 *
 * <h2>Which read sees which write</h2>
 * A read of {@code t} is either whole-table (checks {@code v:t}) or restricted to buckets
 * {@code R} (checks {@code w:t} and {@code b:t:n} for n in R). A write to {@code t} is either
 * rows-known in buckets {@code W} (bumps {@code v:t} and {@code b:t:n} for n in W), rows-unknown
 * (bumps {@code v:t} and {@code w:t}) or tables-unknown (bumps {@code g}, which every read checks).
 * <pre>
 *                         write rows in W        write rows unknown    write tables unknown
 *   read whole table      miss (v:t)             miss (v:t)            miss (g)
 *   read buckets R        miss iff R∩W≠∅ (b:t)   miss (w:t)            miss (g)
 * </pre>
 * The one pair that stays a hit, a restricted read and a write to other buckets, is right
 * because every row the read can see has its key in R and every row the write changes has its
 * key, before and after, in W ({@link RowScopes} only claims that when it is provable). Every
 * write that is not rows-known, DDL and administrative flushes included, bumps {@code w:t}.
 * {@code VersionKeysTest} checks this table.
 */
public final class VersionKeys {

    /** Tables whose key names are kept; beyond, names are built per call (a schema per tenant...). */
    private static final int MAX_TABLES = 10_000;

    private final String prefix;
    private final String global;
    private final String sequence;
    /** Per table, its key names: every read of the table names them, most reads are hits. */
    private final ConcurrentHashMap<TableName, Names> names = new ConcurrentHashMap<>();

    public VersionKeys(String prefix) {
        this.prefix = prefix;
        this.global = prefix + "g";
        this.sequence = prefix + "write-sequence";
    }

    /**
     * The write sequence: advanced by every write's mark and settle, read with the versions by
     * every lookup (last), and stored in every entry. Its name ends as the store expects of a
     * sequence (never created at random).
     */
    public String sequenceKey() {
        return sequence;
    }

    /** A table's version key, whole-table key and the start of its bucket keys. */
    private record Names(String table, String whole, String bucketPrefix) {
    }

    private Names names(TableName t) {
        Names n = names.get(t);
        if (n == null) {
            String name = name(t);
            n = new Names(prefix + "v:" + name, prefix + "w:" + name, prefix + "b:" + name + ":");
            if (names.size() < MAX_TABLES) {
                names.putIfAbsent(t, n);
            }
        }
        return n;
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
        return names(table).table();
    }

    /** The version bumped by every write to {@code t} whose rows are not known. */
    public String wholeKey(TableName table) {
        return names(table).whole();
    }

    /** The version of bucket {@code n} of {@code t}'s primary key. */
    public String bucketKey(TableName table, long n) {
        return names(table).bucketPrefix() + n;
    }

    private static String name(TableName table) {
        if (table.schema() == null) {
            throw new IllegalArgumentException("table " + table + " has no schema");
        }
        return table.schema() + "." + table.name();
    }

    /**
     * The keys a read of {@code tables} checks, in a canonical order (sorted, then the global
     * epoch, then the write sequence, which is read but not compared like the others),
     * so every reader of the same tables lists the versions in the same order.
     */
    public List<String> forRead(Collection<TableName> tables) {
        return forRead(tables, Map.of());
    }

    /**
     * The keys a read checks: per table its version, or for a table in {@code buckets} its
     * whole-table key and those buckets' keys; canonical order, the global epoch then the write
     * sequence last.
     *
     * @param buckets per resolved table, the buckets the read is restricted to (never null)
     */
    public List<String> forRead(Collection<TableName> tables, Map<TableName, long[]> buckets) {
        if (tables.size() == 1) {
            // one table, whole or one bucket (a point read): the order below without sorting,
            // as "b:" sorts before "w:"
            TableName t = tables.iterator().next();
            long[] b = buckets.get(t);
            if (b == null) {
                return List.of(tableKey(t), global, sequence);
            }
            if (b.length == 1) {
                return List.of(bucketKey(t, b[0]), wholeKey(t), global, sequence);
            }
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (TableName t : tables) {
            long[] b = buckets.get(t);
            if (b == null) {
                sorted.add(tableKey(t));
            } else {
                sorted.add(wholeKey(t));
                for (long n : b) {
                    sorted.add(bucketKey(t, n));
                }
            }
        }
        List<String> keys = new ArrayList<>(sorted.size() + 2);
        keys.addAll(sorted);
        keys.add(global);
        keys.add(sequence);
        return keys;
    }

    /**
     * The keys a write bumps: the global epoch when {@code unknown}, else per table its version
     * and its whole-table key (rows unknown).
     */
    public List<String> forWrite(Collection<TableName> tables, boolean unknown) {
        return forWrite(tables, unknown, Map.of());
    }

    /**
     * The keys a write bumps: the global epoch when {@code unknown}; else per table its version,
     * plus the keys of its buckets in {@code buckets} or, for a table not there, its whole-table key.
     *
     * @param buckets per resolved table, the buckets holding every row the write changed (never null)
     */
    public List<String> forWrite(Collection<TableName> tables, boolean unknown, Map<TableName, long[]> buckets) {
        if (unknown) {
            return List.of(global);
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (TableName t : tables) {
            sorted.add(tableKey(t));
            long[] b = buckets.get(t);
            if (b == null) {
                sorted.add(wholeKey(t));
            } else {
                for (long n : b) {
                    sorted.add(bucketKey(t, n));
                }
            }
        }
        return List.copyOf(sorted);
    }
}
