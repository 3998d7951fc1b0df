package io.sqlcache.proxy.relay;

import io.netty.channel.Channel;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.WriteTarget;
import io.sqlcache.proxy.protocol.ErrPacket;
import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.ResponseTracker;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import io.sqlcache.proxy.protocol.ResponseTracker.Step;
import io.sqlcache.proxy.protocol.ServerStatus;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Moves one command's packets in the command phase: forwards the request to the server and
 * streams the answer back to the client as it comes ({@link ResponseTracker} says where it
 * ends), or answers from the proxy. When the answer is complete it does the book-keeping in a
 * fixed order: the session follows the statement, a cacheable answer is stored, the writes are
 * bumped ({@link WriteFlow}), and only then does the last packet reach the client.
 *
 * <p>Confined to the connection's event loop; it never blocks (the bump runs on a worker).
 */
final class ExchangeRelay {

    private static final System.Logger LOG = System.getLogger(ExchangeRelay.class.getName());

    private final ClientConnection connection;
    private final Session session;
    private final WriteFlow writes;
    private final ProxyContext context;
    private final CacheRuntime runtime;
    private final Channel client;
    private final Channel backend;

    ExchangeRelay(ClientConnection connection, Session session, WriteFlow writes, ProxyContext context,
                  Channel client, Channel backend) {
        this.connection = connection;
        this.session = session;
        this.writes = writes;
        this.context = context;
        this.runtime = context.runtime();
        this.client = client;
        this.backend = backend;
    }

    /** Forwards the request; its answer, which {@code expect} describes, comes to {@link #onAnswer}. */
    void forward(Exchange ex, Expect expect) {
        ex.tracker = new ResponseTracker(expect, session.deprecateEof());
        Packet out = ex.rewritten != null ? ex.rewritten : ex.types == null ? ex.request : ex.types.forwarded(ex.request);
        backend.writeAndFlush(out);
    }

    /** Forwards a command the server does not answer; the exchange is over. */
    void forwardWithoutAnswer(Exchange ex) {
        backend.writeAndFlush(ex.request);
        connection.complete(ex);
    }

    /** Answers from the proxy: payloads renumbered after the request's sequence id. */
    void serve(Exchange ex, List<byte[]> payloads) {
        int seq = ex.request.nextSequenceId();
        for (byte[] payload : payloads) {
            Packet out = new Packet(seq, payload);
            client.write(out);
            seq = out.nextSequenceId();
        }
        client.flush();
        connection.complete(ex);
    }

    /** A packet of the server's answer to {@code ex}. */
    void onAnswer(Exchange ex, Packet p) {
        Step step;
        try {
            step = ex.tracker.accept(p.payload());
        } catch (MalformedPacketException | IllegalStateException e) {
            // we no longer know where answers end: this connection cannot be followed safely
            LOG.log(Level.WARNING, "sqlcache proxy: unexpected server packet, closing the connection: " + e.getMessage());
            context.protocolError();
            client.writeAndFlush(p);
            if (ex.write.writes() || ex.write.marks() != null) {
                writes.bumpInBackground(ex.write.marks(), ex.write.writes() ? ex.write.target() : WriteTarget.NONE);
            }
            connection.closeNow();
            return;
        }
        if (ex.read != null) {
            ex.read.captured(p.payload(), ex.tracker, runtime);
        }
        if (step == Step.DONE) {
            finish(ex, p);
            return;
        }
        client.write(p);
        ex.relayed = true;
        if (step == Step.CLIENT_TURN) {
            client.flush();
            connection.clientTurn();
        }
    }

    /** The answer is complete: session book-keeping, the cache store, the bump, then the last packet. */
    private void finish(Exchange ex, Packet last) {
        ResponseTracker t = ex.tracker;
        boolean ok = !t.error();
        int after = t.status() >= 0 ? t.status() : ex.statusBefore;
        if (t.status() >= 0) {
            session.status = t.status();
        }
        if (ok && ex.onOk != null) {
            ex.onOk.run();
        }
        boolean inTransaction = (after & ServerStatus.IN_TRANS) != 0;
        // a text the server could not parse ran nothing: no bump, no reload. Otherwise garbage from
        // any client would invalidate everything and make every read reload the catalog
        boolean ranNothing = t.onlyError() && ErrPacket.isParseError(last.payload());
        Exchange.Statement s = ex.statement;
        if (s != null && !ranNothing) {
            session.statementRan(s.analysis(), s.sql(), ok, inTransaction);
        }
        if (ex.read != null) {
            ex.read.finished(ok && t.singleResultSet() && t.warnings() == 0
                    && (after & ServerStatus.SESSION_STATE_CHANGED) == 0, runtime);
        }
        WriteTarget bump = writes.answered(ex, ok, ranNothing, inTransaction);
        writes.bumpThen(ex, bump, () -> {
            client.writeAndFlush(last);
            connection.complete(ex);
        });
    }
}
