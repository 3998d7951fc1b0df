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
import io.sqlcache.proxy.ProxyConfig;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.proxy.protocol.ErrPacket;
import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.PacketCodec;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One client connection and its backend connection, both on the client's event loop: their
 * lifecycle, the order of commands, backpressure and closing. The connection phase is
 * {@link ConnectionPhase}'s; in the command phase each command is an {@link Exchange} that
 * {@link CommandDispatcher} starts: answered from the cache ({@link CachedReads}), or forwarded
 * and its answer streamed back ({@link ExchangeRelay}), its writes bumped before the answer's
 * last packet ({@link WriteFlow}). Commands are handled one at a time; packets a client sends
 * ahead are queued, and reading from the client pauses only while that queue holds
 * {@link #MAX_QUEUED_BYTES} or more.
 *
 * <p>This class and every collaborator above are confined to the event loop, which never
 * blocks. A cacheable read seen before is planned there and its store lookup is asynchronous
 * ({@link CacheRuntime#readRawAsync}), so a hit never leaves the event loop, nor does storing a
 * miss (queued, not awaited); other blocking work (parsing a new text, loading a catalog model,
 * bumping versions) runs on the context's workers and comes back through {@link #submit}. Misses
 * of the same entry under the same versions are coalesced ({@link Coalescer}).
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
    /**
     * Reading from the client pauses while this much waits in {@link #queue}. Not at every
     * command: pausing and resuming a socket's reads is a system call each (epoll_ctl), one and
     * a half per point select under sysbench, and clients that send commands ahead are rare.
     */
    public static final int MAX_QUEUED_BYTES = 1 << 20;

    private enum Phase { CONNECTING, HANDSHAKE, COMMAND, TUNNEL, CLOSED }

    private final ProxyContext context;
    private Channel client;
    private Channel backend;
    private Phase phase = Phase.CONNECTING;
    /** The connection phase, from the backend's connection on. */
    private ConnectionPhase handshake;
    /** From the server's greeting on: the session and the command phase's collaborators. */
    private Session session;
    private CommandDispatcher commands;
    private ExchangeRelay relay;
    private WriteFlow writes;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    /** Payload bytes in {@link #queue}. */
    private long queuedBytes;
    private Exchange current;
    /** The server waits for client packets that are not commands (auth data, LOCAL INFILE contents). */
    private boolean clientTurn;
    private boolean closeWhenIdle;
    private boolean draining;

    public ClientConnection(ProxyContext context) {
        this.context = context;
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
            handshake = new ConnectionPhase(this, context, client, backend);
            phase = Phase.HANDSHAKE;
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
            case HANDSHAKE -> handshake.onClientPacket(p);
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
            case CONNECTING -> throw new MalformedPacketException("client spoke before the server's greeting");
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
            case HANDSHAKE -> handshake.onServerPacket(p);
            case COMMAND -> {
                Exchange ex = current;
                if (ex == null || ex.tracker == null) {
                    // unsolicited (a server-side kill, a timeout notice): the client gets it as is
                    client.write(p);
                    return;
                }
                relay.onAnswer(ex, p);
            }
            case TUNNEL -> client.write(p);
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

    // ---- from the connection phase to the command phase ----

    /** The server's greeting was read: the session exists, and so do the command phase's collaborators. */
    void greeted(Session s) {
        session = s;
        writes = new WriteFlow(this, s, context);
        relay = new ExchangeRelay(this, s, writes, context, client, backend);
        CachedReads reads = new CachedReads(this, s, relay, context, client.eventLoop());
        commands = new CommandDispatcher(this, s, relay, new StatementCommands(this, s, relay, reads, writes, context),
                writes);
    }

    /** The server accepted the client: commands from now on, starting with those sent ahead. */
    void authenticated() {
        phase = Phase.COMMAND;
        drain();
    }

    // ---- the command phase ----

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
        Exchange ex = new Exchange(Command.of(p), p, session.status);
        current = ex;
        updateClientRead();
        commands.dispatch(ex);
    }

    /** Whether {@code ex} is still the command in progress: a continuation of another one does nothing. */
    boolean handles(Exchange ex) {
        return current == ex && phase == Phase.COMMAND;
    }

    /** The current exchange is over: the next queued command starts. */
    void complete(Exchange ex) {
        ex.release();
        if (current != ex) {
            return;
        }
        current = null;
        clientTurn = false;
        drain();
    }

    /** The server waits for the client's packets that are not commands (more auth data, a file's contents). */
    void clientTurn() {
        clientTurn = true;
        updateClientRead();
    }

    /** COM_QUIT: passed on, then both sides close. */
    void quit(Packet p) {
        current = null;
        backend.writeAndFlush(p).addListener(ChannelFutureListener.CLOSE);
        closeNow();
    }

    /** A stream without command boundaries (replication): relayed raw both ways from now on. */
    void tunnel(Packet p) {
        current = null;
        phase = Phase.TUNNEL;
        backend.writeAndFlush(p);
        updateClientRead();
    }

    /**
     * Runs blocking work on a worker, then {@code then} on the event loop if the exchange is
     * still current. A failure of the work closes the connection.
     */
    <T> void submit(Exchange ex, Callable<T> work, Consumer<T> then) {
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
                    if (handles(ex)) {
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

    // ---- closing ----

    /** Sends an ERR and closes the connection. */
    void fatal(int sequenceId, ErrPacket err) {
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
            ex.release();
        }
        if (writes != null) {
            writes.closed(ex);
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
                + (backend == null ? "no backend" : backend.remoteAddress()) + ", "
                + (phase == Phase.HANDSHAKE ? handshake.step() : phase) + ")";
    }
}
