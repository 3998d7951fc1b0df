package io.sqlcache.sql;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

import io.sqlcache.sql.SqlText.Token;

/**
 * Finds the row conditions of a statement ({@link TableRows}): top-level AND-conjuncts of the
 * WHERE clause that bound a column of one plain base-table occurrence of the top-level FROM list
 * by integer literals or parameters, and the values an INSERT … VALUES gives its columns.
 *
 * <p>What is found is a <em>template</em>: a literal is kept as its position among the text's
 * number literals, not as its value, so a classification shared by every text of one
 * {@linkplain SqlText#shape shape} gives each text its own values ({@link #resolve}). A literal
 * whose position is ambiguous (the same digits twice) is not used.
 *
 * <p>Anything unusual drops the condition, never the reverse: a dropped condition only makes a
 * read depend on more, or a write bump more. In particular: OR, XOR, NOT, functions, casts,
 * expressions, strings and decimals are not conditions; {@code ||} (OR for MySQL, concatenation
 * for JSqlParser) and {@code :=} anywhere in the text drop every condition, since they change
 * what MySQL sees as a top-level conjunct; so does a WITH clause (a CTE may shadow a table) and
 * two FROM items whose names differ only in case. JSqlParser 5.3 parses {@code a IN (1, 2) AND
 * b = 3} as {@code a IN ((1, 2) AND b = 3)}: such an IN is not a list of values, so it is dropped.
 * Stateless.
 */
final class RowRestrictions {

    /** A value in a template: the k-th number literal of the text, or parameter k (1-based). */
    record Ref(boolean parameter, int index, boolean negate) {
    }

    record Cond(String column, RowCondition.Op op, List<Ref> refs) {
        Cond {
            refs = List.copyOf(refs);
        }
    }

    /** One table occurrence of a template. */
    record Occ(TableName table, List<Cond> conds, Set<String> assigned, boolean insert) {
        Occ {
            conds = List.copyOf(conds);
            assigned = Set.copyOf(assigned);
        }
    }

    /** The text's number literals and parameter count, computed once per statement. */
    private record Literals(List<Token> numbers, int questionMarks) {
        static Literals of(SqlText text) {
            return new Literals(numberLiterals(text), RowRestrictions.questionMarks(text));
        }
    }

    private RowRestrictions() {
    }

    /**
     * One entry per table occurrence the walker saw, with conditions for the plain base tables of
     * the top-level FROM list of a plain SELECT.
     */
    static List<Occ> forSelect(Select select, SqlText text, List<Table> occurrences) {
        Map<Table, List<Cond>> conds = new IdentityHashMap<>();
        if (select instanceof PlainSelect p && (p.getWithItemsList() == null || p.getWithItemsList().isEmpty())
                && usable(text)) {
            List<FromItem> items = new ArrayList<>();
            items.add(p.getFromItem());
            boolean plainJoins = true;
            if (p.getJoins() != null) {
                for (Join j : p.getJoins()) {
                    plainJoins &= !j.isApply() && !j.isSemi() && !j.isWindowJoin();
                    items.add(j.getFromItem());
                }
            }
            if (plainJoins) {
                conds = conditions(items, p.getWhere(), Literals.of(text));
            }
        }
        List<Occ> out = new ArrayList<>(occurrences.size());
        for (Table t : occurrences) {
            TableName name = AstWalker.tableName(t);
            if (name != null) {
                out.add(new Occ(name, conds.getOrDefault(t, List.of()), Set.of(), false));
            }
        }
        return List.copyOf(out);
    }

    /** The single table of an UPDATE without joins, with its conditions and SET columns; else none. */
    static List<Occ> forUpdate(Update u, SqlText text) {
        Table t = u.getTable();
        if (t == null || notEmpty(u.getJoins()) || notEmpty(u.getStartJoins()) || u.getFromItem() != null
                || notEmpty(u.getWithItemsList()) || !usable(text) || AstWalker.tableName(t) == null) {
            return List.of();
        }
        Set<String> assigned = new HashSet<>();
        for (UpdateSet set : u.getUpdateSets()) {
            for (Column c : set.getColumns()) {
                assigned.add(columnName(c));
            }
        }
        List<Cond> conds = conditions(List.of(t), u.getWhere(), Literals.of(text)).getOrDefault(t, List.of());
        return List.of(new Occ(AstWalker.tableName(t), conds, assigned, false));
    }

