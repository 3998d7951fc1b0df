package io.sqlcache.proxy.relay;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.Isolation;
import io.sqlcache.core.TransactionSnapshot;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * When a REPEATABLE READ transaction through the proxy takes its snapshot, so that its reads can
 * be served from the cache ({@link io.sqlcache.core.TransactionSnapshot}). The proxy sends no
 * statement of its own; it reads the write sequence on a worker before it forwards
 * <ul>
 *   <li>the transaction's {@code BEGIN} or {@code START TRANSACTION}, which it forwards as
 *       {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} (keeping READ ONLY or READ WRITE): the
 *       same transaction, whose snapshot InnoDB takes at once instead of at its first read, so
 *       its first read can already be a hit;</li>
 *   <li>or, in a transaction begun without either (autocommit off), its first read, which
 *       takes the snapshot on the server; the reads after it can be hits.</li>
 * </ul>
 * Confined to the connection's event loop; the sequence is read through
 * {@link ClientConnection#submit}.
 */
final class TransactionSnapshots {

    private static final Pattern PLAIN_BEGIN = Pattern.compile(
            "(?is)^\\s*(?:BEGIN(?:\\s+WORK)?|START\\s+TRANSACTION(?:\\s+(READ\\s+(?:ONLY|WRITE)))?)\\s*;?\\s*$");

    private final ClientConnection connection;
    private final Session session;
    private final CacheRuntime runtime;

    TransactionSnapshots(ClientConnection connection, Session session, CacheRuntime runtime) {
        this.connection = connection;
        this.session = session;
        this.runtime = runtime;
    }

    /** Before {@code ex} (a statement not answered from the cache) is forwarded; then runs {@code forward}. */
    void beforeForward(Exchange ex, SqlAnalysis a, Runnable forward) {
        if (a.kind() == StatementKind.BEGIN) {
            session.snapshot().reset();
            beginning(ex, forward);
            return;
        }
        if (!session.inTransaction() || session.isolation() != Isolation.REPEATABLE_READ
                || !runtime.servesSnapshots()) {
            forward.run();
            return;
        }
        boolean read = a.kind() == StatementKind.READ || a.writesUnknown();
        if (!session.snapshot().wantsSequence(read)) {
            session.snapshot().beforeServer(false, a.kind() != StatementKind.SET && a.kind() != StatementKind.USE,
                    () -> -1);
            forward.run();
            return;
        }
        connection.submit(ex, runtime::sequence, s -> {
            session.snapshot().pin(s);
            forward.run();
        });
    }

    /** A BEGIN: forwarded so that it takes its snapshot at once, after the sequence is read. */
    private void beginning(Exchange ex, Runnable forward) {
        String sql = ex.statement == null ? null : ex.statement.sql();
        boolean consistent = TransactionSnapshot.takesSnapshotAtOnce(sql);
        var plain = sql == null ? null : PLAIN_BEGIN.matcher(sql);
        boolean rewritable = plain != null && plain.matches();
        // the level the new transaction runs at (a level set for it alone is unknown)
        if (session.isolation() != Isolation.REPEATABLE_READ || !runtime.servesSnapshots()
                || !consistent && !rewritable) {
            forward.run();
            return;
        }
        String access = rewritable && plain.group(1) != null ? ", " + plain.group(1).toUpperCase(Locale.ROOT) : "";
        connection.submit(ex, runtime::sequence, s -> {
            if (s >= 0) {
                if (!consistent) {
                    ex.rewritten = query(ex.request, TransactionSnapshot.START_WITH_SNAPSHOT + access);
                }
                Runnable before = ex.onOk;
                ex.onOk = () -> {
                    if (before != null) {
                        before.run();
                    }
                    session.snapshot().pin(s);
                };
            }
            forward.run();
        });
    }

    /**
     * A COM_QUERY with the request's sequence id and {@code sql} (ASCII, so any character set),
     * also for a BEGIN that was prepared and executed (sysbench's): the server answers both with
     * one OK packet.
     */
    private static Packet query(Packet request, String sql) {
        byte[] text = sql.getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[1 + text.length];
        payload[0] = (byte) Command.QUERY.code();
        System.arraycopy(text, 0, payload, 1, text.length);
        return new Packet(request.sequenceId(), payload);
    }
}
