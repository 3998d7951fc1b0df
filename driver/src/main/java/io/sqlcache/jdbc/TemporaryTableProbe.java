package io.sqlcache.jdbc;

import io.sqlcache.sql.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Asks a session whether a name is one of its temporary tables, with {@code SHOW CREATE TABLE}:
 * the only portable way to ask MySQL and MariaDB 10.x. Used by the driver after a statement
 * whose effects it could not see ({@link io.sqlcache.core.TemporaryTables}); run before the
 * application's statement, never inside it. Views are not asked about: the server resolves the
 * tables of a view's definition to base tables even when a temporary table shadows their name.
 */
final class TemporaryTableProbe {

    private TemporaryTableProbe() {
    }

    /** True or false, or {@code null} when the session cannot tell (a missing table, no privilege, a streaming result open). */
    static Boolean isTemporary(Connection session, TableName t) {
        try (Statement st = session.createStatement();
                ResultSet rs = st.executeQuery("SHOW CREATE TABLE " + quote(t.schema()) + "." + quote(t.name()))) {
            String ddl = rs.next() ? rs.getString(2) : null;
            if (ddl == null) {
                return null;
            }
            return ddl.trim().toUpperCase(Locale.ROOT).startsWith("CREATE TEMPORARY");
        } catch (SQLException e) {
            return null;
        }
    }

    private static String quote(String name) {
        return '`' + name.replace("`", "``") + '`';
    }
}