    /** The single table of a DELETE without joins or a target list, with its conditions; else none. */
    static List<Occ> forDelete(Delete d, SqlText text) {
        Table t = d.getTable();
        if (t == null || notEmpty(d.getTables()) || notEmpty(d.getJoins()) || notEmpty(d.getUsingList())
                || notEmpty(d.getWithItemsList()) || !usable(text) || AstWalker.tableName(t) == null) {
            return List.of();
        }
        List<Cond> conds = conditions(List.of(t), d.getWhere(), Literals.of(text)).getOrDefault(t, List.of());
        return List.of(new Occ(AstWalker.tableName(t), conds, Set.of(), false));
    }

    /**
     * An INSERT … (columns) VALUES (…), …: one IN condition per column whose every value is an
     * integer literal or a parameter. Not for ON DUPLICATE KEY UPDATE, the SET form, INSERT …
     * SELECT or a missing column list (then none).
     */
    static List<Occ> forInsert(Insert i, SqlText text) {
        Table t = i.getTable();
        if (t == null || i.getColumns() == null || i.getColumns().isEmpty() || i.getDuplicateUpdateSets() != null
                || i.getSetUpdateSets() != null || notEmpty(i.getWithItemsList()) || i.getConflictAction() != null
                || !(i.getSelect() instanceof Values values) || !usable(text) || AstWalker.tableName(t) == null) {
            return List.of();
        }
        int n = i.getColumns().size();
        List<List<?>> rows = new ArrayList<>();
        ExpressionList<?> all = values.getExpressions();
        if (all instanceof ParenthesedExpressionList<?> single) {
            rows.add(single);
        } else {
            for (Object row : all) {
                if (!(row instanceof ParenthesedExpressionList<?> r)) {
                    return List.of(); // ROW(…) or anything else: not understood
                }
                rows.add(r);
            }
        }
        Literals literals = Literals.of(text);
        List<Cond> conds = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 0; c < n; c++) {
            String column = columnName(i.getColumns().get(c));
            if (seen.put(column, c) != null) {
                return List.of(); // a column named twice is an error; do not guess
            }
            List<Ref> refs = new ArrayList<>();
            for (List<?> row : rows) {
                if (row.size() != n) {
                    return List.of();
                }
                Ref ref = row.get(c) instanceof Expression e ? ref(e, literals) : null;
                if (ref == null) {
                    refs = null;
                    break;
                }
                refs.add(ref);
            }
            if (refs != null && !refs.isEmpty()) {
                conds.add(new Cond(column, RowCondition.Op.IN, refs));
            }
        }
        return List.of(new Occ(AstWalker.tableName(t), conds, Set.of(), true));
    }

    /** The template with this text's literal values; a condition with an unreadable literal is dropped. */
    static List<TableRows> resolve(List<Occ> template, SqlText text) {
        if (template == null || template.isEmpty()) {
            return List.of();
        }
        List<Token> numbers = numberLiterals(text);
        List<TableRows> out = new ArrayList<>(template.size());
        for (Occ o : template) {
            List<RowCondition> conditions = new ArrayList<>(o.conds().size());
            for (Cond c : o.conds()) {
                List<RowValue> values = new ArrayList<>(c.refs().size());
                for (Ref r : c.refs()) {
                    RowValue v = value(r, numbers);
                    if (v == null) {
                        values = null;
                        break;
                    }
                    values.add(v);
                }
                if (values != null) {
                    conditions.add(new RowCondition(c.column(), c.op(), values));
                }
            }
            out.add(new TableRows(o.table(), conditions, o.assigned(), o.insert()));
        }
        return List.copyOf(out);
    }

    private static RowValue value(Ref r, List<Token> numbers) {
        if (r.parameter()) {
            return RowValue.ofParameter(r.index());
        }
        if (r.index() >= numbers.size()) {
            return null;
        }
        String digits = numbers.get(r.index()).text();
        if (!isDigits(digits)) {
            return null;
        }
        BigInteger v = new BigInteger(digits);
        if (r.negate()) {
            v = v.negate();
        }
        return v.bitLength() < 64 ? RowValue.ofLiteral(v.longValueExact()) : null;
    }

    /** False when the text holds an operator that makes JSqlParser's AND tree differ from MySQL's. */
    private static boolean usable(SqlText text) {
        List<Token> tokens = text.tokens();
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token a = tokens.get(i);
            Token b = tokens.get(i + 1);
            if (a.isSymbol('|') && b.isSymbol('|') || a.isSymbol(':') && b.isSymbol('=')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Conditions per table occurrence among {@code items} (the FROM list), from the top-level
     * conjuncts of {@code where}. A column names its occurrence by the alias (or the table's name
     * when it has none); an unqualified column counts only when the FROM list has one item.
     */
    private static Map<Table, List<Cond>> conditions(List<FromItem> items, Expression where, Literals text) {
        if (where == null) {
            return Map.of();
        }
        Map<String, Table> byName = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (FromItem item : items) {
            String name = item.getAlias() != null && item.getAlias().getName() != null
                    ? AstWalker.unquote(item.getAlias().getName())
                    : item instanceof Table t && AstWalker.tableName(t) != null ? AstWalker.tableName(t).name() : null;
            if (name == null) {
                continue;
            }
            name = name.toLowerCase(Locale.ROOT);
            if (!names.add(name)) {
                return Map.of(); // two items answer to one name (perhaps only for a case-sensitive server)
            }
            if (item instanceof Table t && AstWalker.tableName(t) != null) {
                byName.put(name, t);
            }
        }
        Table only = items.size() == 1 && items.get(0) instanceof Table t ? t : null;
        List<Expression> conjuncts = new ArrayList<>();
        flatten(where, conjuncts);
        Map<Table, List<Cond>> out = new IdentityHashMap<>();
        for (Expression e : conjuncts) {
            Column column = null;
            List<Cond> found = new ArrayList<>(2);
            if (e instanceof ComparisonOperator cmp && cmp.getOldOracleJoinSyntax() == 0
                    && cmp.getOraclePriorPosition() == 0) {
                RowCondition.Op op = op(cmp);
                Expression l = cmp.getLeftExpression();
                Expression r = cmp.getRightExpression();
                if (op != null && l instanceof Column c && ref(r, text) != null) {
                    column = c;
                    found.add(new Cond(columnName(c), op, List.of(ref(r, text))));
                } else if (op != null && r instanceof Column c && ref(l, text) != null) {
                    column = c; // 5 < id: id > 5
                    found.add(new Cond(columnName(c), flip(op), List.of(ref(l, text))));
                }
            } else if (e instanceof InExpression in && !in.isNot() && !in.isGlobal()
                    && in.getOldOracleJoinSyntax() == 0 && in.getOraclePriorPosition() == 0
                    && in.getLeftExpression() instanceof Column c
                    && in.getRightExpression() instanceof ParenthesedExpressionList<?> list && !list.isEmpty()) {
                List<Ref> refs = new ArrayList<>();
                for (Object v : list) {
                    Ref ref = v instanceof Expression x ? ref(x, text) : null;
                    if (ref == null) {
                        refs = null;
                        break;
                    }
                    refs.add(ref);
                }
                if (refs != null) {
                    column = c;
                    found.add(new Cond(columnName(c), RowCondition.Op.IN, refs));
                }
            } else if (e instanceof Between b && !b.isNot() && b.getLeftExpression() instanceof Column c) {
                Ref lo = ref(b.getBetweenExpressionStart(), text);
                Ref hi = ref(b.getBetweenExpressionEnd(), text);
                if (lo != null && hi != null) {
                    column = c;
                    found.add(new Cond(columnName(c), RowCondition.Op.GE, List.of(lo)));
                    found.add(new Cond(columnName(c), RowCondition.Op.LE, List.of(hi)));
                }
            }
            if (column == null) {
                continue;
            }
            Table target = occurrence(column, byName, only);
            if (target != null) {
                out.computeIfAbsent(target, k -> new ArrayList<>()).addAll(found);
            }
        }
        return out;
    }

    private static Table occurrence(Column c, Map<String, Table> byName, Table only) {
        Table q = c.getTable();
        if (q == null || q.getNameParts() == null || q.getNameParts().isEmpty()) {
            return only;
        }
        if (q.getNameParts().size() != 1 || q.getNameParts().get(0) == null) {
            return null; // schema.table.column: not worth the resolution rules
        }
        return byName.get(AstWalker.unquote(q.getNameParts().get(0)).toLowerCase(Locale.ROOT));
    }

    private static void flatten(Expression e, List<Expression> out) {
        if (e instanceof AndExpression and) {
            flatten(and.getLeftExpression(), out);
            flatten(and.getRightExpression(), out);
        } else if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            flatten(list.get(0), out);
        } else if (e instanceof Parenthesis p) {
            flatten(p.getExpression(), out);
        } else if (e != null) {
            out.add(e);
        }
    }

    private static RowCondition.Op op(ComparisonOperator cmp) {
        if (cmp instanceof EqualsTo) {
            return RowCondition.Op.IN;
        } else if (cmp instanceof GreaterThanEquals) {
            return RowCondition.Op.GE;
        } else if (cmp instanceof GreaterThan) {
            return RowCondition.Op.GT;
        } else if (cmp instanceof MinorThanEquals) {
            return RowCondition.Op.LE;
        } else if (cmp instanceof MinorThan) {
            return RowCondition.Op.LT;
        }
        return null; // <>, <=>, …
    }

    private static RowCondition.Op flip(RowCondition.Op op) {
        return switch (op) {
            case IN -> RowCondition.Op.IN;
            case GE -> RowCondition.Op.LE;
            case GT -> RowCondition.Op.LT;
            case LE -> RowCondition.Op.GE;
            case LT -> RowCondition.Op.GT;
        };
    }

    /** An integer literal (optionally signed once) or a plain {@code ?}; else {@code null}. */
    private static Ref ref(Expression e, Literals text) {
        boolean negate = false;
        if (e instanceof SignedExpression s && (s.getSign() == '-' || s.getSign() == '+')) {
            negate = s.getSign() == '-';
            e = s.getExpression();
            if (!(e instanceof LongValue)) {
                return null;
            }
        }
        if (e instanceof LongValue v) {
            String digits = v.getStringValue();
            if (!isDigits(digits)) {
                return null;
            }
            int found = -1;
            List<Token> numbers = text.numbers();
            for (int k = 0; k < numbers.size(); k++) {
                if (numbers.get(k).text().equals(digits)) {
                    if (found >= 0) {
                        return null; // the same digits twice: which one is this?
                    }
                    found = k;
                }
            }
            return found < 0 ? null : new Ref(false, found, negate);
        }
        if (e instanceof JdbcParameter p && !p.isUseFixedIndex() && p.getIndex() != null
                && "?".equals(p.getParameterCharacter()) && p.getIndex() >= 1 && p.getIndex() <= text.questionMarks()) {
            return new Ref(true, p.getIndex(), false);
        }
        return null;
    }

    private static int questionMarks(SqlText text) {
        int n = 0;
        for (Token t : text.tokens()) {
            if (t.isSymbol('?')) {
                n++;
            }
        }
        return n;
    }

    /** The text's number literals, as {@link SqlText#shape} marks them: digits only, not after a dot or an at sign. */
    static List<Token> numberLiterals(SqlText text) {
        List<Token> tokens = text.tokens();
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token previous = i == 0 ? null : tokens.get(i - 1);
            if (t.type() == Token.Type.WORD && isDigits(t.text())
                    && (previous == null || !previous.isSymbol('.') && !previous.isSymbol('@'))) {
                out.add(t);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static boolean isDigits(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String columnName(Column c) {
        return AstWalker.unquote(c.getColumnName()).toLowerCase(Locale.ROOT);
    }

    private static boolean notEmpty(java.util.Collection<?> c) {
        return c != null && !c.isEmpty();
    }
}
