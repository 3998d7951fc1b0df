package io.sqlcache.proxy.protocol;

/**
 * The server's greeting, read only as far as the proxy needs: the capability flags (which it
 * narrows before relaying), the character set and the status flags. Immutable.
 *
 * <p>Layout: protocol version (1), server version (NUL-terminated), connection id (4),
 * auth-plugin-data part 1 (8), filler (1), capabilities low (2), character set (1),
 * status (2), capabilities high (2), auth-plugin-data length (1), reserved (6), MariaDB
 * extended capabilities or reserved (4), then the rest (auth data part 2, plugin name).
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html">Protocol::HandshakeV10</a>
 * @see <a href="https://mariadb.com/kb/en/connection/#initial-handshake-packet">MariaDB initial handshake</a>
 */
public final class HandshakeV10 {

    private final byte[] payload;
    private final String serverVersion;
    private final int connectionId;
    private final int capabilitiesOffset;
    private final int capabilities;
    private final int characterSet;
    private final int status;
    /** Offset of the MariaDB extended capabilities, or -1 when the greeting is too short to have them. */
    private final int extendedOffset;
    private final int extendedCapabilities;

    /**
     * Parses a greeting.
     *
     * @throws MalformedPacketException when it is not a protocol-10 greeting
     */
    public HandshakeV10(byte[] payload) {
        this.payload = payload;
        PayloadReader r = new PayloadReader(payload, 0);
        int protocol = r.int1();
        if (protocol != 10) {
            throw new MalformedPacketException("greeting of protocol version " + protocol + ", expected 10");
        }
        serverVersion = r.nulTerminatedString();
        connectionId = r.int4();
        r.skip(8 + 1);
        capabilitiesOffset = r.position();
        int low = r.int2();
        if (r.remaining() == 0) {
            capabilities = low;
            characterSet = 0;
            status = 0;
            extendedOffset = -1;
            extendedCapabilities = 0;
            return;
        }
        characterSet = r.int1();
        status = r.int2();
        capabilities = low | r.int2() << 16;
        r.skip(1 + 6);
        extendedOffset = r.position();
        extendedCapabilities = r.int4();
    }

    public String serverVersion() {
        return serverVersion;
    }

    public int connectionId() {
        return connectionId;
    }

    public int capabilities() {
        return capabilities;
    }

    public int characterSet() {
        return characterSet;
    }

    public int status() {
        return status;
    }

    /** MariaDB's extended capabilities (meaningful only when {@link Capabilities#CLIENT_MYSQL} is clear). */
    public int extendedCapabilities() {
        return (capabilities & Capabilities.CLIENT_MYSQL) == 0 ? extendedCapabilities : 0;
    }

    /**
     * The greeting with {@code removed} cleared from the capabilities and, on MariaDB, every
     * extended capability but {@link Capabilities#MARIADB_KEPT} cleared (progress reports, bulk
     * operations and metadata caching all change packets the proxy parses). Everything else is
     * byte for byte the original.
     */
    public byte[] narrowed(int removed) {
        return changed(removed, 0);
    }

    /**
     * The greeting as {@link #narrowed}, with {@code added} set as well (the proxy offers TLS
     * itself, whether or not the backend does).
     */
    public byte[] changed(int removed, int added) {
        byte[] out = payload.clone();
        int caps = capabilities & ~removed | added;
        out[capabilitiesOffset] = (byte) caps;
        out[capabilitiesOffset + 1] = (byte) (caps >>> 8);
        if (extendedOffset >= 0) {
            out[capabilitiesOffset + 5] = (byte) (caps >>> 16);
            out[capabilitiesOffset + 6] = (byte) (caps >>> 24);
            if ((capabilities & Capabilities.CLIENT_MYSQL) == 0) {
                int kept = extendedCapabilities & Capabilities.MARIADB_KEPT;
                for (int i = 0; i < 4; i++) {
                    out[extendedOffset + i] = (byte) (kept >>> (8 * i));
                }
            }
        }
        return out;
    }
}
