package io.sqlcache.invalidate;

import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.TableName;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Reads and writes a statement does not show, from the server's catalog: views, triggers and
 * cascading foreign keys. One per cache runtime; inside it, one model per database server
 * (named by the caller's scope string) and per schema. Thread-safe.
 *
 * <h2>The scheme</h2>
 * <ul>
 *   <li><b>Reads expand views to base tables.</b> A read of view {@code v} checks the versions
 *       of {@code v} and of every table and view its definition reads, transitively (nested
 *       views, views in other schemas). So a write to a base table never needs to know which
 *       views sit over it, and {@code CREATE OR REPLACE VIEW v}, which bumps {@code v}, makes
 *       every entry that read {@code v} miss. A view whose definition calls a function that is
 *       not a known deterministic built-in, reads a system schema, or cannot be seen or parsed
 *       is never cached.</li>
 *   <li><b>Writes expand to what the server writes by itself.</b> A write to {@code t} also
 *       bumps every table written by {@code t}'s triggers (whatever their event: a REPLACE or an
 *       upsert fires several), every child of a foreign key on {@code t} whose ON DELETE or ON
 *       UPDATE rule is CASCADE, SET NULL or SET DEFAULT, and, for a write through an updatable
 *       view, the view's base tables; all transitively. Views over any of those need no bump,
 *       by the read rule. A trigger body the analyzer cannot follow (a {@code BEGIN … END}
 *       compound, a CALL, a stored function) makes the write "unknown": the global epoch is
 *       bumped.</li>
 * </ul>
 *
 * <h2>Freshness</h2>
 * A schema's model is loaded the first time a statement touches the schema, then reused until
 * (a) any connection of this JVM runs DDL or a statement whose writes are unknown (a procedure
 * may run DDL): {@link #catalogChanged()} discards every model of every runtime; or (b) it is
 * older than {@code maxAge}, because DDL run by another process is invisible to us: a view,
 * trigger or foreign key created elsewhere is followed at most {@code maxAge} later. A catalog
 * that cannot be read (the server unreachable, a timeout) counts as unreadable for
 * {@link #FAILURE_AGE}: reads of the schema bypass the cache with that reason and writes to it
 * bump the global epoch. A user without the TRIGGER privilege on a schema cannot see its
 * triggers: writes to that schema bump the global epoch.
 *
 * <p>The catalog is read on a connection of its own, opened through the caller's
 * {@link CatalogConnector} for one expansion and closed at its end, so the application's
 * session, transaction, warnings and counters are never touched. Loads of one server are
 * serialised; a read or write that needs no load takes no lock.
 */
public final class Dependencies {

    /** The longest a model is trusted without a reload, whatever the TTL. */
    public static final Duration MAX_AGE_CAP = Duration.ofSeconds(60);
    /** How long an unreadable catalog is remembered before it is tried again. */
    public static final Duration FAILURE_AGE = Duration.ofSeconds(5);

    /** More tables than this in one expansion: something is odd, be conservative. */
    static final int MAX_TABLES = 10_000;

    private static final System.Logger LOG = System.getLogger(Dependencies.class.getName());
    /** Bumped by every DDL seen in this JVM; a model loaded under an older value is stale. */
    private static final AtomicLong GENERATION = new AtomicLong();

    private final Function<String, SqlAnalysis> analyzer;
    private final long maxAgeNanos;
    private final long failureAgeNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Server> servers = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();

    /**
     * @param analyzer analyses view definitions and trigger bodies (thread-safe, never null)
     * @param maxAge   how long a model is trusted; capped at {@link #MAX_AGE_CAP}
     */
    public Dependencies(Function<String, SqlAnalysis> analyzer, Duration maxAge) {
        this(analyzer, maxAge, System::nanoTime);
    }

    Dependencies(Function<String, SqlAnalysis> analyzer, Duration maxAge, LongSupplier nanoClock) {
        this.analyzer = Objects.requireNonNull(analyzer, "analyzer");
        Duration age = maxAge.compareTo(MAX_AGE_CAP) > 0 ? MAX_AGE_CAP : maxAge;
        this.maxAgeNanos = age.toNanos();
        this.failureAgeNanos = Math.min(age.toNanos(), FAILURE_AGE.toNanos());
        this.nanoClock = nanoClock;
    }

    /**
     * Declares that the catalog may have changed (DDL, or a statement whose effects are
     * unknown): every model of every runtime in this JVM is reloaded before its next use. Call
     * it after the statement ran, before it returns to the application.
     */
    public static void catalogChanged() {
        GENERATION.incrementAndGet();
    }

    /** How many schema models were loaded from a catalog (for tests and diagnostics). */
    public long loads() {
        return loads.get();
    }

    /**
     * What a read of {@code tables} depends on.
     *
     * @param tables the tables a statement names, schemas resolved (non-null)
     * @param bypass {@code null}, or why the read may not be cached
     */
    public record Reads(Set<TableName> tables, String bypass) {

        static Reads bypassing(String why) {
            return new Reads(Set.of(), why);
        }
    }

    /**
     * What a write of some tables changes.
     *
     * @param tables  the tables to bump (including the written ones)
     * @param unknown true when the global epoch must be bumped instead
     */
    public record Writes(Set<TableName> tables, boolean unknown) {
    }

    /**
     * The tables a read of {@code tables} depends on: them, and for views their base tables
     * transitively; or a bypass reason. Never throws.
     *
     * @param server    names the database server (the same string for every connection to it)
     * @param connector opens a catalog connection, used only when a model must be loaded
     * @param tables    resolved table names (schema non-null)
     */
    public Reads expandRead(String server, CatalogConnector connector, Collection<TableName> tables) {
        return expandRead(server, connector, tables, true);
    }

    /**
     * {@link #expandRead} from the models already loaded and fresh, without blocking: no
     * catalog query, no lock. For event loops, which then ask {@link #expandRead} elsewhere
     * when this says it cannot answer.
     *
     * @return the same answer {@link #expandRead} would give, or {@code null} when a model of
     *         a schema involved is missing or stale and would have to be loaded
     */
    public Reads expandReadIfLoaded(String server, Collection<TableName> tables) {
        return expandRead(server, null, tables, false);
    }

    private Reads expandRead(String server, CatalogConnector connector, Collection<TableName> tables, boolean load) {
        // the set and the work queue are made at the first view: most reads name base tables
        // only, and this runs on every cached read, hits included
        Set<TableName> out = null;
        Deque<TableName> work = null;
        Iterator<TableName> named = tables.iterator();
        try (Loader loader = new Loader(server(server), connector)) {
            while (named.hasNext() || work != null && !work.isEmpty()) {
                TableName t = named.hasNext() ? named.next() : work.pop();
                SchemaModel m = load ? loader.model(t.schema()) : loader.loadedModel(t.schema());
                if (m == null) {
                    return null;
                }
                if (m.unreadable() != null) {
                    return Reads.bypassing("catalog of schema " + t.schema() + " unreadable: " + m.unreadable());
                }
                SchemaModel.View v = m.view(t.name());
                if (v == null) {
                    continue;
                }
                if (v.bypass() != null) {
                    return Reads.bypassing(v.bypass());
                }
                if (out == null) {
                    out = new LinkedHashSet<>(tables);
                    work = new ArrayDeque<>();
                }
                for (TableName base : v.reads()) {
                    if (out.add(base)) {
                        work.add(base);
                    }
                }
                if (out.size() > MAX_TABLES) {
                    return Reads.bypassing("view " + t + " reads over " + MAX_TABLES + " tables");
                }
            }
        }
        return new Reads(Set.copyOf(out == null ? tables : out), null);
    }

    /**
     * The tables a write of {@code tables} changes: them, the tables their triggers write, the
     * children of their cascading foreign keys and, for views, their base tables, all
     * transitively; or {@code unknown} when that cannot be known. Never throws.
     *
     * @param server    names the database server
     * @param connector opens a catalog connection, used only when a model must be loaded
     * @param tables    resolved table names (schema non-null)
     */
    public Writes expandWrite(String server, CatalogConnector connector, Collection<TableName> tables) {
        Set<TableName> out = new LinkedHashSet<>(tables);
        Deque<TableName> work = new ArrayDeque<>(tables);
        try (Loader loader = new Loader(server(server), connector)) {
            while (!work.isEmpty()) {
                TableName t = work.pop();
                SchemaModel m = loader.model(t.schema());
                if (m.unreadable() != null) {
                    return unknown(out, "catalog of schema " + t.schema() + " unreadable: " + m.unreadable());
                }
                if (!m.triggersVisible()) {
                    return unknown(out, "no TRIGGER privilege on schema " + t.schema());
                }
                SchemaModel.TriggerWrites tw = m.triggers(t.name());
                if (tw != null && tw.unknown()) {
                    return unknown(out, tw.why());
                }
                Set<TableName> more = new LinkedHashSet<>(m.cascades(t.name()));
                if (tw != null) {
                    more.addAll(tw.tables());
                }
                SchemaModel.View v = m.view(t.name());
                if (v != null) {
                    if (v.bypass() != null && v.reads().isEmpty()) {
                        return unknown(out, v.bypass()); // a write through a view we cannot see into
                    }
                    more.addAll(v.reads());
                }
                for (TableName next : more) {
                    if (out.add(next)) {
                        work.add(next);
                    }
                }
                if (out.size() > MAX_TABLES) {
                    return unknown(out, "a write of " + t + " reaches over " + MAX_TABLES + " tables");
                }
            }
        }
        return new Writes(Set.copyOf(out), false);
    }

    /**
     * The integer primary keys of {@code tables} that row-range versions may use ({@link RowScopes}):
     * for a read, every table that has one, but none at all when some table is a view or a
     * catalog is unreadable (a view reads its base tables without the statement's conditions);
     * for a write, only tables with no trigger and no cascading foreign key of which they are the
     * parent (a trigger may change the key, a cascade other rows), in schemas whose triggers we
     * can all see. Never throws; empty when in doubt.
     *
     * @param connector the catalog, or {@code null} to use only models already loaded and fresh
     *                  (never a query, never a wait: for event loops)
     * @param tables resolved table names (schema non-null)
     */
    public java.util.Map<TableName, RowKey> rowKeys(String server, CatalogConnector connector,
            Collection<TableName> tables, boolean write) {
        java.util.Map<TableName, RowKey> out = new java.util.HashMap<>();
        try (Loader loader = new Loader(server(server), connector)) {
            for (TableName t : tables) {
                SchemaModel m = rowModel(loader, connector, t);
                if (m == null) {
                    return java.util.Map.of();
                }
                RowKey key = rowKey(m, t, write);
                if (key != null) {
                    out.put(t, key);
                }
            }
        }
        return out;
    }

    /**
     * {@link #rowKeys} of one table, without a map (a point read asks it on every execution).
     *
     * @return its row key, or null when it has none (or its model cannot answer)
     */
    public RowKey rowKey(String server, CatalogConnector connector, TableName table, boolean write) {
        try (Loader loader = new Loader(server(server), connector)) {
            SchemaModel m = rowModel(loader, connector, table);
            return m == null ? null : rowKey(m, table, write);
        }
    }

    /** The model that says {@code t}'s row key, or null when none can (missing, unreadable, a view). */
    private static SchemaModel rowModel(Loader loader, CatalogConnector connector, TableName t) {
        // without a connector (event loops), only models already loaded and fresh
        SchemaModel m = connector == null ? loader.loadedModel(t.schema()) : loader.model(t.schema());
        return m == null || m.unreadable() != null || m.view(t.name()) != null ? null : m;
    }

    private static RowKey rowKey(SchemaModel m, TableName t, boolean write) {
        if (write && (!m.triggersVisible() || m.triggers(t.name()) != null || !m.cascades(t.name()).isEmpty())) {
            return null; // a trigger or a cascade may change other rows: no write is row-scoped
        }
        return m.rowKey(t.name());
    }

    private static Writes unknown(Set<TableName> tables, String why) {
        LOG.log(Level.DEBUG, () -> "sqlcache: write of " + tables + " bumps the global epoch: " + why);
        return new Writes(Set.copyOf(tables), true);
    }

    private Server server(String name) {
        return servers.computeIfAbsent(name, n -> new Server());
    }

    /**
     * @param generation the generation when the caller started to look: a model whose catalog was
     *                   read after that (its generation, read before the catalog, is at least as
     *                   new) shows every DDL that finished before the caller's statement
     */
    private boolean fresh(SchemaModel m, long now, long generation) {
        if (m == null || m.generation() < generation) {
            return false;
        }
        long age = now - m.loadedAtNanos();
        return age < (m.unreadable() == null ? maxAgeNanos : failureAgeNanos);
    }

    /** The models of one database server's schemas. */
    private static final class Server {
        final ConcurrentHashMap<String, SchemaModel> schemas = new ConcurrentHashMap<>();
    }

    /**
     * One expansion's access to the models: fresh ones without a lock, stale or missing ones
     * loaded under the server's lock on a catalog connection opened at most once per expansion.
     */
    private final class Loader implements AutoCloseable {
        private final Server server;
        private final CatalogConnector connector;
        private Connection connection;
        private boolean connectFailed;

        Loader(Server server, CatalogConnector connector) {
            this.server = server;
            this.connector = connector;
        }

        /** The schema's model when it is loaded and fresh, else {@code null}; never loads nor waits. */
        SchemaModel loadedModel(String schema) {
            long generation = GENERATION.get();
            SchemaModel m = server.schemas.get(schema);
            return fresh(m, nanoClock.getAsLong(), generation) ? m : null;
        }

        SchemaModel model(String schema) {
            // read once, before waiting: a load another thread starts meanwhile serves us too, so a
            // stream of DDL elsewhere makes waiters share loads instead of reloading one by one
            long generation = GENERATION.get();
            SchemaModel m = server.schemas.get(schema);
            if (fresh(m, nanoClock.getAsLong(), generation)) {
                return m;
            }
            synchronized (server) {
                m = server.schemas.get(schema);
                if (fresh(m, nanoClock.getAsLong(), generation)) {
                    return m; // another thread loaded it while we waited
                }
                m = load(schema);
                server.schemas.put(schema, m);
                return m;
            }
        }

        private SchemaModel load(String schema) {
            // the generation is read before the catalog: DDL that lands during the load makes it stale
            long generation = GENERATION.get();
            long now = nanoClock.getAsLong();
            loads.incrementAndGet();
            SQLException failure = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    Connection c = connection();
                    return SchemaModel.build(schema, generation, now, CatalogReader.read(c, schema), analyzer);
                } catch (SQLException | RuntimeException e) {
                    failure = e instanceof SQLException s ? s : new SQLException(e);
                    closeConnection();
                    if (connectFailed) {
                        break;
                    }
                }
            }
            String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
            LOG.log(Level.WARNING, "sqlcache: cannot read the catalog of schema " + schema
                    + " (reads of it bypass the cache, writes to it invalidate everything): " + why);
            return SchemaModel.unreadable(schema, generation, now, why);
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                try {
                    connection = Objects.requireNonNull(connector.open(), "catalog connection");
                } catch (SQLException | RuntimeException e) {
                    connectFailed = true;
                    throw e;
                }
            }
            return connection;
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException | RuntimeException e) {
                    // nothing to do: it is gone either way
                }
                connection = null;
            }
        }

        @Override
        public void close() {
            closeConnection();
        }
    }
}
