package io.sqlcache.core;

import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.invalidate.RowScopes;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides whether a read may use the cache, for the driver and the proxy
 * alike. They only translate: the driver adds what JDBC asks for (scrollable, updatable or
 * streaming result sets), the proxy what the protocol does (cursors, long data); the rules of
 * statements, sessions and transactions are here.
 *
 * <p>A decision has three steps so that the proxy never reads the catalog on an event loop:
 * <ol>
 *   <li>{@link #named}: the statement and the session (never blocks);</li>
 *   <li>{@link #expand}: views to their base tables and the primary-key buckets the read is
 *       restricted to (may read the server's catalog, unless told to use loaded models only);</li>
 *   <li>{@link #expanded}: the transaction's own writes against every table the read depends on
 *       (never blocks).</li>
 * </ol>
 * {@link #plan} runs the three in a row, for callers that may block. Thread-safe: it keeps no
 * state of its own; the session view is read on the caller's thread.
 */
public final class ReadPolicy {

    private final Dependencies dependencies;

    public ReadPolicy(Dependencies dependencies) {
        this.dependencies = dependencies;
    }

    /**
     * All three steps, reading the catalog when a model is not loaded.
     *
     * @param server        names the database server whose catalog applies
     * @param catalog       opens a connection to read that catalog
     * @param integerParams the statement's parameters as integers (null entries for others),
     *                      or {@code null} when unknown
     */
    public ReadDecision plan(SqlAnalysis analysis, SessionView session, String server, CatalogConnector catalog,
                             Long[] integerParams) {
        ReadDecision named = named(analysis, session);
        if (named.bypass() != null) {
            return named;
        }
        return expanded(expand(named, analysis, session.schema(), server, catalog, integerParams), session);
    }

    /**
     * Step 1: whether the statement and the session allow the cache at all, and the tables the
     * statement names with their schemas resolved. Never blocks (the prober may ask the session
     * when temporary tables are unknown: the driver's runs one statement on its own connection).
     */
    public ReadDecision named(SqlAnalysis analysis, SessionView session) {
        if (!analysis.cacheable()) {
            return ReadDecision.bypass(analysis.bypassReason());
        }
        String state = session.stateBypass();
        if (state != null) {
            return ReadDecision.bypass(state);
        }
        String schema = session.schema();
        Set<TableName> tables = analysis.tablesRead().size() == 1 ? null : new LinkedHashSet<>();
        for (TableName t : analysis.tablesRead()) {
            TableName r = t.resolve(schema);
            if (r.schema() == null) {
                return ReadDecision.bypass("no current schema");
            }
            if (SqlAnalyzer.isSystemSchema(r.schema())) {
                // unqualified names read from a system schema made current with USE
                return ReadDecision.bypass("system schema " + r.schema());
            }
            if (tables == null) {
                // one table, the usual read: an immutable set is what expandRead returns, so it
                // returns this one as it is rather than copying it on every hit
                tables = Set.of(r);
            } else {
                tables.add(r);
            }
        }
        String temporary = session.temporaryTables().bypass(tables, session.temporaryTableProber());
        if (temporary != null) {
            return ReadDecision.bypass(temporary);
        }
        if (!session.inTransaction()) {
            String isolation = autocommitBypass(session.isolation());
            return isolation != null ? ReadDecision.bypass(isolation)
                    : new ReadDecision(null, tables, Map.of(), ReadDecision.ANY_SNAPSHOT);
        }
        if (session.writeSet().touches(tables)) {
            return ReadDecision.bypass("table written in this transaction");
        }
        Isolation isolation = session.isolation();
        switch (isolation) {
            case READ_COMMITTED -> {
                // every statement reads the latest committed rows: what a current entry holds
                return new ReadDecision(null, tables, Map.of(), ReadDecision.ANY_SNAPSHOT);
            }
            case REPEATABLE_READ -> {
                if (RaceHooks.naiveRepeatableRead) {
                    return new ReadDecision(null, tables, Map.of(), ReadDecision.ANY_SNAPSHOT);
                }
                long snapshot = session.transactionSnapshot();
                if (snapshot < 0) {
                    return ReadDecision.bypass("transaction snapshot taken before the cache could see it");
                }
                return new ReadDecision(null, tables, Map.of(), snapshot);
            }
            default -> {
                // SERIALIZABLE: InnoDB turns plain reads into locking reads; READ UNCOMMITTED:
                // dirty rows; unknown or the server's unknown default: nothing to prove it by
                return ReadDecision.bypass("transaction snapshot (" + isolation.label() + ")");
            }
        }
    }

    /**
     * The rule of isolation levels in autocommit: READ UNCOMMITTED is never cached (dirty rows of
     * other transactions may be rolled back) and neither is a level that could not be followed.
     * In a transaction: the transaction's own writes are read from the server (read your writes);
     * READ COMMITTED is served any current entry, REPEATABLE READ only entries proven to hold its
     * snapshot's rows ({@link Freshness}), and nothing else.
     */
    private static String autocommitBypass(Isolation isolation) {
        return switch (isolation) {
            case READ_UNCOMMITTED -> "READ-UNCOMMITTED isolation";
            case UNKNOWN -> "isolation level unknown";
            default -> null;
        };
    }

    /**
     * Step 2: the tables a read depends on through views, and the primary-key buckets it is
     * restricted to ({@link RowScopes}).
     *
     * @param named   a decision of {@link #named} that allows the cache
     * @param schema  the session's current schema (null when unknown)
     * @param catalog reads the catalog when a model is not loaded; {@code null}: loaded models
     *                only, and this returns {@code null} when one is missing
     * @return the expanded decision (its bypass set when a view cannot be cached), or
     *         {@code null} when {@code catalog} is null and a model must be loaded first
     */
    public ReadDecision expand(ReadDecision named, SqlAnalysis analysis, String schema, String server,
                               CatalogConnector catalog, Long[] integerParams) {
        Dependencies.Reads reads = catalog == null ? dependencies.expandReadIfLoaded(server, named.tables())
                : dependencies.expandRead(server, catalog, named.tables());
        if (reads == null) {
            return null;
        }
        if (reads.bypass() != null) {
            return ReadDecision.bypass(reads.bypass());
        }
        Map<TableName, long[]> buckets = RowScopes.forRead(dependencies, server, catalog, schema, analysis,
                reads.tables(), integerParams);
        return named.with(reads.tables(), buckets);
    }

    /** Step 3: the transaction's own writes against every table the read depends on. */
    public ReadDecision expanded(ReadDecision expanded, SessionView session) {
        if (expanded.bypass() == null && session.inTransaction() && session.writeSet().touches(expanded.tables())) {
            // a view over a table this transaction wrote
            return ReadDecision.bypass("table written in this transaction");
        }
        return expanded;
    }
}
