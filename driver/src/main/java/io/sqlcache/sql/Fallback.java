package io.sqlcache.sql;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.sqlcache.sql.SqlText.Token;

/**
 * Classifies texts JSqlParser cannot parse, by their leading keywords. Stateless.
 *
 * <p>Only forms it can read completely get a kind other than WRITE, or a known table set:
 * anything else becomes a WRITE (or DDL) with {@code writesUnknown}, since a statement we do
 * not understand might write anything.
 */
final class Fallback {

    private static final Set<String> START_TRANSACTION_OPTIONS =
            Set.of("READ", "ONLY", "WRITE", "WITH", "CONSISTENT", "SNAPSHOT", ",");
    private static final Set<String> COMPLETION_OPTIONS =
            Set.of("WORK", "AND", "NO", "CHAIN", "RELEASE");
    /**
     * Statements that change no table data. LOCK TABLES and FLUSH take locks or flush caches
     * only; HANDLER reads; OPTIMIZE and ANALYZE TABLE rebuild or re-count, keeping the rows.
     */
    private static final Set<String> OTHER = Set.of("SHOW", "DESCRIBE", "DESC", "HELP", "KILL",
            "FLUSH", "LOCK", "UNLOCK", "HANDLER", "CHECK", "CHECKSUM", "OPTIMIZE", "SAVEPOINT",
            "RELEASE", "XA");
    private static final Set<String> DDL = Set.of("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE",
            "GRANT", "REVOKE", "REPAIR", "IMPORT");

    private Fallback() {
    }

    static Classification classify(SqlText text, String parseError) {
        List<Token> t = text.tokens();
        String first = t.get(0).type() == Token.Type.WORD ? t.get(0).upper() : "";
        String unparseable = "unparseable: " + parseError;
        switch (first) {
            case "BEGIN" -> {
                // BEGIN NOT ATOMIC … END is a MariaDB compound statement, not a transaction
                if (t.size() == 1 || (t.size() == 2 && t.get(1).is("WORK"))) {
                    return new Classification(StatementKind.BEGIN, null);
                }
            }
            case "START" -> {
                if (t.size() >= 2 && t.get(1).is("TRANSACTION") && only(t, 2, START_TRANSACTION_OPTIONS)) {
                    return new Classification(StatementKind.BEGIN, null);
                }
            }
            case "COMMIT" -> {
                if (only(t, 1, COMPLETION_OPTIONS)) {
                    return new Classification(StatementKind.COMMIT, null);
                }
            }
            case "ROLLBACK" -> {
                if (only(t, 1, COMPLETION_OPTIONS)) {
                    return new Classification(StatementKind.ROLLBACK, null);
                }
                if (t.stream().anyMatch(x -> x.is("TO"))) {
                    return new Classification(StatementKind.OTHER, "ROLLBACK TO SAVEPOINT");
                }
            }
            case "SET" -> {
                // SET TRANSACTION …, SET NAMES x COLLATE y, SET CHARACTER SET …: session state.
                // Without parentheses there is no function call, so no stored-function write.
                Classification c = new Classification(StatementKind.SET, null);
                c.writesUnknown = t.stream().anyMatch(x -> x.isSymbol('('));
                return c;
            }
            case "USE" -> {
                if (t.size() == 2 && t.get(1).isName()) {
                    Classification c = new Classification(StatementKind.USE, null);
                    c.useSchema = t.get(1).text().toLowerCase(Locale.ROOT);
                    return c;
                }
            }
            case "LOAD" -> {
                return loadData(t, unparseable);
            }
            case "EXPLAIN" -> {
                // EXPLAIN ANALYZE runs the statement it explains
                if (t.stream().noneMatch(x -> x.is("ANALYZE"))) {
                    return new Classification(StatementKind.OTHER, null);
                }
            }
            case "ANALYZE" -> {
                // ANALYZE TABLE re-counts; MariaDB's ANALYZE <statement> runs the statement
                if (t.size() >= 2 && (t.get(1).is("TABLE") || t.get(1).is("LOCAL")
                        || t.get(1).is("NO_WRITE_TO_BINLOG"))) {
                    return new Classification(StatementKind.OTHER, null);
                }
            }
            case "DO" -> {
                return new Classification(StatementKind.WRITE, "DO may call a stored function")
                        .unknownWrites();
            }
            default -> {
                if (OTHER.contains(first)) {
                    return new Classification(StatementKind.OTHER, null);
                }
                if (DDL.contains(first)) {
                    return ddl(t, first, unparseable);
                }
            }
        }
        return new Classification(StatementKind.WRITE, unparseable).unknownWrites();
    }

