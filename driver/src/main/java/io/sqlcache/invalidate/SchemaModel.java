package io.sqlcache.invalidate;

import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.sql.TableName;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What one schema's catalog implies for the cache, as of one load: which of its tables are
 * views and what they read, which tables its triggers write, and which tables change when one
 * of its tables does through a cascading foreign key. Immutable and thread-safe.
 *
 * <p>Names are lowercased, as everywhere in the cache; two objects whose names differ only in
 * case (possible with {@code lower_case_table_names=0}) are merged, which over-approximates
 * both: safe.
 */
final class SchemaModel {

    /**
     * A view: the tables and views its definition reads, or why a read of it may not be cached.
     *
     * @param reads  what the definition names directly (other views are expanded by the caller)
     * @param bypass {@code null}, or why no read of the view may be cached (a non-deterministic
     *               or stored function, a definition we cannot see or parse)
     */
    record View(Set<TableName> reads, String bypass) {
    }

    /** The tables a table's triggers write; {@code unknown} when some trigger body is not understood. */
    record TriggerWrites(Set<TableName> tables, boolean unknown, String why) {
    }

    private final String schema;
    private final long generation;
    private final long loadedAtNanos;
    private final String unreadable;
    private final Map<String, View> views;
    private final Map<String, TriggerWrites> triggers;
    private final Map<String, Set<TableName>> cascades;
    private final boolean triggersVisible;
    private final Map<String, RowKey> rowKeys;

    private SchemaModel(String schema, long generation, long loadedAtNanos, String unreadable,
            Map<String, View> views, Map<String, TriggerWrites> triggers, Map<String, Set<TableName>> cascades,
            boolean triggersVisible, Map<String, RowKey> rowKeys) {
        this.schema = schema;
        this.rowKeys = Map.copyOf(rowKeys);
        this.generation = generation;
        this.loadedAtNanos = loadedAtNanos;
        this.unreadable = unreadable;
        this.views = Map.copyOf(views);
        this.triggers = Map.copyOf(triggers);
        this.cascades = Map.copyOf(cascades);
        this.triggersVisible = triggersVisible;
    }

    /** A schema whose catalog could not be read: reads of it bypass, writes to it bump everything. */
    static SchemaModel unreadable(String schema, long generation, long loadedAtNanos, String why) {
        return new SchemaModel(schema, generation, loadedAtNanos, why, Map.of(), Map.of(), Map.of(), false, Map.of());
    }

    /**
     * Builds the model of {@code schema} from its catalog, analysing view definitions and
     * trigger bodies with {@code analyzer}. Unqualified names in a view or trigger resolve
     * against the schema the object lives in, as the server resolves them.
     */
    static SchemaModel build(String schema, long generation, long loadedAtNanos, CatalogReader.Catalog catalog,
            Function<String, SqlAnalysis> analyzer) {
        Map<String, View> views = new HashMap<>();
        for (CatalogReader.ViewRow row : catalog.views()) {
            View view = view(row, analyzer);
            views.merge(row.view().name(), view, SchemaModel::mergeViews);
        }
        Map<String, TriggerWrites> triggers = new HashMap<>();
        for (CatalogReader.TriggerRow row : catalog.triggers()) {
            triggers.merge(row.table().name(), trigger(row, analyzer), SchemaModel::mergeTriggers);
        }
        Map<String, Set<TableName>> cascades = new HashMap<>();
        for (CatalogReader.CascadeRow row : catalog.cascades()) {
            cascades.computeIfAbsent(row.parent().name(), k -> new LinkedHashSet<>()).add(row.child());
        }
        cascades.replaceAll((k, v) -> Set.copyOf(v));
        return new SchemaModel(schema, generation, loadedAtNanos, null, views, triggers, cascades,
                catalog.triggersVisible(), rowKeys(catalog.primaryKeys()));
    }

