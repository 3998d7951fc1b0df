package io.sqlcache.proxy.protocol;

/**
 * An OK packet (header 0x00, or 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF):
 * header, affected rows (lenenc), last insert id (lenenc), status (2), warnings (2), then
 * info or session state the proxy does not need.
 *
 * @param affectedRows  rows changed
 * @param lastInsertId  the last AUTO_INCREMENT value
 * @param status        server status flags ({@link ServerStatus})
 * @param warnings      warning count
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet</a>
 */
public record OkPacket(long affectedRows, long lastInsertId, int status, int warnings) {

    /**
     * Parses an OK payload.
     *
     * @throws MalformedPacketException when truncated or not an OK header
     */
    public static OkPacket parse(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, 0);
        int header = r.int1();
        if (header != 0x00 && header != 0xFE) {
            throw new MalformedPacketException("not an OK packet: header 0x" + Integer.toHexString(header));
        }
        long affected = r.lenenc();
        long id = r.lenenc();
        int status = r.remaining() >= 2 ? r.int2() : 0;
        int warnings = r.remaining() >= 2 ? r.int2() : 0;
        return new OkPacket(affected, id, status, warnings);
    }

    /** The payload with header 0x00 (protocol 4.1, no info). */
    public byte[] write() {
        return new PayloadWriter().int1(0).lenenc(affectedRows).lenenc(lastInsertId).int2(status).int2(warnings)
                .toByteArray();
    }
}
