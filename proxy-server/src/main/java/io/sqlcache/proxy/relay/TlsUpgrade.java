package io.sqlcache.proxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.HandshakeResponse41;

/**
 * First in a client's pipeline when the proxy offers TLS; sees only the client's first packet.
 * If it is an SSLRequest (a 32-byte handshake response with CLIENT_SSL), the request goes on in
 * plain to the packet codec, a Netty {@code SslHandler} takes this handler's place, and the bytes
 * after the request (the start of the TLS handshake, when they came in the same read) go to it.
 * Anything else passes through untouched. Either way this handler then leaves the pipeline.
 * Confined to the channel's event loop.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html">Protocol::SSLRequest</a>
 */
final class TlsUpgrade extends ChannelInboundHandlerAdapter {

    static final String NAME = "tls-upgrade";

    private final SslContext ssl;
    private ByteBuf pending;

    TlsUpgrade(SslContext ssl) {
        this.ssl = ssl;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (pending == null) {
            pending = in;
        } else {
            pending = ctx.alloc().compositeBuffer().addComponents(true, pending, in);
        }
        if (pending.readableBytes() < 4) {
            return;
        }
        int length = pending.getUnsignedMediumLE(pending.readerIndex());
        if (length == HandshakeResponse41.SSL_REQUEST_LENGTH && pending.readableBytes() < 8) {
            return; // the capability flags say whether it is an SSLRequest
        }
        boolean sslRequest = length == HandshakeResponse41.SSL_REQUEST_LENGTH
                && (pending.getIntLE(pending.readerIndex() + 4) & Capabilities.CLIENT_SSL) != 0;
        if (sslRequest && pending.readableBytes() < 4 + length) {
            return; // the rest of the request is still on its way
        }
        ByteBuf all = pending;
        pending = null;
        if (!sslRequest) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(all);
            return;
        }
        // the request in plain to the packet codec; then the SslHandler, which gets every byte after it
        ctx.fireChannelRead(all.readRetainedSlice(4 + length));
        ctx.pipeline().addAfter(NAME, "tls", ssl.newHandler(ctx.alloc()));
        if (all.isReadable()) {
            ctx.fireChannelRead(all);
        } else {
            all.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
