package io.sqlcache.proxy.relay;

import io.sqlcache.core.Isolation;
import io.sqlcache.core.SessionState;
import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.ServerStatus;
import io.sqlcache.sql.SessionVariables;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the proxy knows of one client's server session, learned only from the packets it relays
 * (it never injects queries): user, schema, capabilities, character set, the SET statements
 * sent, transaction state from the status flags, the transaction's write set, temporary tables
 * and prepared statements. It is the proxy's {@link SessionView}: the rules that decide what is
 * cached are the driver's own, in {@code io.sqlcache.core}. Confined to the connection's event
 * loop: not thread-safe.
 */
final class Session extends SessionState {

    private static final Pattern SET_NAMES = Pattern.compile(
            "(?is)^\\s*SET\\s+(?:NAMES|CHARACTER\\s+SET|CHARSET)\\s+['\"`]?([a-z0-9_]+)['\"`]?(\\s+COLLATE\\s+\\S+)?\\s*;?\\s*$");
    private static final Pattern SET_CLIENT_CHARSET = Pattern.compile(
            "(?is)^\\s*SET\\s+(?:SESSION\\s+|@@SESSION\\.|@@)?character_set_client\\s*=\\s*['\"`]?([a-z0-9_]+)['\"`]?\\s*;?\\s*$");
    /** {@code SET [SESSION] TRANSACTION ISOLATION LEVEL …}: group 1 is the scope (null: the next transaction only). */
    private static final Pattern SET_TRANSACTION_ISOLATION = Pattern.compile(
            "(?is)^\\s*SET\\s+(?:(SESSION|LOCAL)\\s+)?TRANSACTION\\s+ISOLATION\\s+LEVEL\\s+"
                    + "(READ\\s+UNCOMMITTED|READ\\s+COMMITTED|REPEATABLE\\s+READ|SERIALIZABLE)"
                    + "(?:\\s*,\\s*READ\\s+(?:ONLY|WRITE))?\\s*;?\\s*$");
    /** {@code SET [SESSION] tx_isolation = '…'} and its spellings. */
    private static final Pattern SET_ISOLATION_VARIABLE = Pattern.compile(
            "(?is)^\\s*SET\\s+(?:SESSION\\s+|LOCAL\\s+|@@SESSION\\.|@@LOCAL\\.|@@)?(?:tx_isolation|transaction_isolation)"
                    + "\\s*=\\s*['\"]([A-Z-]+)['\"]\\s*;?\\s*$");
    private static final Pattern NEXT_TRANSACTION = Pattern.compile("(?is)^\\s*SET\\s+TRANSACTION\\b.*");

    /** Collation ids (as sent in the handshake) of utf8mb3 and utf8mb4. */
    private static boolean utf8Collation(int id) {
        return id == 33 || id == 83 || id >= 192 && id <= 215 || id == 223
                || id == 45 || id == 46 || id >= 224 && id <= 247 || id == 255;
    }

    enum TextDecoding { UTF8, OTHER }

    /** A statement prepared on this session. */
    static final class Prepared {
        final String sql;
        final SqlAnalysis analysis;
        final int parameterCount;
        /** The parameter types last sent with new-params-bound, or null before the first. */
        byte[] types;
        /**
         * Whether the server holds {@link #types}: false when an execute that carried new types was
         * answered from the cache, so the server never saw them (the next forwarded execute must carry them).
         */
        boolean typesOnServer;
        /** True after COM_STMT_SEND_LONG_DATA until the next execute or reset. */
        boolean longData;

        Prepared(String sql, SqlAnalysis analysis, int parameterCount) {
            this.sql = sql;
            this.analysis = analysis;
            this.parameterCount = parameterCount;
        }
    }

    private final int serverCapabilities;
    String user;
    String schema;
    boolean schemaKnown = true;
    int clientCapabilities;
    /** The MariaDB extended capabilities both sides use (of those the proxy relays). */
    int extended;
    int characterSet;
    TextDecoding decoding = TextDecoding.OTHER;
    /** Hash chain of every SET text (and every unknowable session change) since the session began. */
    String settings = "";
    int status;
    /** The server's default isolation level, once the proxy has read it (null until then). */
    private final java.util.function.Supplier<Isolation> serverDefault;
    final Map<Integer, Prepared> prepared = new HashMap<>();
    /** MariaDB's statement id for "the statement prepared last" (prepare and execute pipelined). */
    static final int LAST_PREPARED = -1;
    /** The statement prepared last, or null (none, or the last prepare failed). */
    Prepared lastPrepared;
    /** Set when the session can no longer be followed (a replication stream): nothing is cached. */
    String cachingOff;

    Session(int serverCapabilities) {
        this(serverCapabilities, () -> null);
    }

    /** @param serverDefault the server's default isolation level, or null while unknown */
    Session(int serverCapabilities, java.util.function.Supplier<Isolation> serverDefault) {
        super(Isolation.SERVER_DEFAULT);
        this.serverCapabilities = serverCapabilities;
        this.serverDefault = serverDefault;
    }

    /** The prepared statement a command names, or null when unknown. */
    Prepared preparedById(int id) {
        return id == LAST_PREPARED ? lastPrepared : prepared.get(id);
    }

    /** COM_STMT_CLOSE: the statement is gone, under its id and as "the last prepared". */
    void closePrepared(int id) {
        Prepared closed = id == LAST_PREPARED ? lastPrepared : prepared.remove(id);
        if (closed != null) {
            prepared.values().remove(closed);
            if (closed == lastPrepared) {
                lastPrepared = null;
            }
        }
    }

