package io.sqlcache.core;

import java.util.Locale;

/**
 * A session's transaction isolation level, as far as the cache must know it. What each level
 * allows is decided in {@link ReadPolicy}; this type only names them.
 */
public enum Isolation {
    READ_UNCOMMITTED,
    READ_COMMITTED,
    REPEATABLE_READ,
    SERIALIZABLE,
    /**
     * The server's default, never changed on this session: what the proxy knows when the client
     * set nothing (it never injects a query to ask). Not READ UNCOMMITTED: a server whose global
     * default is READ UNCOMMITTED is not supported by the proxy (README, guarantees).
     */
    SERVER_DEFAULT,
    /** Changed in a way that could not be followed: nothing may be assumed. */
    UNKNOWN;

    /**
     * The level a server variable names ({@code REPEATABLE-READ}, {@code read committed}, …);
     * {@link #UNKNOWN} for null or anything else.
     */
    public static Isolation parse(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        return switch (value.trim().toUpperCase(Locale.ROOT).replace('_', '-').replace(' ', '-')) {
            case "READ-UNCOMMITTED" -> READ_UNCOMMITTED;
            case "READ-COMMITTED" -> READ_COMMITTED;
            case "REPEATABLE-READ" -> REPEATABLE_READ;
            case "SERIALIZABLE" -> SERIALIZABLE;
            default -> UNKNOWN;
        };
    }

    /** As MySQL spells it in {@code @@transaction_isolation}, for bypass reasons users read. */
    public String label() {
        return switch (this) {
            case SERVER_DEFAULT -> "server default";
            case UNKNOWN -> "unknown";
            default -> name().replace('_', '-');
        };
    }
}
