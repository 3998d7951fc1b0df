package io.sqlcache.codec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;

/**
 * One shared, immutable instance of each recently seen list of column metadata. Every entry of a
 * statement has the same columns, and the metadata of a column is some thirty strings: held once
 * per entry, it was about half the heap of the decoded entries a process keeps (issue 5: 15k
 * local copies of a 6-column point read held 92k {@link ColumnMeta} and 500k strings). Bounded;
 * a list not in the cache is simply kept as it is. Thread-safe.
 */
final class ColumnLists {

    /** Distinct result shapes remembered; beyond, the least recently used are forgotten. */
    private static final int MAX_LISTS = 4096;

    private static final Cache<List<ColumnMeta>, List<ColumnMeta>> LISTS = Caffeine.newBuilder()
            .maximumSize(MAX_LISTS)
            .executor(Runnable::run)
            .build();

    private ColumnLists() {
    }

    /** An immutable list equal to {@code columns}, the same instance for equal lists while remembered. */
    static List<ColumnMeta> canonical(List<ColumnMeta> columns) {
        List<ColumnMeta> known = LISTS.getIfPresent(columns);
        if (known != null) {
            return known;
        }
        List<ColumnMeta> copy = List.copyOf(columns);
        List<ColumnMeta> raced = LISTS.asMap().putIfAbsent(copy, copy);
        return raced == null ? copy : raced;
    }
}
