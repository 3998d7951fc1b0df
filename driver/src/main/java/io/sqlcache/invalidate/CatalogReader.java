package io.sqlcache.invalidate;

import io.sqlcache.sql.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what one schema's catalog says about writes and reads a statement does not show:
 * views, triggers and cascading foreign keys. Plain SQL over a {@link Connection} of the real
 * driver, against {@code information_schema} as MySQL 5.7/8 and MariaDB 10.x both have it (no
 * {@code VIEW_TABLE_USAGE}, which MariaDB 10.11 lacks: view definitions are parsed instead).
 *
 * <p>Stateless and thread-safe; the connection is the caller's and is used by one thread.
 */
public final class CatalogReader {

    /** Seconds one catalog query may take before the catalog counts as unreadable. */
    static final int QUERY_TIMEOUT_SECONDS = 5;

    private static final String VIEWS = "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION"
            + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?";
    private static final String TRIGGERS = "SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_SCHEMA,"
            + " TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?";
    /**
     * Foreign keys whose parent is in the schema and whose child changes when the parent does.
     * UNIQUE_CONSTRAINT_SCHEMA is the referenced table's schema on both servers, so no join
     * with KEY_COLUMN_USAGE is needed; children may live in other schemas.
     */
    private static final String CASCADES = "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, UNIQUE_CONSTRAINT_SCHEMA,"
            + " REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS"
            + " WHERE UNIQUE_CONSTRAINT_SCHEMA = ?"
            + " AND (UPDATE_RULE NOT IN ('RESTRICT', 'NO ACTION') OR DELETE_RULE NOT IN ('RESTRICT', 'NO ACTION'))";
    /**
     * The primary-key columns of the schema's tables, with their types: a table whose primary key
     * is one integer column gets row-range versions ({@link RowScopes}). Generated columns are
     * reported so that they can be refused (an UPDATE of another column may change them).
     */
    private static final String PRIMARY_KEYS = "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.COLUMN_NAME, c.DATA_TYPE,"
            + " c.COLUMN_TYPE, c.EXTRA FROM information_schema.KEY_COLUMN_USAGE k"
            + " JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA"
            + " AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME"
            + " WHERE k.TABLE_SCHEMA = ? AND k.CONSTRAINT_NAME = 'PRIMARY'";
    /**
     * information_schema.TRIGGERS lists only triggers of tables the user has the TRIGGER
     * privilege on. This asks whether the user holds it globally or on the schema; if not, the
     * trigger list may be incomplete. Privileges held through roles or on single tables are
     * not seen: the answer is then "no", which is the safe side. MariaDB 10.11 lists the
     * triggers of tables the user holds any privilege on, with a NULL body without TRIGGER
     * (counted as unknown writes), and none of the other tables, whose triggers a visible
     * trigger may still set off. The privilege also makes the schema's foreign keys visible
     * (REFERENTIAL_CONSTRAINTS shows those of tables the user holds any privilege on); a
     * cascading child in another schema the user holds no privilege on stays unseen.
     */
    private static final String TRIGGER_PRIVILEGE = "SELECT COUNT(*) FROM ("
            + "SELECT GRANTEE FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'TRIGGER'"
            + " UNION ALL SELECT GRANTEE FROM information_schema.SCHEMA_PRIVILEGES"
            + " WHERE PRIVILEGE_TYPE = 'TRIGGER' AND ? LIKE TABLE_SCHEMA) p"
            + " WHERE p.GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
            + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";

    private CatalogReader() {
    }

    /** A view and its definition as the server shows it (empty when the user may not see it). */
    public record ViewRow(TableName view, String definition) {
    }

    /** A trigger: the table it is on, the schema its body runs in, and its body. */
    public record TriggerRow(TableName table, String triggerSchema, String name, String body) {
    }

    /** A foreign key whose child changes when its parent does (CASCADE, SET NULL, SET DEFAULT). */
    public record CascadeRow(TableName parent, TableName child) {
    }

    /**
     * One column of a table's primary key.
     *
     * @param dataType   {@code DATA_TYPE}, such as {@code int}
     * @param columnType {@code COLUMN_TYPE}, such as {@code int(10) unsigned}
     * @param extra      {@code EXTRA}, such as {@code auto_increment} or {@code STORED GENERATED}
     */
    public record PrimaryKeyRow(TableName table, String column, String dataType, String columnType, String extra) {
    }

    /**
     * What the catalog says about one schema.
     *
     * @param triggersVisible true when the user can see every trigger of the schema
     * @param primaryKeys     the primary-key columns of its tables
     */
    public record Catalog(List<ViewRow> views, List<TriggerRow> triggers, List<CascadeRow> cascades,
            boolean triggersVisible, List<PrimaryKeyRow> primaryKeys) {

        public Catalog {
            views = List.copyOf(views);
            triggers = List.copyOf(triggers);
            cascades = List.copyOf(cascades);
            primaryKeys = List.copyOf(primaryKeys);
        }

        /** A catalog without primary keys: no table gets row-range versions. */
        public Catalog(List<ViewRow> views, List<TriggerRow> triggers, List<CascadeRow> cascades,
                boolean triggersVisible) {
            this(views, triggers, cascades, triggersVisible, List.of());
        }
    }

    /**
     * Reads the catalog of {@code schema} (lowercased names compare case-insensitively in
     * {@code information_schema}). Leaves no statement or result set open.
     *
     * @throws SQLException whatever the server says; the caller treats it as "unreadable"
     */
    public static Catalog read(Connection c, String schema) throws SQLException {
        List<ViewRow> views = new ArrayList<>();
        query(c, VIEWS, schema, rs -> views.add(new ViewRow(
                TableName.of(rs.getString(1), rs.getString(2)), rs.getString(3))));
        List<TriggerRow> triggers = new ArrayList<>();
        query(c, TRIGGERS, schema, rs -> triggers.add(new TriggerRow(
                TableName.of(rs.getString(1), rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5))));
        List<CascadeRow> cascades = new ArrayList<>();
        query(c, CASCADES, schema, rs -> cascades.add(new CascadeRow(
                TableName.of(rs.getString(3), rs.getString(4)), TableName.of(rs.getString(1), rs.getString(2)))));
        long[] privileged = new long[1];
        query(c, TRIGGER_PRIVILEGE, schema, rs -> privileged[0] = rs.getLong(1));
        List<PrimaryKeyRow> keys = new ArrayList<>();
        query(c, PRIMARY_KEYS, schema, rs -> keys.add(new PrimaryKeyRow(TableName.of(rs.getString(1), rs.getString(2)),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6))));
        return new Catalog(views, triggers, cascades, privileged[0] > 0, keys);
    }

    private interface RowReader {
        void row(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, String sql, String schema, RowReader reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.row(rs);
                }
            }
        }
    }
}
