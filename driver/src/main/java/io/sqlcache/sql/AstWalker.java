package io.sqlcache.sql;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.UserVariable;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Sequence;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.ForMode;
import net.sf.jsqlparser.statement.select.MySqlSqlCacheFlags;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * Walks every node of a parsed statement and records the base tables it reads and anything
 * that forbids caching. Single use, not thread-safe.
 *
 * <p>It walks by reflection over every field of every JSqlParser node rather than with
 * JSqlParser's visitors on purpose: a visitor adapter that forgets to descend into some
 * clause would silently lose a table or a function call, and a lost table means stale
 * results. Reflection reaches every node by construction; the few places that need meaning
 * (CTE scopes, column qualifiers, function names, SELECT flags) are handled by type.
 */
final class AstWalker {

    private static final Set<String> SYSTEM_SCHEMAS =
            Set.of("information_schema", "performance_schema", "mysql", "sys");

    /** Fields worth walking, per JSqlParser class; parse-tree back links excluded. */
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()
                            || Node.class.isAssignableFrom(f.getType())) {
                        continue;
                    }
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
            return List.copyOf(fields);
        }
    };

    private final Set<TableName> tables = new LinkedHashSet<>();
    /** Every table reference that named a base table, in walk order: one per occurrence. */
    private final List<Table> occurrences = new ArrayList<>();
    private final List<String> reasons = new ArrayList<>();
    private final Deque<Set<String>> cteScopes = new ArrayDeque<>();
    private final IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
    private boolean mayWrite;
    private String lockReason;
    private Object root;

    /** How a LOCK IN SHARE MODE that the caller rewrote to FOR SHARE should be named. */
    AstWalker withLockReason(String reason) {
        this.lockReason = reason;
        return this;
    }

    /** Walks {@code root}; call once. */
    AstWalker walk(Object root) {
        this.root = root;
        visit(root);
        return this;
    }

    /** Base tables read, lowercased, CTE references excluded. */
    Set<TableName> tables() {
        return tables;
    }

    /** Every reference to a base table (CTE references and DUAL excluded), each once. */
    List<Table> occurrences() {
        return occurrences;
    }

    /** The first reason found not to cache, or {@code null}. */
    String firstReason() {
        return reasons.isEmpty() ? null : reasons.get(0);
    }

    /** True when the statement calls something that may write (a stored function, …). */
    boolean mayWrite() {
        return mayWrite;
    }

    static boolean isSystemSchema(String schema) {
        return schema != null && SYSTEM_SCHEMAS.contains(schema.toLowerCase(Locale.ROOT));
    }

    private void refuse(String reason) {
        reasons.add(reason);
    }

    private void visit(Object node) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            for (Object item : items) {
                visit(item);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                visit(e.getKey());
                visit(e.getValue());
            }
            return;
        }
        if (node instanceof Object[] array) {
            for (Object item : array) {
                visit(item);
            }
            return;
        }
        if (node instanceof Map.Entry<?, ?> e) {
            visit(e.getKey());
            visit(e.getValue());
            return;
        }
        Class<?> type = node.getClass();
        if (type.isEnum() || !type.getName().startsWith("net.sf.jsqlparser.")
                || type.getName().startsWith("net.sf.jsqlparser.parser.")) {
            return; // strings, numbers, enums: leaves; parser internals: not the AST
        }
        if (seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Statement && !(node instanceof Select) && node != root) {
            refuse("data-modifying statement inside a query");
            mayWrite = true;
        }
        if (node instanceof Select select) {
            visitSelect(select);
        } else if (node instanceof Table table) {
            table(table);
            fields(node, "partItems");
        } else if (node instanceof Column column) {
            column(column);
            fields(node, "table"); // the qualifier names a table or alias already in FROM
        } else if (node instanceof AllTableColumns) {
            fields(node, "table");
        } else {
            check(node);
            fields(node, null);
        }
    }

    private void fields(Object node, String skip) {
        for (Field f : FIELDS.get(node.getClass())) {
            if (f.getName().equals(skip)) {
                continue;
            }
            try {
                visit(f.get(node));
            } catch (IllegalAccessException e) {
                // cannot happen after setAccessible; refuse rather than miss a node
                refuse("unreadable syntax node " + node.getClass().getSimpleName());
            }
        }
    }

    private void visitSelect(Select select) {
        selectFlags(select);
        List<WithItem<?>> with = select.getWithItemsList();
        if (with == null || with.isEmpty()) {
            fields(select, null);
            return;
        }
        // MySQL: a CTE is visible in the query body and in later CTEs; with RECURSIVE also in
        // its own body. Anything else with that name is the base table.
        boolean recursive = with.stream().anyMatch(WithItem::isRecursive);
        Set<String> scope = new HashSet<>();
        cteScopes.push(scope);
        try {
            for (WithItem<?> item : with) {
                String name = unquote(item.getAliasName()).toLowerCase(Locale.ROOT);
                if (recursive) {
                    scope.add(name);
                }
                seen.put(item, Boolean.TRUE);
                visit(item.getParenthesedStatement());
                visit(item.getWithItemList());
                scope.add(name);
            }
            fields(select, "withItemsList");
        } finally {
            cteScopes.pop();
        }
    }

    private void selectFlags(Select select) {
        ForMode mode = select.getForMode();
        if (mode != null) {
            refuse(mode == ForMode.SHARE && lockReason != null ? lockReason : "FOR " + mode.getValue());
        }
        if (select.getForUpdateTable() != null || select.getForClause() != null) {
            refuse("FOR clause");
        }
        if (select instanceof PlainSelect plain) {
            if (plain.getIntoTables() != null || plain.getIntoTempTable() != null) {
                refuse("SELECT … INTO");
            }
            if (plain.getMySqlSqlCalcFoundRows()) {
                refuse("SQL_CALC_FOUND_ROWS");
            }
            if (plain.getMySqlSqlCacheFlag() == MySqlSqlCacheFlags.SQL_NO_CACHE) {
                refuse("SQL_NO_CACHE");
            }
        }
    }

    private void table(Table table) {
        TableName name = tableName(table);
        if (name == null) {
            refuse("unsupported table name " + table.getFullyQualifiedName());
            return;
        }
        if (name.schema() == null) {
            if (table.getNameParts().get(0).equalsIgnoreCase("dual")) {
                return; // unquoted DUAL is MySQL's dummy table, not a table
            }
            for (Set<String> scope : cteScopes) {
                if (scope.contains(name.name())) {
                    return;
                }
            }
        }
        if (isSystemSchema(name.schema())) {
            refuse("system schema " + name.schema());
        }
        tables.add(name);
        occurrences.add(table);
    }

    /**
     * The name of a table reference, unquoted and lowercased, or {@code null} when it is not
     * a MySQL name ({@code a.b.c}, or no name at all).
     */
    static TableName tableName(Table table) {
        List<String> parts = table.getNameParts(); // innermost first: name, schema, database…
        if (parts == null || parts.isEmpty() || parts.size() > 2 || parts.get(0) == null
                || parts.get(0).isEmpty()) {
            return null;
        }
        String schema = parts.size() > 1 && parts.get(1) != null ? unquote(parts.get(1)) : null;
        return new TableName(schema, unquote(parts.get(0)));
    }

    private void column(Column column) {
        String name = column.getColumnName();
        if (column.getTable() == null && name != null && Functions.bareKeywordFunction(name)) {
            refuse("non-deterministic function " + name.toUpperCase(Locale.ROOT));
        }
    }

    private void check(Object node) {
        if (node instanceof Function f) {
            List<String> parts = f.getMultipartName();
            String name = parts == null || parts.isEmpty() ? "" : String.join(".", parts);
            function(parts != null && parts.size() == 1 ? unquote(name) : name);
        } else if (node instanceof AnalyticExpression a) {
            function(a.getName());
        } else if (node instanceof TimeKeyExpression t) {
            String name = t.getStringValue();
            int paren = name.indexOf('(');
            refuse("non-deterministic function "
                    + (paren < 0 ? name : name.substring(0, paren)).trim().toUpperCase(Locale.ROOT));
        } else if (node instanceof UserVariable v) {
            refuse(v.isDoubleAdd() ? "system variable @@" + v.getName() : "user variable @" + v.getName());
        } else if (node instanceof NextValExpression || node instanceof Sequence) {
            refuse("sequence");
        }
    }

    private void function(String name) {
        if (name == null || name.isEmpty()) {
            refuse("unknown function");
            mayWrite = true;
        } else if (Functions.allowed(name)) {
            return;
        } else if (Functions.knownNonDeterministic(name)) {
            refuse("non-deterministic function " + name.toUpperCase(Locale.ROOT));
        } else {
            // a stored function may read other tables, depend on the session, or write
            refuse("unknown or stored function " + name);
            mayWrite = true;
        }
    }

    /** Strips MySQL back quotes (and ANSI double quotes), undoing doubled quote characters. */
    static String unquote(String name) {
        if (name == null || name.length() < 2) {
            return name;
        }
        char first = name.charAt(0);
        if ((first == '`' || first == '"') && name.charAt(name.length() - 1) == first) {
            String q = String.valueOf(first);
            return name.substring(1, name.length() - 1).replace(q + q, q);
        }
        return name;
    }
}