    /** True when every token from {@code from} on is one of {@code words} (or a comma in it). */
    private static boolean only(List<Token> t, int from, Set<String> words) {
        for (int i = from; i < t.size(); i++) {
            Token x = t.get(i);
            boolean ok = x.type() == Token.Type.WORD ? words.contains(x.upper())
                    : x.isSymbol(',') && words.contains(",");
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** LOAD DATA|XML … INTO TABLE name …: the table follows INTO TABLE. */
    private static Classification loadData(List<Token> t, String unparseable) {
        Classification c = new Classification(StatementKind.WRITE, "LOAD DATA");
        if (t.size() >= 2 && (t.get(1).is("DATA") || t.get(1).is("XML"))) {
            for (int i = 2; i + 1 < t.size(); i++) {
                if (t.get(i).is("INTO") && t.get(i + 1).is("TABLE")) {
                    Name name = readName(t, i + 2);
                    if (name != null) {
                        c.written.add(name.table);
                        return c;
                    }
                    break;
                }
            }
        }
        c.reason = t.size() >= 2 && t.get(1).is("DATA") ? "LOAD DATA of an unknown table" : unparseable;
        return c.unknownWrites();
    }

    private static Classification ddl(List<Token> t, String first, String unparseable) {
        Classification c = new Classification(StatementKind.DDL, null);
        int i = 1;
        boolean temporary = false;
        if ((first.equals("CREATE") || first.equals("DROP")) && i < t.size() && t.get(i).is("TEMPORARY")) {
            temporary = true;
            i++;
        }
        boolean tableOrView = i < t.size() && (t.get(i).is("TABLE") || t.get(i).is("TABLES")
                || (first.equals("DROP") && t.get(i).is("VIEW")));
        if (first.equals("DROP") && tableOrView) {
            // DROP [TEMPORARY] TABLE [IF EXISTS] a, s.b [RESTRICT | CASCADE]
            i++;
            if (i + 1 < t.size() && t.get(i).is("IF") && t.get(i + 1).is("EXISTS")) {
                i += 2;
            }
            while (true) {
                Name name = readName(t, i);
                if (name == null) {
                    return c.unknownWrites();
                }
                c.written.add(name.table);
                if (temporary && c.temporary == null) {
                    c.temporary = name.table;
                }
                i = name.next;
                if (i < t.size() && t.get(i).isSymbol(',')) {
                    i++;
                    continue;
                }
                break;
            }
            if (i < t.size() && (t.get(i).is("RESTRICT") || t.get(i).is("CASCADE"))) {
                i++;
            }
            return i == t.size() ? c : c.unknownWrites();
        }
        if (first.equals("DROP") && i + 1 < t.size() && t.get(i).is("INDEX")) {
            // DROP INDEX i ON [s.]t [ALGORITHM … | LOCK …]
            Name index = readName(t, i + 1);
            if (index != null && index.next < t.size() && t.get(index.next).is("ON")) {
                Name table = readName(t, index.next + 1);
                if (table != null) {
                    c.written.add(table.table);
                    return c;
                }
            }
            return c.unknownWrites();
        }
        if (first.equals("CREATE") && tableOrView && t.get(i).is("TABLE")) {
            // CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name …
            i++;
            if (i + 2 < t.size() && t.get(i).is("IF") && t.get(i + 1).is("NOT") && t.get(i + 2).is("EXISTS")) {
                i += 3;
            }
            Name name = readName(t, i);
            if (name == null) {
                return c.unknownWrites();
            }
            c.written.add(name.table);
            if (temporary) {
                c.temporary = name.table;
            }
            if (t.stream().anyMatch(x -> x.is("SELECT"))) {
                // CREATE TABLE … SELECT we could not parse: a stored function in it may write
                c.writesUnknown = true;
            }
            return c;
        }
        // ALTER, RENAME, GRANT, REVOKE, REPAIR, CREATE DATABASE / PROCEDURE / TRIGGER / EVENT,
        // DROP DATABASE / PROCEDURE / …: which tables change is not readable from the text.
        c.reason = first + " statement";
        return c.unknownWrites();
    }

    /** A table name read from tokens, and the index after it. */
    private record Name(TableName table, int next) {
    }

    /** Reads {@code name} or {@code schema.name} at {@code i}; {@code null} if there is none. */
    private static Name readName(List<Token> t, int i) {
        if (i >= t.size() || !t.get(i).isName()) {
            return null;
        }
        String first = t.get(i).text();
        if (i + 2 < t.size() && t.get(i + 1).isSymbol('.') && t.get(i + 2).isName()) {
            return new Name(new TableName(first, t.get(i + 2).text()), i + 3);
        }
        return new Name(TableName.of(first), i + 1);
    }

    /** Parses a dotted table name kept by JSqlParser as a string; {@code null} if it is not one. */
    static TableName parseName(String dotted) {
        List<Token> t = SqlText.lex(dotted).tokens();
        Name name = readName(t, 0);
        return name != null && name.next == t.size() ? name.table : null;
    }
}
