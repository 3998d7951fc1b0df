package io.sqlcache.sql;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.DescribeStatement;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.UnsupportedStatement;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.alter.AlterOperation;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.execute.Execute;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;

import io.sqlcache.sql.SqlText.Token;

/**
 * Decides what a SQL text does: its kind, the tables it reads and writes, and whether its
 * result may be cached. Classifications are kept per exact text in a bounded cache, so a repeated
 * statement is parsed once; and cacheable reads also per {@linkplain SqlText#shape shape} (the
 * text with its number and string literals replaced by markers), so {@code … WHERE id = 43}
 * after {@code … WHERE id = 42} costs a lex, not a JSqlParser parse. That is sound because a
 * literal's value never decides which tables a SELECT reads nor whether it may be cached: the
 * walker looks at tables, functions, variables and clauses, never at values; a shape keeps
 * every name (digits after a dot or an at sign stay), and texts whose reading depends on
 * backslashes or that hold executable comments have no shape. The key text stays the
 * statement's own, literals included.
 *
 * <p>The rule throughout: when unsure, not cacheable, and when the written tables are
 * unsure, {@code writesUnknown}. A wrong "cacheable" serves stale or foreign rows; a wrong
 * "not cacheable" only costs a round trip.
 *
 * <p>Thread-safe: one instance is meant to be shared by every connection.
 */
public final class SqlAnalyzer {

    /** A parse that takes longer than this is abandoned; the text counts as unparseable. */
    static final long PARSE_TIMEOUT_MS = 5_000;
    static final String TIMED_OUT = "unparseable: parse timed out";

    /**
     * Texts longer than this are analysed on every call and not kept, so a few huge
     * generated statements cannot hold the cache's memory.
     */
    static final int MAX_CACHED_TEXT = 64 * 1024;

