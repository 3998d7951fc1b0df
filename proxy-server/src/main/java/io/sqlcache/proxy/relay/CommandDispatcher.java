package io.sqlcache.proxy.relay;

import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.PayloadReader;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Dispatches one command of the command phase by its {@link Command}: the commands that carry
 * SQL to {@link StatementCommands}; the others are forwarded with what the session must follow
 * when the server accepts them (schema, user, prepared statements, a reset), or change the
 * connection itself (COM_QUIT, a replication stream). A command the proxy does not know is
 * relayed untouched and counted as a write of anything.
 *
 * <p>Confined to the connection's event loop.
 */
final class CommandDispatcher {

    private final ClientConnection connection;
    private final Session session;
    private final ExchangeRelay relay;
    private final StatementCommands statements;
    private final WriteFlow writes;

    CommandDispatcher(ClientConnection connection, Session session, ExchangeRelay relay, StatementCommands statements,
                      WriteFlow writes) {
        this.connection = connection;
        this.session = session;
        this.relay = relay;
        this.statements = statements;
        this.writes = writes;
    }

    /** Starts {@code ex}, the connection's current exchange. */
    void dispatch(Exchange ex) {
        Packet p = ex.request;
        switch (ex.command) {
            case QUIT -> connection.quit(p);
            case QUERY -> statements.query(ex);
            case STMT_PREPARE -> statements.prepare(ex);
            case STMT_EXECUTE -> statements.execute(ex);
            case STMT_CLOSE -> {
                statementId(p).ifPresent(session::closePrepared);
                relay.forwardWithoutAnswer(ex);
            }
            case STMT_SEND_LONG_DATA -> {
                statementId(p).map(session::preparedById).ifPresent(s -> s.longData = true);
                relay.forwardWithoutAnswer(ex);
            }
            case STMT_RESET -> {
                statementId(p).map(session::preparedById).ifPresent(s -> s.longData = false);
                relay.forward(ex, Expect.SINGLE);
            }
            case STMT_FETCH -> relay.forward(ex, Expect.ROWS);
            case INIT_DB -> {
                String db = new String(p.payload(), 1, p.payload().length - 1, StandardCharsets.UTF_8);
                ex.onOk = () -> session.useSchema(db);
                relay.forward(ex, Expect.SINGLE);
            }
            case FIELD_LIST -> relay.forward(ex, Expect.FIELD_LIST);
            case CHANGE_USER -> changeUser(ex);
            case RESET_CONNECTION -> {
                ex.onOk = session::reset;
                relay.forward(ex, Expect.SINGLE);
            }
            case PROCESS_INFO -> relay.forward(ex, Expect.RESULT);
            case CREATE_DB, DROP_DB -> {
                ex.write.unknown(true);
                writes.markThen(ex, () -> relay.forward(ex, Expect.SINGLE));
            }
            case BINLOG_DUMP, BINLOG_DUMP_GTID, TABLE_DUMP -> {
                // a stream without command boundaries: relay it raw from now on, caching nothing
                session.cachingOff = "replication stream";
                connection.tunnel(p);
            }
            case UNKNOWN -> {
                // relayed untouched; if the server accepts it (MariaDB's bulk execute), it may have written anything
                ex.write.unknown(false);
                writes.markThen(ex, () -> relay.forward(ex, Expect.RESULT));
            }
            default -> relay.forward(ex, Expect.SINGLE);
        }
    }

    private static Optional<Integer> statementId(Packet p) {
        return p.payload().length >= 5 ? Optional.of(new PayloadReader(p.payload(), 1).int4()) : Optional.empty();
    }

    /** COM_CHANGE_USER: once the server accepts it, a new user and schema on a reset session. */
    private void changeUser(Exchange ex) {
        String user = null;
        String db = null;
        try {
            PayloadReader r = new PayloadReader(ex.request.payload(), 1);
            user = r.nulTerminatedString();
            if ((session.capabilities() & Capabilities.CLIENT_SECURE_CONNECTION) != 0) {
                r.skip(r.int1());
            } else {
                r.nulTerminated();
            }
            db = r.nulTerminatedString();
            if (db.isEmpty()) {
                db = null;
            }
        } catch (MalformedPacketException e) {
            session.cachingOff = "unreadable COM_CHANGE_USER";
        }
        String u = user;
        String d = db;
        ex.onOk = () -> {
            session.user = u;
            session.useSchema(d);
            session.reset();
        };
        relay.forward(ex, Expect.AUTH);
    }
}