    /** Records the client's handshake response. */
    void handshake(String user, String database, int capabilities, int characterSet) {
        this.user = user;
        this.schema = database;
        this.schemaKnown = true;
        this.clientCapabilities = capabilities;
        this.characterSet = characterSet;
        this.decoding = utf8Collation(characterSet) ? TextDecoding.UTF8 : TextDecoding.OTHER;
    }

    /** The capabilities both sides use. */
    int capabilities() {
        return clientCapabilities & serverCapabilities;
    }

    boolean deprecateEof() {
        return (capabilities() & Capabilities.CLIENT_DEPRECATE_EOF) != 0;
    }

    @Override
    public boolean inTransaction() {
        return (status & ServerStatus.IN_TRANS) != 0 || (status & ServerStatus.AUTOCOMMIT) == 0;
    }

    /** After COM_RESET_CONNECTION or COM_CHANGE_USER: the server forgot the session's state. */
    void reset() {
        settings = "";
        isolationState().reset(Isolation.SERVER_DEFAULT);
        writes().ended(true); // the server rolled the open transaction back
        snapshot().reset();
        temporaryTables().reset();
        prepared.clear();
        lastPrepared = null;
        decoding = utf8Collation(characterSet) ? TextDecoding.UTF8 : TextDecoding.OTHER;
    }

    /** A SET statement ran: its text joins the key; the character set and isolation follow when we can read them. */
    void afterSet(String text) {
        settings = chain(settings, text);
        Matcher m = SET_NAMES.matcher(text);
        Matcher c = SET_CLIENT_CHARSET.matcher(text);
        String lower = text.toLowerCase(Locale.ROOT);
        if (m.matches() || c.matches()) {
            String cs = (m.matches() ? m.group(1) : c.group(1)).toLowerCase(Locale.ROOT);
            decoding = cs.equals("utf8") || cs.equals("utf8mb3") || cs.equals("utf8mb4") ? TextDecoding.UTF8 : TextDecoding.OTHER;
        } else if (lower.contains("names") || lower.contains("character") || lower.contains("charset")) {
            decoding = TextDecoding.OTHER;
        }
        Matcher level = SET_TRANSACTION_ISOLATION.matcher(text);
        Matcher variable = SET_ISOLATION_VARIABLE.matcher(text);
        if (level.matches() && level.group(1) != null) {
            isolationState().session(Isolation.parse(level.group(2)));
        } else if (variable.matches()) {
            isolationState().session(Isolation.parse(variable.group(1)));
        } else if (NEXT_TRANSACTION.matcher(text).matches()) {
            isolationState().nextTransactionSet();
        } else if (SessionVariables.assignsIsolation(text)) {
            // several assignments in one statement, a value not followed here
            isolationState().session(Isolation.UNKNOWN);
        }
    }

    /**
     * A statement changed the session in ways the proxy cannot see (a procedure, a multi-statement
     * text): from now on this session's keys are its own, and the schema is unknown until the
     * next USE or COM_INIT_DB.
     */
    void unknowable() {
        settings = chain(settings, "unknowable " + UUID.randomUUID());
        schemaKnown = false;
        isolationState().session(Isolation.UNKNOWN);
        decoding = TextDecoding.OTHER;
    }

    /**
     * A statement's answer is complete and the server ran it (a text it could not parse ran
     * nothing): the session follows what the statement changed.
     *
     * @param ok                 the answer is no error
     * @param inTransactionAfter a transaction is open after it
     */
    void statementRan(SqlAnalysis a, String sql, boolean ok, boolean inTransactionAfter) {
        switch (a.kind()) {
            case USE -> {
                if (ok) {
                    useSchema(a.useSchema());
                }
            }
            case SET -> afterSet(sql);
            case WRITE, DDL -> {
                if (a.writesUnknown()) {
                    // a procedure or a multi-statement text may have changed settings or the schema
                    unknowable();
                }
            }
            default -> {
            }
        }
        isolationState().statementRan(a.kind() == StatementKind.SET, inTransactionAfter);
        if (!inTransactionAfter && a.kind() != StatementKind.SET && a.kind() != StatementKind.USE) {
            snapshot().reset(); // the transaction, if any, is over
        }
    }

    void useSchema(String name) {
        schema = name;
        schemaKnown = name != null;
    }

    // ---- what the read policy sees (io.sqlcache.core.ReadPolicy) ----

    @Override
    public String stateBypass() {
        if (cachingOff != null) {
            return cachingOff;
        }
        return schemaKnown ? null : "session state unknown";
    }

    @Override
    public String schema() {
        return schemaKnown ? schema : null;
    }

    @Override
    public Isolation isolation() {
        Isolation level = super.isolation();
        if (level == Isolation.SERVER_DEFAULT) {
            Isolation global = serverDefault.get();
            return global == null ? level : global;
        }
        return level;
    }

    /**
     * The proxy never injects a statement of its own: a transaction's snapshot is known once the
     * proxy forwarded its BEGIN as {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}, or its
     * first read, after reading the sequence ({@link TransactionSnapshots}); until then -1.
     */
    @Override
    public long transactionSnapshot() {
        return snapshot().current();
    }

    @Override
    public Prober temporaryTableProber() {
        return Prober.CANNOT_TELL;
    }

    /**
     * What goes into the key besides the statement: who, where, and everything that shapes
     * the bytes of the answer.
     */
    String[] scope(String protocol) {
        // the flags a cached answer's last packet carries back to the client
        int st = status & (ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS_READONLY);
        return new String[] {"proxy/" + protocol, schema, user, settings,
                Integer.toHexString(capabilities()) + "/" + Integer.toHexString(extended), Integer.toString(characterSet),
                Integer.toString(st)};
    }

    private static String chain(String previous, String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(previous.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
