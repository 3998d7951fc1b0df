package io.sqlcache.proxy.relay;

import io.netty.channel.Channel;
import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.ErrPacket;
import io.sqlcache.proxy.protocol.HandshakeResponse41;
import io.sqlcache.proxy.protocol.HandshakeV10;
import io.sqlcache.proxy.protocol.MalformedPacketException;
import io.sqlcache.proxy.protocol.OkPacket;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.PayloadReader;

/**
 * The connection phase of one client, relayed untouched except for the capability flags: the
 * server's greeting (narrowed to what the proxy can follow and, with a certificate, offering
 * TLS), the client's handshake response (after the TLS upgrade {@link TlsUpgrade} made, when
 * the client asked for one), then the authentication exchange until the server's OK hands the
 * connection to the command phase. It makes the connection's {@link Session} from the greeting
 * and the handshake response.
 *
 * <p>Confined to the connection's event loop.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html">Connection Phase</a>
 */
final class ConnectionPhase {

    /** Where the phase is: the packet expected next. */
    enum Step { GREETING, HANDSHAKE_RESPONSE, AUTH }

    private final ClientConnection connection;
    private final ProxyContext context;
    private final Channel client;
    private final Channel backend;
    private Step step = Step.GREETING;
    private Session session;
    /** 1 after an SSLRequest: the client's connection-phase sequence ids are one ahead of the backend's. */
    private int tlsOffset;

    ConnectionPhase(ClientConnection connection, ProxyContext context, Channel client, Channel backend) {
        this.connection = connection;
        this.context = context;
        this.client = client;
        this.backend = backend;
    }

    Step step() {
        return step;
    }

    /** A packet from the client. */
    void onClientPacket(Packet p) {
        switch (step) {
            case GREETING -> throw new MalformedPacketException("client spoke before the server's greeting");
            case HANDSHAKE_RESPONSE -> handshakeResponse(p);
            case AUTH -> backend.writeAndFlush(tlsOffset == 0 ? p
                    : new Packet((p.sequenceId() - tlsOffset) & 0xFF, p.payload()));
            default -> throw new IllegalStateException("step " + step);
        }
    }

    /** A packet from the server. */
    void onServerPacket(Packet p) {
        switch (step) {
            case GREETING -> greeting(p);
            case HANDSHAKE_RESPONSE -> client.write(p);
            case AUTH -> auth(p);
            default -> throw new IllegalStateException("step " + step);
        }
    }

    private void greeting(Packet p) {
        if (p.header() == 0xFF) {
            // the server refuses us (too many connections, host blocked): the client gets its words
            client.write(p);
            connection.closeNow();
            return;
        }
        HandshakeV10 greeting;
        try {
            greeting = new HandshakeV10(p.payload());
        } catch (MalformedPacketException e) {
            connection.fatal(0, new ErrPacket(ErrPacket.MALFORMED, "08S01", "sqlcache proxy: unreadable server greeting"));
            return;
        }
        session = new Session(greeting.capabilities() & ~Capabilities.REMOVED, context::serverDefaultIsolation);
        session.extended = greeting.extendedCapabilities() & Capabilities.MARIADB_KEPT;
        session.status = greeting.status();
        connection.greeted(session);
        step = Step.HANDSHAKE_RESPONSE;
        // with a certificate the proxy offers TLS itself; the backend connection stays plain
        int added = context.tls() == null ? 0 : Capabilities.CLIENT_SSL;
        client.write(new Packet(p.sequenceId(), greeting.changed(Capabilities.REMOVED, added)));
    }

    private void handshakeResponse(Packet p) {
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
            connection.fatal(p.nextSequenceId(), new ErrPacket(ErrPacket.NOT_SUPPORTED, "08004", ssl
                    ? "sqlcache proxy: TLS is not enabled on this proxy (connect without SSL)"
                    : "sqlcache proxy: unsupported handshake response: " + e.getMessage()));
            return;
        }
        session.handshake(r.user(), r.database(), r.capabilities() & ~Capabilities.REMOVED, r.characterSet());
        session.extended &= r.extendedCapabilities();
        step = Step.AUTH;
        backend.writeAndFlush(new Packet(p.sequenceId() - tlsOffset, r.narrowed(Capabilities.REMOVED)));
    }

    private void auth(Packet p) {
        client.write(tlsOffset == 0 ? p : new Packet((p.sequenceId() + tlsOffset) & 0xFF, p.payload()));
        if (p.header() == 0x00) {
            try {
                session.status = OkPacket.parse(p.payload()).status();
            } catch (MalformedPacketException e) {
                session.status = 0;
            }
            connection.authenticated();
        } else if (p.header() == 0xFF) {
            connection.closeNow();
        }
    }
}