    /** Runs JSqlParser so that a pathological text can be timed out. Daemon threads. */
    private static final ExecutorService PARSER_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sqlcache-sql-parser");
        t.setDaemon(true);
        return t;
    });

    private static final String NOT_A_SELECT = "not a SELECT";

    /** SELECT modifiers JSqlParser 5.3 cannot combine; we remove them before parsing. */
    private static final Set<String> SELECT_MODIFIERS = Set.of("SQL_NO_CACHE", "SQL_CACHE",
            "SQL_CALC_FOUND_ROWS", "HIGH_PRIORITY", "SQL_SMALL_RESULT", "SQL_BIG_RESULT",
            "SQL_BUFFER_RESULT");

    private final Cache<String, SqlAnalysis> cache;
    /** Cacheable READ classifications by shape; never mutated once stored. */
    private final Cache<String, Classification> shapes;
    private final LongAdder analyses = new LongAdder();
    private final long parseTimeoutMs;

    /**
     * @param cacheSize how many distinct texts to keep analysed; 0 keeps none
     * @throws IllegalArgumentException if {@code cacheSize} is negative
     */
    public SqlAnalyzer(int cacheSize) {
        this(cacheSize, PARSE_TIMEOUT_MS);
    }

    /** With another parse timeout: tests that must not depend on the machine's load. */
    SqlAnalyzer(int cacheSize, long parseTimeoutMs) {
        this.parseTimeoutMs = parseTimeoutMs;
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache size must not be negative: " + cacheSize);
        }
        // Same-thread maintenance: no pool of our own, and eviction is deterministic.
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
        this.shapes = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
    }

    /**
     * Analyses one SQL text. Never throws and never returns {@code null}: a text that cannot
     * be understood is reported as a WRITE with {@code writesUnknown}.
     *
     * @param sql the statement text as the application sent it; must not be {@code null}
     * @return the analysis, possibly shared with other callers of the same text
     * @throws NullPointerException if {@code sql} is null
     */
    public SqlAnalysis analyze(String sql) {
        Objects.requireNonNull(sql, "sql");
        if (sql.length() > MAX_CACHED_TEXT) {
            return analyzeSafely(sql);
        }
        SqlAnalysis a = cache.get(sql, this::analyzeSafely);
        if (a.bypassReason() != null && a.bypassReason().startsWith(TIMED_OUT)) {
            // a parse that timed out on a loaded machine says nothing about the text: try again next time
            cache.invalidate(sql);
        }
        return a;
    }

    /** How many texts were analysed (parsed) rather than found in the cache or by their shape. */
    public long parseCount() {
        return analyses.sum();
    }

    /**
     * True for MySQL's system schemas ({@code information_schema}, {@code performance_schema},
     * {@code mysql}, {@code sys}), whose contents change without writes we can see. The
     * analyzer refuses qualified names in them; a caller that resolves unqualified names
     * against the current schema should refuse those too.
     *
     * @param schema a schema name in any case, or {@code null} (false)
     */
    public static boolean isSystemSchema(String schema) {
        return AstWalker.isSystemSchema(schema);
    }

    private SqlAnalysis analyzeSafely(String sql) {
        try {
            SqlText text = SqlText.lex(sql);
            String shape = sql.length() > MAX_CACHED_TEXT ? null : text.shape();
            if (shape != null) {
                Classification known = shapes.getIfPresent(shape);
                if (known != null) {
                    return finish(known, text);
                }
            }
            analyses.increment();
            Classification r = classify(text);
            settle(r);
            if (shape != null && r.kind == StatementKind.READ && r.reason == null) {
                r.read = Set.copyOf(r.read);
                r.rows = List.copyOf(r.rows);
                shapes.put(shape, r);
            }
            return finish(r, text);
        } catch (StackOverflowError | RuntimeException e) {
            // A bug or a pathological text must not fail the application's statement.
            return new SqlAnalysis(StatementKind.WRITE, Set.of(), Set.of(), true,
                    "unanalysable: " + e.getClass().getSimpleName(), sql.trim(), null, null, null);
        }
    }

    /** Completes a classification; after this it is never changed again. */
    private static void settle(Classification r) {
        if ((r.kind == StatementKind.WRITE || r.kind == StatementKind.DDL) && r.written.isEmpty()) {
            // a write whose target we did not find may write anything (JSqlParser 5.3 even
            // accepts a bare "DELETE FROM")
            if (!r.writesUnknown && r.reason == null) {
                r.reason = "written tables unknown";
            }
            r.writesUnknown = true;
        }
    }

    /** The analysis of {@code text} from a settled classification (its own or its shape's): reads it only. */
    private static SqlAnalysis finish(Classification r, SqlText text) {
        String reason = r.reason;
        if (r.kind == StatementKind.READ) {
            if (text.hints().skip()) {
                reason = "sqlcache:skip hint";
            } else if (text.hints().invalid() != null) {
                reason = text.hints().invalid();
            }
        } else if (reason == null) {
            reason = NOT_A_SELECT;
        }
        return new SqlAnalysis(r.kind,
                r.kind == StatementKind.READ ? r.read : Set.of(),
                r.written, r.writesUnknown, reason, text.cacheText(),
                text.hints().ttlSeconds(), r.useSchema, r.temporary,
                r.writesUnknown ? List.of() : rowsOrNone(() -> RowRestrictions.resolve(r.rows, text)));
    }

    private Classification classify(SqlText text) {
        List<Token> tokens = text.tokens();
        if (text.unterminated()) {
            return new Classification(StatementKind.WRITE, "unparseable: unterminated string, name or comment")
                    .unknownWrites();
        }
        if (tokens.isEmpty()) {
            return new Classification(StatementKind.OTHER, "empty statement");
        }
        Token first = tokens.get(0);
        if (text.executableComment()) {
            // MySQL runs the comment's content: it can hold anything, even another statement.
            return new Classification(StatementKind.WRITE, "MySQL executable comment /*! … */ not analysed")
                    .unknownWrites();
        }
        if (text.multipleStatements()) {
            // CREATE PROCEDURE/TRIGGER bodies hold semicolons too; DDL also ends a transaction.
            StatementKind kind = first.is("CREATE") ? StatementKind.DDL : StatementKind.WRITE;
            return new Classification(kind, "multiple statements").unknownWrites();
        }
        if (tokens.stream().anyMatch(t -> t.type() == Token.Type.QUOTED_NAME && t.text().indexOf('`') >= 0)) {
            // JSqlParser 5.3 splits `a``b` into `a` and an alias `b`: the table would be wrong
            return new Classification(StatementKind.WRITE, "unsupported: back quote inside a quoted name")
                    .unknownWrites();
        }
        String parseText = text.parseText();
        String lockReason = null;
        Set<String> modifiers = new LinkedHashSet<>();
        if (first.is("SELECT") || first.isSymbol('(')) {
            for (Token t : tokens) {
                if (t.is("INTO")) {
                    // SELECT … INTO @var / OUTFILE / DUMPFILE: JSqlParser 5.3 cannot parse it,
                    // and it is never cacheable. Unanalysed, it might call a writing function.
                    return new Classification(StatementKind.READ, "SELECT … INTO").unknownWrites();
                }
            }
            StringBuilder rewritten = new StringBuilder(parseText);
            for (int i = tokens.size() - 1; i >= 0; i--) {
                Token t = tokens.get(i);
                if (t.type() == Token.Type.WORD && SELECT_MODIFIERS.contains(t.upper())) {
                    modifiers.add(t.upper());
                    rewritten.replace(t.start(), t.end(), " ".repeat(t.end() - t.start()));
                } else if (i + 3 < tokens.size() && t.is("LOCK") && tokens.get(i + 1).is("IN")
                        && tokens.get(i + 2).is("SHARE") && tokens.get(i + 3).is("MODE")) {
                    // the old spelling of FOR SHARE, which JSqlParser 5.3 cannot parse
                    lockReason = "LOCK IN SHARE MODE";
                    rewritten.replace(t.start(), tokens.get(i + 3).end(), "FOR SHARE");
                }
            }
            parseText = rewritten.toString();
        }
        Statement statement;
        try {
            statement = CCJSqlParserUtil.parse(parseText, PARSER_THREADS,
                    parser -> parser.withTimeOut(parseTimeoutMs));
        } catch (Exception | StackOverflowError e) {
            if (isTimeout(e)) {
                return fallback(text, TIMED_OUT.substring("unparseable: ".length()));
            }
            return fallback(text, shortMessage(e));
        }
        if (statement == null || statement instanceof UnsupportedStatement) {
            return fallback(text, "unsupported statement");
        }
        if (!(statement instanceof Select) && (!modifiers.isEmpty() || lockReason != null)) {
            return fallback(text, "unexpected statement after removing SELECT modifiers");
        }
        Classification result = fromStatement(statement, text, lockReason);
        if (result.kind == StatementKind.READ && result.reason == null) {
            if (modifiers.contains("SQL_NO_CACHE")) {
                result.reason = "SQL_NO_CACHE";
            } else if (modifiers.contains("SQL_CALC_FOUND_ROWS")) {
                result.reason = "SQL_CALC_FOUND_ROWS";
            } else if (text.backslashAmbiguous()) {
                result.reason = "string literal reads differently under NO_BACKSLASH_ESCAPES";
            }
        }
        return result;
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String shortMessage(Throwable e) {
        Throwable cause = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        message = message.replace("net.sf.jsqlparser.parser.ParseException: ", "");
        int expecting = message.indexOf("Was expecting");
        if (expecting > 0) {
            message = message.substring(0, expecting);
        }
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 120 ? message.substring(0, 120) + "…" : message;
    }

    private static Classification fromStatement(Statement statement, SqlText text, String lockReason) {
        if (statement instanceof Select select) {
            AstWalker walker = new AstWalker().withLockReason(lockReason).walk(select);
            Classification r = new Classification(StatementKind.READ, walker.firstReason());
            r.read = walker.tables();
            r.writesUnknown = walker.mayWrite();
            r.rows = rowsOrNone(() -> RowRestrictions.forSelect(select, text, walker.occurrences()));
            return r;
        }
        if (statement instanceof Insert insert) {
            Classification r = write(statement, StatementKind.WRITE, insert.getTable());
            r.rows = rowsOrNone(() -> RowRestrictions.forInsert(insert, text));
            return r;
        }
        if (statement instanceof Upsert upsert) {
            return write(statement, StatementKind.WRITE, upsert.getTable());
        }
        if (statement instanceof Update update) {
            // conservative: every table of the UPDATE's table list, not only the SET targets
            Classification r = write(statement, StatementKind.WRITE, update.getTable());
            Map<String, TableName> aliases = new LinkedHashMap<>();
            addFromItem(update.getFromItem(), r, aliases);
            addJoins(update.getStartJoins(), r, aliases);
            addJoins(update.getJoins(), r, aliases);
            r.rows = rowsOrNone(() -> RowRestrictions.forUpdate(update, text));
            return r;
        }
        if (statement instanceof Delete delete) {
            Classification r = delete(delete);
            r.rows = rowsOrNone(() -> RowRestrictions.forDelete(delete, text));
            return r;
        }
        if (statement instanceof CreateTable create) {
            Classification r = write(statement, StatementKind.DDL, create.getTable());
            List<String> options = create.getCreateOptionsStrings();
            if (options != null && options.stream().anyMatch("TEMPORARY"::equalsIgnoreCase)) {
                r.temporary = AstWalker.tableName(create.getTable());
            }
            if (create.getSelect() == null && text.tokens().stream().anyMatch(t -> t.is("SELECT"))) {
                // CREATE TABLE … SELECT that JSqlParser kept as opaque text: its functions unseen
                r.writesUnknown = true;
            }
            return r;
        }
        if (statement instanceof Alter alter) {
            Classification r = write(null, StatementKind.DDL, alter.getTable());
            if (alter.getAlterExpressions() != null) {
                for (AlterExpression e : alter.getAlterExpressions()) {
                    if (e.getOperation() == AlterOperation.RENAME_TABLE) {
                        addName(e.getNewTableName(), r);
                    }
                }
            }
            return r;
        }
        if (statement instanceof Drop drop) {
            return drop(drop, text);
        }
        if (statement instanceof RenameTableStatement rename) {
            Classification r = new Classification(StatementKind.DDL, null);
            for (Map.Entry<Table, Table> e : rename.getTableNames()) {
                addTable(e.getKey(), r);
                addTable(e.getValue(), r);
            }
            return r;
        }
        if (statement instanceof Truncate truncate) {
            return write(null, StatementKind.DDL, truncate.getTable());
        }
        if (statement instanceof CreateView view) {
            return write(null, StatementKind.DDL, view.getView());
        }
        if (statement instanceof AlterView view) {
            return write(null, StatementKind.DDL, view.getView());
        }
        if (statement instanceof CreateIndex index) {
            return write(null, StatementKind.DDL, index.getTable());
        }
        if (statement instanceof Grant) {
            return new Classification(StatementKind.DDL, "GRANT changes privileges").unknownWrites();
        }
        if (statement instanceof Execute) {
            return new Classification(StatementKind.WRITE, "CALL of a procedure").unknownWrites();
        }
        if (statement instanceof Commit) {
            return new Classification(StatementKind.COMMIT, null);
        }
        if (statement instanceof RollbackStatement rollback) {
            return rollback.getSavepointName() == null
                    ? new Classification(StatementKind.ROLLBACK, null)
                    : new Classification(StatementKind.OTHER, null);
        }
        if (statement instanceof SavepointStatement) {
            return new Classification(StatementKind.OTHER, null);
        }
        if (statement instanceof SetStatement) {
            Classification r = new Classification(StatementKind.SET, null);
            r.writesUnknown = new AstWalker().walk(statement).mayWrite();
            return r;
        }
        if (statement instanceof UseStatement use) {
            Classification r = new Classification(StatementKind.USE, null);
            r.useSchema = AstWalker.unquote(use.getName().trim()).toLowerCase(Locale.ROOT);
            return r;
        }
        if (statement instanceof ExplainStatement || statement instanceof DescribeStatement
                || statement.getClass().getSimpleName().startsWith("Show")) {
            Classification r = new Classification(StatementKind.OTHER, null);
            // EXPLAIN ANALYZE runs the query, so a stored function in it runs too
            r.writesUnknown = new AstWalker().walk(statement).mayWrite();
            return r;
        }
        String name = statement.getClass().getSimpleName();
        if (name.startsWith("Create") || name.startsWith("Alter") || name.startsWith("Drop")) {
            return new Classification(StatementKind.DDL, "unsupported DDL " + name).unknownWrites();
        }
        return new Classification(StatementKind.WRITE, "unsupported statement " + name).unknownWrites();
    }

    /**
     * Row conditions are an optimisation: a failure to find them (a JSqlParser node we did not
     * expect) means "nothing known about the rows", never an unanalysable statement.
     */
    private static <T> List<T> rowsOrNone(java.util.function.Supplier<List<T>> rows) {
        try {
            return rows.get();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** A write of {@code target}; when {@code walked} is given, stored functions in it count. */
    private static Classification write(Statement walked, StatementKind kind, Table target) {
        Classification r = new Classification(kind, null);
        addTable(target, r);
        if (walked != null && new AstWalker().walk(walked).mayWrite()) {
            r.writesUnknown = true; // a stored function called by the statement may write
        }
        return r;
    }

    private static Classification delete(Delete delete) {
        Classification r = write(delete, StatementKind.WRITE, null);
        // MySQL's multi-table DELETE names aliases in its target list: map them to tables.
        Map<String, TableName> aliases = new LinkedHashMap<>();
        Classification from = new Classification(StatementKind.WRITE, null);
        if (delete.getTable() != null) {
            addAliased(delete.getTable(), from, aliases);
        }
        addJoins(delete.getJoins(), from, aliases);
        if (delete.getUsingList() != null) {
            for (Table t : delete.getUsingList()) {
                addAliased(t, from, aliases);
            }
        }
        // conservative: every table named, targets or not
        r.written.addAll(from.written);
        r.writesUnknown |= from.writesUnknown;
        if (delete.getTables() != null) {
            for (Table t : delete.getTables()) {
                TableName name = AstWalker.tableName(t);
                if (name == null) {
                    r.writesUnknown = true;
                } else if (name.schema() == null && aliases.containsKey(name.name())) {
                    r.written.add(aliases.get(name.name()));
                } else {
                    r.written.add(name);
                }
            }
        }
        return r;
    }

    private static Classification drop(Drop drop, SqlText text) {
        String type = drop.getType() == null ? "" : drop.getType().toUpperCase(Locale.ROOT);
        switch (type) {
            case "TABLE", "VIEW" -> {
                Classification r = write(null, StatementKind.DDL, drop.getName());
                if (drop.isUsingTemporary()) {
                    r.temporary = AstWalker.tableName(drop.getName());
                }
                return r;
            }
            case "INDEX" -> {
                List<String> params = drop.getParameters();
                Classification r = new Classification(StatementKind.DDL, null);
                if (params != null && params.size() >= 2 && params.get(0).equalsIgnoreCase("ON")) {
                    addName(params.get(1), r);
                } else {
                    r.writesUnknown = true;
                }
                return r;
            }
            default -> {
                return new Classification(StatementKind.DDL, "DROP " + type).unknownWrites();
            }
        }
    }

    private static void addJoins(List<Join> joins, Classification r, Map<String, TableName> aliases) {
        if (joins != null) {
            for (Join join : joins) {
                addFromItem(join.getFromItem(), r, aliases);
            }
        }
    }

    /** Base tables of a FROM item, not descending into subqueries (those are only read). */
    private static void addFromItem(FromItem item, Classification r, Map<String, TableName> aliases) {
        if (item instanceof Table table) {
            addAliased(table, r, aliases);
        } else if (item instanceof ParenthesedFromItem parenthesed) {
            addFromItem(parenthesed.getFromItem(), r, aliases);
            addJoins(parenthesed.getJoins(), r, aliases);
        }
    }

    private static void addAliased(Table table, Classification r, Map<String, TableName> aliases) {
        TableName name = addTable(table, r);
        if (name != null && table.getAlias() != null && table.getAlias().getName() != null) {
            aliases.put(AstWalker.unquote(table.getAlias().getName()).toLowerCase(Locale.ROOT), name);
        }
    }

    private static TableName addTable(Table table, Classification r) {
        if (table == null) {
            return null;
        }
        TableName name = AstWalker.tableName(table);
        if (name == null) {
            r.writesUnknown = true;
        } else {
            r.written.add(name);
        }
        return name;
    }

    /** Adds a dotted name as JSqlParser keeps it in a string ({@code s.t}, {@code `s`.`t`}). */
    private static void addName(String dotted, Classification r) {
        TableName name = dotted == null ? null : Fallback.parseName(dotted);
        if (name == null) {
            r.writesUnknown = true;
        } else {
            r.written.add(name);
        }
    }

    private static Classification fallback(SqlText text, String parseError) {
        return Fallback.classify(text, parseError);
    }
}
