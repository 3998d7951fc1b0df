package io.sqlcache.jdbc;

import io.sqlcache.sql.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The temporary tables of one session, as far as the cache must know them: a read that names
 * one is never cached, so a temporary table is never served a real table's rows nor the
 * reverse. Not thread-safe: one per connection.
 *
 * <p>CREATE TEMPORARY TABLE run by the application is seen. One run by a stored procedure, a
 * multi-statement text or anything else whose effects are unknown is not: after such a
 * statement every name a read uses is checked once on the session itself with
 * {@code SHOW CREATE TABLE} (the only portable way to ask MySQL and MariaDB 10.x whether a name
 * is a temporary table of this session), and the answer is kept until the next such statement.
 * A check that fails bypasses the read. Views are not checked: the server resolves the tables
 * of a view's definition to base tables even when a temporary table shadows their name.
 */
final class TemporaryTables {

    private final Set<TableName> known = new HashSet<>();
    /** Names checked to be no temporary table since the last statement with unknown effects. */
    private final Set<TableName> checked = new HashSet<>();
    private boolean unknown;

    /** A CREATE or DROP TEMPORARY TABLE was seen; kept after DROP too: bypassing is cheaper than tracking shadows. */
    void seen(TableName table) {
        known.add(table);
    }

    /** A statement ran that may have created temporary tables we did not see. */
    void mayHaveChanged() {
        unknown = true;
        checked.clear();
    }

    /**
     * Why a read of {@code tables} may not be cached because of temporary tables, or
     * {@code null} when none of them is one. May run {@code SHOW CREATE TABLE} on
     * {@code session} (never inside the application's statement: before it runs).
     */
    String bypass(Collection<TableName> tables, Connection session) {
        for (TableName t : tables) {
            if (known.contains(t)) {
                return "temporary table " + t;
            }
        }
        if (!unknown) {
            return null;
        }
        for (TableName t : tables) {
            if (checked.contains(t)) {
                continue;
            }
            try (Statement st = session.createStatement();
                    ResultSet rs = st.executeQuery("SHOW CREATE TABLE " + quote(t.schema()) + "." + quote(t.name()))) {
                String ddl = rs.next() ? rs.getString(2) : null;
                if (ddl == null) {
                    return "temporary tables unknown after a procedure call";
                }
                if (ddl.trim().toUpperCase(Locale.ROOT).startsWith("CREATE TEMPORARY")) {
                    known.add(t);
                    return "temporary table " + t;
                }
                checked.add(t);
            } catch (SQLException e) {
                // a missing table, a streaming result still open, no privilege: we cannot tell
                return "temporary tables unknown after a procedure call";
            }
        }
        return null;
    }

    private static String quote(String name) {
        return '`' + name.replace("`", "``") + '`';
    }
}
