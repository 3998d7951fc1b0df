package io.sqlcache.invalidate;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a plain connection of the real driver to the same server as an application's
 * connection, for reading the catalog ({@code information_schema}) outside the application's
 * session: its statements, warnings, transaction and session counters stay untouched.
 *
 * <p>Implementations must be thread-safe; the caller closes what {@link #open()} returns.
 */
@FunctionalInterface
public interface CatalogConnector {

    /**
     * A new connection; never {@code null}.
     *
     * @throws SQLException when the server cannot be reached: the catalog then counts as
     *                      unreadable and the cache is conservative for it
     */
    Connection open() throws SQLException;
}
