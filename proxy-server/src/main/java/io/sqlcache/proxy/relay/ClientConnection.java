package io.sqlcache.proxy.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.ReadDecision;
import io.sqlcache.core.ReadPolicy;
import io.sqlcache.core.WriteTarget;
import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.key.ParamValue;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.proxy.ProxyConfig;
import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.proxy.protocol.ErrPacket;
import io.sqlcache.proxy.protocol.HandshakeResponse41;
import io.sqlcache.proxy.protocol.HandshakeV10;
import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.OkPacket;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.PacketCodec;
import io.sqlcache.proxy.protocol.PayloadReader;
import io.sqlcache.proxy.protocol.ResponseTracker;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import io.sqlcache.proxy.protocol.ResponseTracker.Step;
import io.sqlcache.proxy.protocol.ServerStatus;
import io.sqlcache.proxy.protocol.TextResultSet;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.sql.TableName;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One client connection and its backend connection, both on the client's event loop. The
 * connection phase is relayed untouched except for the capability flags; in the command phase
 * each command is an {@link Exchange}: answered from the cache, or forwarded and its answer
 * streamed back (captured for the cache when cacheable). Commands are handled one at a time;
 * packets a client sends ahead are queued, and reading from the client pauses only while that
 * queue holds {@link #MAX_QUEUED_BYTES} or more.
 *
 * <p>Every field is confined to the event loop, which never blocks. A cacheable read seen before
 * is planned there and its store lookup is asynchronous ({@link CacheRuntime#readRawAsync}), so
 * a hit never leaves the event loop, nor does storing a miss (queued, not awaited); other
 * blocking work (parsing a new text, loading a catalog model, bumping versions) runs on the
 * context's workers and comes back through {@link #submit}. Misses of the same entry under the same versions are coalesced
 * ({@link Coalescer}).
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
    private static final ParamValue[] NO_PARAMS = new ParamValue[0];
    /** How long a coalesced miss waits for another session's result before it forwards its own. */
    static final long MAX_COALESCED_WAIT_MS = 10_000;
    /**
     * Reading from the client pauses while this much waits in {@link #queue}. Not at every
     * command: pausing and resuming a socket's reads is a system call each (epoll_ctl), one and
     * a half per point select under sysbench, and clients that send commands ahead are rare.
     */
    public static final int MAX_QUEUED_BYTES = 1 << 20;
    /** Why nothing is cached without a catalog login. */
    static final String NO_CATALOG = "no catalog access (set --catalog-user)";

    private enum Phase { CONNECTING, GREETING, HANDSHAKE_RESPONSE, AUTH, COMMAND, TUNNEL, CLOSED }

    private final ProxyContext context;
    private final CacheRuntime runtime;
    private final CacheMetrics metrics;
    private Channel client;
    private Channel backend;
    private Phase phase = Phase.CONNECTING;
    private Session session;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    /** Payload bytes in {@link #queue}. */
    private long queuedBytes;
    private Exchange current;
    /** The server waits for client packets that are not commands (auth data, LOCAL INFILE contents). */
    private boolean clientTurn;
    private boolean closeWhenIdle;
    /** 1 after an SSLRequest: the client's connection-phase sequence ids are one ahead of the backend's. */
    private int tlsOffset;
    private boolean draining;
    /** The key prefix of the last cached read: reused while its text and scope stay the same. */
    private KeyMaterial.Prefix keyPrefix;

    public ClientConnection(ProxyContext context) {
        this.context = context;
        this.runtime = context.runtime();
        this.metrics = runtime.metrics();
    }

    // ---- client channel events ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        if (!context.admit(this)) {
            phase = Phase.CLOSED;
            ErrPacket err = context.shuttingDown()
                    ? new ErrPacket(ErrPacket.SHUTDOWN, "08S01", "sqlcache proxy is shutting down")
                    : new ErrPacket(ErrPacket.TOO_MANY_CONNECTIONS, "08004", "Too many connections");
            client.writeAndFlush(new Packet(0, err.write())).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        client.config().setAutoRead(false);
        ProxyConfig config = context.config();
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(client.getClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("packets", new PacketCodec(ProxyConfig.MAX_BACKEND_PACKET_BYTES));
                        ch.pipeline().addLast("backend", new BackendHandler());
                    }
                });
        b.connect(config.backendHost(), config.backendPort()).addListener((ChannelFutureListener) f -> {
            if (phase == Phase.CLOSED) {
                f.channel().close();
                return;
            }
            if (!f.isSuccess()) {
                LOG.log(Level.WARNING, "sqlcache proxy: backend " + config.backendHost() + ":" + config.backendPort()
                        + " unreachable: " + f.cause());
                fatal(0, new ErrPacket(ErrPacket.BACKEND_UNREACHABLE, "08S01", "sqlcache proxy cannot reach the backend "
                        + config.backendHost() + ":" + config.backendPort()));
                return;
            }
            backend = f.channel();
            phase = Phase.GREETING;
            // the client speaks only after the greeting; reading now lets us notice it hang up
            updateClientRead();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Packet p = (Packet) msg;
        try {
            onClientPacket(p);
        } catch (MalformedPacketException e) {
            context.protocolError();
            fatal(p.nextSequenceId(), new ErrPacket(ErrPacket.MALFORMED, "08S01", "sqlcache proxy: malformed packet: "
                    + e.getMessage()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeNow();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // backpressure: stop reading the server while the client cannot keep up
        if (backend != null) {
            backend.config().setAutoRead(client.isWritable());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof TooLongFrameException
                || cause instanceof TooLongFrameException) {
            context.protocolError();
            fatal(0, new ErrPacket(ErrPacket.PACKET_TOO_LARGE, "08S01", "sqlcache proxy: packet larger than "
                    + context.config().maxPacketBytes() + " bytes"));
            return;
        }
        LOG.log(Level.DEBUG, () -> "sqlcache proxy: client connection failed: " + cause);
        if (!(cause instanceof java.io.IOException)) {
            context.protocolError();
        }
        closeNow();
    }

    private void onClientPacket(Packet p) {
        switch (phase) {
            case HANDSHAKE_RESPONSE -> {
                if (context.tls() != null && tlsOffset == 0 && p.payload().length == HandshakeResponse41.SSL_REQUEST_LENGTH
                        && (new PayloadReader(p.payload(), 0).int4() & Capabilities.CLIENT_SSL) != 0) {
                    // TlsUpgrade put the SslHandler in; the real response follows over TLS. The backend
                    // never sees the SSLRequest: connection-phase sequence ids differ by one from now on
                    tlsOffset = 1;
                    return;
                }
                HandshakeResponse41 r;
                try {
                    r = new HandshakeResponse41(p.payload());
                } catch (MalformedPacketException e) {
                    boolean ssl = p.payload().length >= 4
                            && (new PayloadReader(p.payload(), 0).int4() & Capabilities.CLIENT_SSL) != 0;
                    context.protocolError();
                    fatal(p.nextSequenceId(), new ErrPacket(ErrPacket.NOT_SUPPORTED, "08004", ssl
                            ? "sqlcache proxy: TLS is not enabled on this proxy (connect without SSL)"
                            : "sqlcache proxy: unsupported handshake response: " + e.getMessage()));
                    return;
                }
                session.handshake(r.user(), r.database(), r.capabilities() & ~Capabilities.REMOVED, r.characterSet());
                session.extended &= r.extendedCapabilities();
                phase = Phase.AUTH;
                backend.writeAndFlush(new Packet(p.sequenceId() - tlsOffset, r.narrowed(Capabilities.REMOVED)));
            }
            case AUTH -> backend.writeAndFlush(tlsOffset == 0 ? p : new Packet((p.sequenceId() - tlsOffset) & 0xFF, p.payload()));
            case TUNNEL -> backend.writeAndFlush(p);
            case COMMAND -> {
                if (current != null) {
                    if (clientTurn) {
                        backend.writeAndFlush(p);
                        if (current.tracker.expect() == Expect.AUTH || p.payload().length == 0) {
                            // one auth packet per server request; LOCAL INFILE contents end with an empty packet
                            clientTurn = false;
                            updateClientRead();
                        }
                    } else {
                        enqueue(p);
                    }
                    return;
                }
                start(p);
            }
            case CONNECTING, GREETING -> throw new MalformedPacketException("client spoke before the server's greeting");
            case CLOSED -> {
                // late packets of a connection being closed
            }
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    // ---- backend channel events ----

    private final class BackendHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            onBackendPacket((Packet) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (client != null) {
                client.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onBackendLost();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            updateClientRead();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.DEBUG, () -> "sqlcache proxy: backend connection failed: " + cause);
            onBackendLost();
        }
    }

    private void onBackendPacket(Packet p) {
        switch (phase) {
            case GREETING -> {
                if (p.header() == 0xFF) {
                    // the server refuses us (too many connections, host blocked): the client gets its words
                    client.write(p);
                    closeNow();
                    return;
                }
                HandshakeV10 greeting;
                try {
                    greeting = new HandshakeV10(p.payload());
                } catch (MalformedPacketException e) {
                    fatal(0, new ErrPacket(ErrPacket.MALFORMED, "08S01", "sqlcache proxy: unreadable server greeting"));
                    return;
                }
                session = new Session(greeting.capabilities() & ~Capabilities.REMOVED);
                session.extended = greeting.extendedCapabilities() & Capabilities.MARIADB_KEPT;
                session.status = greeting.status();
                phase = Phase.HANDSHAKE_RESPONSE;
                // with a certificate the proxy offers TLS itself; the backend connection stays plain
                int added = context.tls() == null ? 0 : Capabilities.CLIENT_SSL;
                client.write(new Packet(p.sequenceId(), greeting.changed(Capabilities.REMOVED, added)));
            }
            case AUTH -> {
                client.write(tlsOffset == 0 ? p : new Packet((p.sequenceId() + tlsOffset) & 0xFF, p.payload()));
                if (p.header() == 0x00) {
                    try {
                        session.status = OkPacket.parse(p.payload()).status();
                    } catch (MalformedPacketException e) {
                        session.status = 0;
                    }
                    phase = Phase.COMMAND;
                    drain();
                } else if (p.header() == 0xFF) {
                    closeNow();
                }
            }
            case COMMAND -> {
                Exchange ex = current;
                if (ex == null || ex.tracker == null) {
                    // unsolicited (a server-side kill, a timeout notice): the client gets it as is
                    client.write(p);
                    return;
                }
                onAnswer(ex, p);
            }
            case HANDSHAKE_RESPONSE, TUNNEL -> client.write(p);
            case CONNECTING, CLOSED -> {
            }
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    private void onBackendLost() {
        if (phase == Phase.CLOSED) {
            return;
        }
        Exchange ex = current;
        if (phase == Phase.COMMAND && ex != null && !ex.relayed) {
            fatal(ex.request.nextSequenceId(), new ErrPacket(ErrPacket.BACKEND_LOST, "08S01",
                    "sqlcache proxy: lost connection to the backend during the command"));
        } else {
            closeNow();
        }
    }

    // ---- the command phase ----

    /** One command and what the proxy learned about it. */
    private final class Exchange {
        final Command command;
        final Packet request;
        final int statusBefore;
        ResponseTracker tracker;
        String sql;
        SqlAnalysis analysis;
        boolean writes;
        /** What it writes, when {@link #writes}: the versions bumped after its answer. */
        WriteTarget write = WriteTarget.NONE;
        /** The statement's parameters as integers (RowScopes), or null when unknown. */
        Long[] integerParams = new Long[0];
        /** A failed statement may still have written (a non-transactional table): bump anyway, as the driver does. */
        boolean bumpOnError = true;
        Runnable onOk;
        KeyMaterial key;
        CacheRuntime.RawLookup lookup;
        /** For a COM_STMT_EXECUTE of a known statement: the parameter types the server must hold, or null. */
        BinaryExecute.Types types;
        List<byte[]> capture;
        long capturedBytes;
        int ttl;
        boolean relayed;
        /** A leader's flight of coalesced misses, ended with its command. */
        Coalescer.Flight flight;
        /** Waiting for another session's result (a coalesced miss). */
        boolean waiting;
        ScheduledFuture<?> waitLimit;

        Exchange(Command command, Packet request) {
            this.command = command;
            this.request = request;
            this.statusBefore = session.status;
        }
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (current == null && phase == Phase.COMMAND && !closeWhenIdle && !queue.isEmpty()) {
                Packet next = queue.poll();
                queuedBytes -= next.payload().length;
                start(next);
            }
        } finally {
            draining = false;
        }
        if (current == null && closeWhenIdle) {
            closeNow();
            return;
        }
        updateClientRead();
    }

    private void start(Packet p) {
        Command cmd = Command.of(p);
        Exchange ex = new Exchange(cmd, p);
        current = ex;
        updateClientRead();
        switch (cmd) {
            case QUIT -> {
                current = null;
                backend.writeAndFlush(p).addListener(ChannelFutureListener.CLOSE);
                closeNow();
            }
            case QUERY -> query(ex);
            case STMT_PREPARE -> prepare(ex);
            case STMT_EXECUTE -> execute(ex);
            case STMT_CLOSE -> {
                statementId(p).ifPresent(session::closePrepared);
                forwardWithoutAnswer(ex);
            }
            case STMT_SEND_LONG_DATA -> {
                statementId(p).map(session::preparedById).ifPresent(s -> s.longData = true);
                forwardWithoutAnswer(ex);
            }
            case STMT_RESET -> {
                statementId(p).map(session::preparedById).ifPresent(s -> s.longData = false);
                forward(ex, Expect.SINGLE);
            }
            case STMT_FETCH -> forward(ex, Expect.ROWS);
            case INIT_DB -> {
                String db = new String(p.payload(), 1, p.payload().length - 1, StandardCharsets.UTF_8);
                ex.onOk = () -> session.useSchema(db);
                forward(ex, Expect.SINGLE);
            }
            case FIELD_LIST -> forward(ex, Expect.FIELD_LIST);
            case CHANGE_USER -> changeUser(ex);
            case RESET_CONNECTION -> {
                ex.onOk = session::reset;
                forward(ex, Expect.SINGLE);
            }
            case PROCESS_INFO -> forward(ex, Expect.RESULT);
            case CREATE_DB, DROP_DB -> {
                ex.writes = true;
                ex.write = WriteTarget.UNKNOWN;
                forward(ex, Expect.SINGLE);
            }
            case BINLOG_DUMP, BINLOG_DUMP_GTID, TABLE_DUMP -> {
                // a stream without command boundaries: relay it raw from now on, caching nothing
                session.cachingOff = "replication stream";
                current = null;
                phase = Phase.TUNNEL;
                backend.writeAndFlush(p);
                updateClientRead();
            }
            case UNKNOWN -> {
                // relayed untouched; if the server accepts it (MariaDB's bulk execute), it may have written anything
                ex.writes = true;
                ex.write = WriteTarget.UNKNOWN;
                ex.bumpOnError = false;
                forward(ex, Expect.RESULT);
            }
            default -> forward(ex, Expect.SINGLE);
        }
    }

    private static java.util.Optional<Integer> statementId(Packet p) {
        return p.payload().length >= 5 ? java.util.Optional.of(new PayloadReader(p.payload(), 1).int4())
                : java.util.Optional.empty();
    }

    private void query(Exchange ex) {
        byte[] payload = ex.request.payload();
        byte[] text = Arrays.copyOfRange(payload, 1, payload.length);
        StatementText d = StatementText.decode(text, session.decoding);
        AdminStatements.Admin admin = d.trusted() ? AdminStatements.parse(d.text()) : null;
        if (admin != null) {
            admin(ex, admin);
            return;
        }
        ex.sql = d.text();
        SqlAnalysis known = d.trusted() ? context.knownRead(d.text()) : null;
        if (known != null) {
            // a cacheable read seen before: no hop to a worker on the hit path
            analysed(ex, d, known);
            return;
        }
        submit(ex, () -> runtime.analyze(d.text()), a -> {
            if (d.trusted()) {
                context.rememberRead(d.text(), a);
            }
            analysed(ex, d, a);
        });
    }

    private void analysed(Exchange ex, StatementText d, SqlAnalysis a) {
        ex.analysis = a;
        if (a.kind() == StatementKind.READ) {
            String reason = d.trusted() ? null : "text not decodable in the connection's character set";
            if (reason == null) {
                ReadDecision plan = runtime.readPolicy().named(a, session);
                if (plan.bypass() == null) {
                    cachedRead(ex, a, plan, NO_PARAMS, "text");
                    return;
                }
                reason = plan.bypass();
            }
            metrics.bypass(reason);
        }
        classifyWrite(ex, a, d.trusted());
        forwardStatement(ex);
    }

    private void prepare(Exchange ex) {
        byte[] payload = ex.request.payload();
        StatementText d = StatementText.decode(Arrays.copyOfRange(payload, 1, payload.length), session.decoding);
        submit(ex, () -> runtime.analyze(d.text()), a -> {
            SqlAnalysis known = d.trusted() ? a : null;
            // MariaDB: an execute of statement id -1 runs the last statement prepared; after a failed prepare, unknown
            session.lastPrepared = null;
            ex.onOk = () -> {
                Session.Prepared ps = new Session.Prepared(d.text(), known, ex.tracker.parameterCount());
                session.prepared.put(ex.tracker.statementId(), ps);
                session.lastPrepared = ps;
            };
            forward(ex, Expect.PREPARE);
        });
    }

    private void execute(Exchange ex) {
        BinaryExecute x = BinaryExecute.parse(ex.request.payload(), session);
        Session.Prepared ps = x.prepared();
        int flags = x.flags();
        byte[] values = x.values();
        ex.integerParams = x.integerParams();
        if (ps == null || ps.analysis == null) {
            // unknown to us (or malformed: the server will refuse it): it may write anything
            ex.writes = true;
            ex.write = WriteTarget.UNKNOWN;
            ex.bumpOnError = false;
            forward(ex, Expect.RESULT);
            return;
        }
        ex.types = x.types();
        SqlAnalysis a = ps.analysis;
        ex.analysis = a;
        ex.sql = ps.sql;
        boolean longData = ps.longData;
        ps.longData = false;
        if (longData) {
            // values sent as long data are not in the packet: the others cannot be located
            ex.integerParams = null;
        }
        if (a.kind() == StatementKind.READ) {
            String reason = a.cacheable() ? null : a.bypassReason();
            if (reason == null && flags != 0) {
                reason = "cursor requested";
            }
            if (reason == null && longData) {
                reason = "long data parameter";
            }
            if (reason == null && ps.parameterCount > 0 && ps.types == null) {
                reason = "parameter types unknown";
            }
            if (reason == null) {
                ReadDecision plan = runtime.readPolicy().named(a, session);
                if (plan.bypass() == null) {
                    ParamValue[] params = ps.parameterCount == 0 ? NO_PARAMS
                            : new ParamValue[] {ParamValue.ofBytes(ps.types), ParamValue.ofBytes(values)};
                    cachedRead(ex, a, plan, params, "binary");
                    return;
                }
                reason = plan.bypass();
            }
            metrics.bypass(reason);
        }
        classifyWrite(ex, a, true);
        forwardStatement(ex);
    }

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
        forward(ex, Expect.AUTH);
    }

    private void admin(Exchange ex, AdminStatements.Admin admin) {
        if (admin.kind() == AdminStatements.Kind.STATUS) {
            // counting entries may scan the store: off the event loop, like every store call
            submit(ex, () -> AdminStatements.status(runtime, context), rows -> serve(ex,
                    TextResultSet.payloads(List.of("Variable_name", "Value"), rows, session.deprecateEof(),
                            session.status, (session.extended & Capabilities.MARIADB_KEPT) != 0)));
            return;
        }
        TableName table = admin.table();
        if (table != null && table.schema() == null) {
            table = table.resolve(session.schemaKnown ? session.schema : null);
            if (table.schema() == null) {
                serve(ex, List.of(new ErrPacket(1046, "3D000", "No database selected").write()));
                return;
            }
        }
        TableName t = table;
        submit(ex, () -> {
            AdminStatements.flush(runtime, t);
            return Boolean.TRUE;
        }, ok -> serve(ex, List.of(new OkPacket(0, 0, session.status, 0).write())));
    }

    /** Marks what a statement writes (for the bump after its answer). */
    private void classifyWrite(Exchange ex, SqlAnalysis a, boolean trusted) {
        if (a.kind() == StatementKind.READ && a.writesUnknown() || a.writes()) {
            WriteTarget t = WriteTarget.of(a, session);
            ex.writes = true;
            // a text we could not decode exactly may name its tables wrongly: everything, then
            ex.write = trusted ? t : t.plus(WriteTarget.UNKNOWN);
        }
    }

    private void cachedRead(Exchange ex, SqlAnalysis a, ReadDecision named, ParamValue[] params, String protocol) {
        CatalogConnector catalog = context.catalog();
        if (catalog == null) {
            // any name may be a view over tables whose writes we would not connect to it
            metrics.bypass(NO_CATALOG);
            forward(ex, Expect.RESULT);
            return;
        }
        keyPrefix = KeyMaterial.Prefix.reusing(keyPrefix, a.cacheText(), params.length, session.scope(protocol));
        KeyMaterial key = keyPrefix.with(params);
        if (runtime.knownUncacheable(key.hash())) {
            metrics.bypass("result over limits");
            forward(ex, Expect.RESULT);
            return;
        }
        ex.key = key;
        ex.ttl = runtime.ttlFor(a);
        ReadPolicy policy = runtime.readPolicy();
        String schema = session.schema();
        Long[] integerParams = ex.integerParams;
        // from the loaded models only (no catalog query on the event loop) when it can
        ReadDecision expanded = policy.expand(named, a, schema, context.catalogServer(), null, integerParams);
        if (expanded != null) {
            lookUp(ex, expanded);
            return;
        }
        // a model to load from the catalog: JDBC, off the event loop
        submit(ex, () -> policy.expand(named, a, schema, context.catalogServer(), catalog, integerParams),
                d -> lookUp(ex, d));
    }

    /**
     * Asks the store without blocking the event loop: the answer comes back on this channel's
     * event loop (decoded there), and only then does this exchange go on. Nothing else of this
     * session runs meanwhile (commands are handled one at a time), so pipelined commands are
     * still answered in order.
     */
    private void lookUp(Exchange ex, ReadDecision expanded) {
        ReadDecision d = runtime.readPolicy().expanded(expanded, session);
        if (d.bypass() != null) {
            ex.key = null;
            metrics.bypass(d.bypass());
            forward(ex, Expect.RESULT);
            return;
        }
        runtime.readRawAsync(ex.key, d.tables(), d.buckets(), client.eventLoop()).whenComplete((lookup, e) -> {
            if (!client.eventLoop().inEventLoop()) {
                // the event loop refused the continuation: it is shutting down, and so is this connection
                closeNow();
                return;
            }
            if (current != ex || phase != Phase.COMMAND) {
                return;
            }
            try {
                looked(ex, e == null ? lookup : CacheRuntime.RawLookup.UNAVAILABLE);
            } catch (RuntimeException failure) {
                LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", failure);
                closeNow();
            }
        });
    }

    private void looked(Exchange ex, CacheRuntime.RawLookup lookup) {
        if (lookup.hit()) {
            metrics.hit();
            serve(ex, lookup.packets());
            return;
        }
        if (!lookup.available()) {
            metrics.bypass("store unavailable");
            forward(ex, Expect.RESULT);
            return;
        }
        metrics.miss();
        ex.lookup = lookup;
        Coalescer.Joined joined = context.coalescer().leadOrJoin(lookup.entryKey(), ex.key.bytes(), lookup.versions(),
                payloads -> {
                    try {
                        client.eventLoop().execute(() -> onLeaderDone(ex, payloads));
                    } catch (RejectedExecutionException e) {
                        // this connection's event loop is shutting down: nothing to answer
                    }
                });
        switch (joined.role()) {
            case WAITER -> {
                ex.waiting = true;
                // a leader stalled by its own slow client must not hold this one for longer
                ex.waitLimit = client.eventLoop().schedule(() -> onLeaderDone(ex, null),
                        MAX_COALESCED_WAIT_MS, TimeUnit.MILLISECONDS);
                Runnable hook = Coalescer.afterJoin;
                if (hook != null) {
                    hook.run();
                }
            }
            case LEADER -> {
                ex.flight = joined.flight();
                ex.capture = new ArrayList<>();
                forward(ex, Expect.RESULT);
            }
            default -> {
                ex.capture = new ArrayList<>();
                forward(ex, Expect.RESULT);
            }
        }
    }

    /**
     * A waiter's leader is done: answer from its packets as a hit of its entry would, or, when
     * it had none (failed, refused, not cacheable, gone) or took too long, forward this
     * session's own query as an uncoalesced miss.
     */
    private void onLeaderDone(Exchange ex, List<byte[]> payloads) {
        if (current != ex || phase != Phase.COMMAND || !ex.waiting) {
            return; // already answered, given up, or closed
        }
        ex.waiting = false;
        if (ex.waitLimit != null) {
            ex.waitLimit.cancel(false);
            ex.waitLimit = null;
        }
        try {
            if (payloads != null) {
                context.coalescer().served();
                serve(ex, payloads);
            } else {
                ex.capture = new ArrayList<>();
                forward(ex, Expect.RESULT);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", e);
            closeNow();
        }
    }

    /** Ends the flight this exchange leads, if any: its waiters get {@code payloads} or forward their own. */
    private static void endFlight(Exchange ex, List<byte[]> payloads) {
        Coalescer.Flight f = ex.flight;
        if (f != null) {
            ex.flight = null;
            f.end(payloads);
        }
    }

    /**
     * Forwards a statement that gets a result. A data write is first expanded, with the
     * catalog, to the tables the server writes by itself (triggers, cascading foreign keys,
     * the base tables of a view written through); without catalog access those are unknown
     * and the write bumps the global epoch.
     */
    private void forwardStatement(Exchange ex) {
        SqlAnalysis a = ex.analysis;
        if (!ex.writes || a == null || !ex.write.expandable(a)) {
            forward(ex, Expect.RESULT);
            return;
        }
        CatalogConnector catalog = context.catalog();
        if (catalog == null) {
            ex.write = ex.write.plus(WriteTarget.UNKNOWN);
            forward(ex, Expect.RESULT);
            return;
        }
        WriteTarget named = ex.write;
        String schema = session.schema();
        Long[] integerParams = ex.integerParams;
        submit(ex, () -> named.expand(runtime.dependencies(), a, schema, context.catalogServer(), catalog, integerParams),
                w -> {
                    ex.write = w;
                    forward(ex, Expect.RESULT);
                });
    }

    /** Answers from the proxy: payloads renumbered after the request's sequence id. */
    private void serve(Exchange ex, List<byte[]> payloads) {
        int seq = ex.request.nextSequenceId();
        for (byte[] payload : payloads) {
            Packet out = new Packet(seq, payload);
            client.write(out);
            seq = out.nextSequenceId();
        }
        client.flush();
        complete(ex);
    }

    private void forward(Exchange ex, Expect expect) {
        ex.tracker = new ResponseTracker(expect, session.deprecateEof());
        Packet out = ex.types == null ? ex.request : ex.types.forwarded(ex.request);
        backend.writeAndFlush(out);
    }

    private void forwardWithoutAnswer(Exchange ex) {
        backend.writeAndFlush(ex.request);
        complete(ex);
    }

    private void onAnswer(Exchange ex, Packet p) {
        Step step;
        try {
            step = ex.tracker.accept(p.payload());
        } catch (MalformedPacketException | IllegalStateException e) {
            // we no longer know where answers end: this connection cannot be followed safely
            LOG.log(Level.WARNING, "sqlcache proxy: unexpected server packet, closing the connection: " + e.getMessage());
            context.protocolError();
            client.writeAndFlush(p);
            if (ex.writes) {
                bumpInBackground(ex.write);
            }
            closeNow();
            return;
        }
        if (ex.capture != null) {
            ex.capture.add(p.payload());
            ex.capturedBytes += p.payload().length + 8;
            if (ex.capturedBytes > runtime.config().maxBytes() || ex.tracker.rows() > runtime.config().maxRows()) {
                // over the limits: keep streaming, stop capturing, and do not buffer it again for a TTL
                ex.capture = null;
                runtime.rememberUncacheable(ex.key.hash());
                metrics.bypass("result over limits");
            }
        }
        if (step == Step.DONE) {
            finish(ex, p);
            return;
        }
        client.write(p);
        ex.relayed = true;
        if (step == Step.CLIENT_TURN) {
            client.flush();
            clientTurn = true;
            updateClientRead();
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
        SqlAnalysis a = ex.analysis;
        // a text the server could not parse ran nothing: no bump, no reload. Otherwise garbage from
        // any client would invalidate everything and make every read reload the catalog
        boolean ranNothing = t.onlyError() && ErrPacket.isParseError(last.payload());
        if (a != null && !ranNothing) {
            switch (a.kind()) {
                case USE -> {
                    if (ok) {
                        session.useSchema(a.useSchema());
                    }
                }
                case SET -> session.afterSet(ex.sql);
                case WRITE, DDL -> {
                    if (a.writesUnknown()) {
                        // a procedure or a multi-statement text may have changed settings or the schema
                        session.unknowable();
                    }
                }
                default -> {
                }
            }
        }
        boolean ddl = a != null && a.kind() == StatementKind.DDL;
        if (ranNothing || !ok && !ex.bumpOnError) {
            // refused before it ran (an unknown command, a statement id the server does not know)
            ex.writes = false;
        }
        if (ex.writes && (ddl || ex.write.unknown())) {
            // views, triggers or foreign keys may have changed (a procedure may run DDL too)
            Dependencies.catalogChanged();
        }
        if (ex.writes && ex.write.unknown() && ex.command != Command.CREATE_DB && ex.command != Command.DROP_DB) {
            // as the driver: a procedure, a stored function, a multi-statement text (even one that
            // starts with CREATE) may have created temporary tables
            session.temporaryTables.mayHaveChanged();
        }
        if (ex.capture != null && ok && t.singleResultSet() && t.warnings() == 0
                && (after & ServerStatus.SESSION_STATE_CHANGED) == 0) {
            List<byte[]> packets = ex.capture;
            // the waiters get what a hit of the entry stored here would give them
            endFlight(ex, packets);
            // stored before the last packet leaves, as the driver does: the store sends the
            // client's next command after it, so its next identical query finds the entry.
            // writeRaw does not wait for the store's reply, hence no worker
            runtime.writeRaw(ex.lookup, ex.key, packets, ex.ttl);
        }
        endFlight(ex, null);
        boolean inTransaction = (after & ServerStatus.IN_TRANS) != 0;
        WriteTarget bump = WriteTarget.NONE;
        if (ex.writes && (ok || ex.bumpOnError)) {
            bump = session.writes.wrote(ex.write, inTransaction);
        }
        if (!inTransaction) {
            // the transaction ended (COMMIT, ROLLBACK, an implicit commit) or there was none
            boolean rolledBack = ok && a != null && a.kind() == StatementKind.ROLLBACK;
            bump = bump.plus(session.writes.ended(rolledBack));
        }
        if (a != null && !ranNothing) {
            session.isolation.statementRan(a.kind() == StatementKind.SET, inTransaction);
        }
        if (bump.isEmpty()) {
            client.writeAndFlush(last);
            complete(ex);
            return;
        }
        // I1: the server's OK reaches the client only after the versions are bumped
        WriteTarget done = bump;
        submit(ex, () -> {
            runtime.invalidate(done);
            return Boolean.TRUE;
        }, ok2 -> {
            client.writeAndFlush(last);
            complete(ex);
        });
    }

    private void complete(Exchange ex) {
        endFlight(ex, null);
        if (current != ex) {
            return;
        }
        current = null;
        clientTurn = false;
        drain();
    }

    /**
     * Runs blocking work on a worker, then {@code then} on the event loop if the exchange is
     * still current. A failure of the work closes the connection.
     */
    private <T> void submit(Exchange ex, Callable<T> work, Consumer<T> then) {
        try {
            context.workers().execute(() -> {
                T result;
                try {
                    result = work.call();
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", e);
                    client.eventLoop().execute(this::closeNow);
                    return;
                }
                client.eventLoop().execute(() -> {
                    if (current == ex && phase == Phase.COMMAND) {
                        try {
                            then.accept(result);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", e);
                            closeNow();
                        }
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            closeNow();
        }
    }

    private void bumpInBackground(WriteTarget write) {
        try {
            context.workers().execute(() -> runtime.invalidate(write));
        } catch (RejectedExecutionException e) {
            runtime.invalidate(write);
        }
    }

    // ---- closing ----

    /** Sends an ERR and closes the connection. */
    private void fatal(int sequenceId, ErrPacket err) {
        if (client != null && client.isActive() && phase != Phase.CLOSED) {
            client.write(new Packet(sequenceId & 0xFF, err.write()));
        }
        closeNow();
    }

    /** Closes once the command in flight is done (or now, when idle). Any thread. */
    void closeWhenIdle() {
        if (client == null) {
            return;
        }
        client.eventLoop().execute(() -> {
            closeWhenIdle = true;
            if (current == null) {
                closeNow();
            }
        });
    }

    /** Closes both sides. Any thread. */
    void closeNow() {
        if (client != null && !client.eventLoop().inEventLoop()) {
            client.eventLoop().execute(this::closeNow);
            return;
        }
        if (phase == Phase.CLOSED) {
            context.release(this);
            return;
        }
        phase = Phase.CLOSED;
        context.release(this);
        Exchange ex = current;
        current = null;
        queue.clear();
        queuedBytes = 0;
        if (ex != null) {
            endFlight(ex, null);
            if (ex.waitLimit != null) {
                ex.waitLimit.cancel(false);
            }
        }
        if (session != null) {
            // a write whose answer we did not see, or an open transaction's writes: outcome unknown, bump
            WriteTarget bump = session.writes.ended(false);
            if (ex != null && ex.writes) {
                bump = bump.plus(ex.write);
            }
            if (!bump.isEmpty()) {
                bumpInBackground(bump);
            }
        }
        if (client != null) {
            // after what is already written (an ERR telling the client why)
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void updateClientRead() {
        if (client == null || phase == Phase.CLOSED || phase == Phase.CONNECTING) {
            return;
        }
        boolean read = (backend == null || backend.isWritable())
                && (current == null || clientTurn || queuedBytes < MAX_QUEUED_BYTES);
        client.config().setAutoRead(read);
    }

    private void enqueue(Packet p) {
        queue.add(p);
        queuedBytes += p.payload().length;
        if (queuedBytes >= MAX_QUEUED_BYTES) {
            updateClientRead();
        }
    }

    @Override
    public String toString() {
        return "ClientConnection(" + (client == null ? "unconnected" : client.remoteAddress()) + " -> "
                + (backend == null ? "no backend" : backend.remoteAddress()) + ", " + phase + ")";
    }
}