    /** Tables whose primary key is one integer column that no expression generates. */
    private static Map<String, RowKey> rowKeys(java.util.List<CatalogReader.PrimaryKeyRow> rows) {
        Map<String, java.util.List<CatalogReader.PrimaryKeyRow>> byTable = new HashMap<>();
        for (CatalogReader.PrimaryKeyRow row : rows) {
            byTable.computeIfAbsent(row.table().name(), k -> new java.util.ArrayList<>()).add(row);
        }
        Map<String, RowKey> out = new HashMap<>();
        byTable.forEach((table, columns) -> {
            if (columns.size() == 1) {
                RowKey key = RowKey.of(columns.get(0));
                if (key != null) {
                    out.put(table, key);
                }
            }
        });
        return out;
    }

    private static View view(CatalogReader.ViewRow row, Function<String, SqlAnalysis> analyzer) {
        String definition = row.definition();
        if (definition == null || definition.isBlank()) {
            // MySQL shows the definition only to its definer and to holders of SHOW VIEW
            return new View(Set.of(), "definition of view " + row.view() + " not visible");
        }
        SqlAnalysis a = analyzer.apply(definition);
        if (a.kind() != StatementKind.READ) {
            return new View(Set.of(), "definition of view " + row.view() + " not understood");
        }
        Set<TableName> reads = new LinkedHashSet<>();
        for (TableName t : a.tablesRead()) {
            reads.add(t.resolve(row.view().schema()));
        }
        String bypass = a.bypassReason() == null ? null : "view " + row.view() + ": " + a.bypassReason();
        return new View(Set.copyOf(reads), bypass);
    }

    private static View mergeViews(View a, View b) {
        Set<TableName> reads = new HashSet<>(a.reads());
        reads.addAll(b.reads());
        return new View(Set.copyOf(reads), a.bypass() != null ? a.bypass() : b.bypass());
    }

    private static TriggerWrites trigger(CatalogReader.TriggerRow row, Function<String, SqlAnalysis> analyzer) {
        String body = row.body();
        String label = "trigger " + row.triggerSchema() + "." + row.name();
        if (body == null || body.isBlank()) {
            return new TriggerWrites(Set.of(), true, label + " body not visible");
        }
        SqlAnalysis a = analyzer.apply(body);
        if (a.kind() == StatementKind.SET && !a.writesUnknown()) {
            return new TriggerWrites(Set.of(), false, null); // SET NEW.col = …: changes only the row being written
        }
        if (a.kind() != StatementKind.WRITE || a.writesUnknown()) {
            // a BEGIN … END compound, a CALL, a stored function, or anything else we cannot follow
            return new TriggerWrites(Set.of(), true, label + ": " + a.bypassReason());
        }
        Set<TableName> written = new LinkedHashSet<>();
        for (TableName t : a.tablesWritten()) {
            written.add(t.resolve(row.triggerSchema()));
        }
        return new TriggerWrites(Set.copyOf(written), false, null);
    }

    private static TriggerWrites mergeTriggers(TriggerWrites a, TriggerWrites b) {
        Set<TableName> tables = new HashSet<>(a.tables());
        tables.addAll(b.tables());
        return new TriggerWrites(Set.copyOf(tables), a.unknown() || b.unknown(), a.why() != null ? a.why() : b.why());
    }

    String schema() {
        return schema;
    }

    long generation() {
        return generation;
    }

    long loadedAtNanos() {
        return loadedAtNanos;
    }

    /** Why the catalog could not be read, or {@code null} when it was. */
    String unreadable() {
        return unreadable;
    }

    /** The view of that name in this schema, or {@code null} when it is not a (known) view. */
    View view(String name) {
        return views.get(name);
    }

    /** What the triggers of that table write, or {@code null} when it has none. */
    TriggerWrites triggers(String name) {
        return triggers.get(name);
    }

    /** The tables that change through cascading foreign keys when that table changes; never null. */
    Set<TableName> cascades(String name) {
        return cascades.getOrDefault(name, Set.of());
    }

    /** False when the user lacks the TRIGGER privilege, so some triggers may be missing. */
    boolean triggersVisible() {
        return triggersVisible;
    }

    /** The single integer primary-key column of that table, or {@code null}. */
    RowKey rowKey(String name) {
        return rowKeys.get(name);
    }

    int viewCount() {
        return views.size();
    }
}
