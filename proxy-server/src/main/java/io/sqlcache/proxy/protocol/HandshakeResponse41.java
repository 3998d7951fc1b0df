package io.sqlcache.proxy.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The client's answer to the greeting, read for what keys a session (user, schema, character
 * set, capabilities) and narrowed like the greeting. The auth response is skipped, never kept.
 * Immutable.
 *
 * <p>Layout: capabilities (4), max packet size (4), character set (1), filler (19), MariaDB
 * extended capabilities or filler (4), user (NUL-terminated), auth response, database if
 * CONNECT_WITH_DB, plugin name if PLUGIN_AUTH, attributes if CONNECT_ATTRS.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html">Protocol::HandshakeResponse41</a>
 */
public final class HandshakeResponse41 {

    /** Length of an SSLRequest: the fixed part only. */
    public static final int SSL_REQUEST_LENGTH = 32;

    private final byte[] payload;
    private final int capabilities;
    private final int characterSet;
    private final String user;
    private final String database;

    /**
     * Parses a handshake response.
     *
     * @throws MalformedPacketException when it is truncated, not protocol 4.1, or an SSLRequest
     */
    public HandshakeResponse41(byte[] payload) {
        this.payload = payload;
        PayloadReader r = new PayloadReader(payload, 0);
        capabilities = r.int4();
        if ((capabilities & Capabilities.CLIENT_PROTOCOL_41) == 0) {
            throw new MalformedPacketException("client does not speak protocol 4.1");
        }
        if (payload.length <= SSL_REQUEST_LENGTH) {
            throw new MalformedPacketException("an SSLRequest or a truncated handshake response");
        }
        r.skip(4);
        characterSet = r.int1();
        r.skip(23);
        user = r.nulTerminatedString();
        if ((capabilities & Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            r.lenencBytes();
        } else if ((capabilities & Capabilities.CLIENT_SECURE_CONNECTION) != 0) {
            r.skip(r.int1());
        } else {
            r.nulTerminated();
        }
        String db = null;
        if ((capabilities & Capabilities.CLIENT_CONNECT_WITH_DB) != 0 && r.remaining() > 0) {
            db = new String(r.nulTerminated(), StandardCharsets.UTF_8);
            if (db.isEmpty()) {
                db = null;
            }
        }
        database = db;
    }

    public int capabilities() {
        return capabilities;
    }

    public int characterSet() {
        return characterSet;
    }

    public String user() {
        return user;
    }

    /** The schema the client asked for, or null. */
    public String database() {
        return database;
    }

    /** MariaDB extended capabilities (bytes 28 to 31), or 0 for a MySQL client. */
    public int extendedCapabilities() {
        if ((capabilities & Capabilities.CLIENT_MYSQL) != 0) {
            return 0;
        }
        return new PayloadReader(payload, 28).int4();
    }

    /** The payload with {@code removed} and every MariaDB extended capability but {@link Capabilities#MARIADB_KEPT} cleared. */
    public byte[] narrowed(int removed) {
        byte[] out = payload.clone();
        int caps = capabilities & ~removed;
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) (caps >>> (8 * i));
        }
        if ((capabilities & Capabilities.CLIENT_MYSQL) == 0) {
            int kept = extendedCapabilities() & Capabilities.MARIADB_KEPT;
            for (int i = 0; i < 4; i++) {
                out[28 + i] = (byte) (kept >>> (8 * i));
            }
        }
        return out;
    }
}
