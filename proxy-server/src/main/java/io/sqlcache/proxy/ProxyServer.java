package io.sqlcache.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.proxy.protocol.PacketCodec;
import io.sqlcache.proxy.relay.ClientConnection;
import io.sqlcache.proxy.relay.ProxyContext;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy server: one listening socket, Netty event loops shared by client, backend and
 * store connections (each backend connection lives on its client's loop, and the store may
 * keep one Redis connection per loop, see {@link io.sqlcache.store.CacheStore#attach}), and a
 * small worker pool for blocking store calls. Thread-safe; {@link #start} once, {@link #close} once (idempotent).
 */
public final class ProxyServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());

    private final ProxyConfig config;
    private final ProxyContext context;
    // NIO, in Netty 4.2's form (an I/O handler factory; NioEventLoopGroup is deprecated there)
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, daemon("sqlcache-proxy-accept"),
            NioIoHandler.newFactory());
    private final EventLoopGroup loops;
    private final ExecutorService workers;
    private volatile Channel listener;
    private volatile boolean closed;

    public ProxyServer(ProxyConfig config) {
        this.config = config;
        // NIO as well: the store's Redis connections (Lettuce on NIO) register on these loops
        this.loops = new MultiThreadIoEventLoopGroup(config.eventLoops(), daemon("sqlcache-proxy-io"),
                NioIoHandler.newFactory());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("sqlcache-proxy-store"));
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
        this.context = new ProxyContext(config, CacheRuntime.forConfig(config.cache()), workers);
    }

    /**
     * Binds the listening socket.
     *
     * @return this
     * @throws InterruptedException when interrupted while binding
     * @throws IllegalStateException when the address cannot be bound
     */
    public ProxyServer start() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("packets", new PacketCodec(config.maxPacketBytes()));
                        ch.pipeline().addLast("client", new ClientConnection(context));
                        context.initClientPipeline(ch.pipeline());
                    }
                });
        var f = b.bind(config.listenHost(), config.listenPort()).await();
        if (!f.isSuccess()) {
            close();
            throw new IllegalStateException("cannot listen on " + config.listenHost() + ":" + config.listenPort()
                    + ": " + f.cause().getMessage(), f.cause());
        }
        listener = f.channel();
        // lookups and stores run on the event loops: on connections of their own, no thread hop
        context.runtime().store().attach(loops);
        LOG.log(System.Logger.Level.INFO, "sqlcache proxy listening on " + listener.localAddress() + ", backend "
                + config.backendHost() + ":" + config.backendPort() + ", store " + context.runtime().store().describe());
        return this;
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public ProxyContext context() {
        return context;
    }

    /**
     * Stops accepting, lets commands in flight finish within the configured grace, then closes
     * every client and backend connection and the threads. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        context.beginShutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownGraceMillis());
        while (context.activeConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        context.closeAll();
        context.runtime().store().detach(loops);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdown();
        try {
            workers.awaitTermination(config.cache().timeoutMillis() * 2L + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "ProxyServer(" + config.listenHost() + ":" + (listener == null ? config.listenPort() : port()) + " -> "
                + config.backendHost() + ":" + config.backendPort() + ")";
    }
}
