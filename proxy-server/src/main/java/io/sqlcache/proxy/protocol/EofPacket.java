package io.sqlcache.proxy.protocol;

/**
 * An EOF packet: header 0xFE, warnings (2), status (2); always shorter than 9 bytes, which is
 * what tells it apart from a row starting with 0xFE.
 *
 * @param warnings warning count
 * @param status   server status flags
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html">EOF_Packet</a>
 */
public record EofPacket(int warnings, int status) {

    /** True when {@code payload} is an EOF packet (not a row whose first value starts with 0xFE). */
    public static boolean is(byte[] payload) {
        return payload.length > 0 && payload.length < 9 && (payload[0] & 0xFF) == 0xFE;
    }

    /**
     * Parses an EOF payload.
     *
     * @throws MalformedPacketException when it is not one
     */
    public static EofPacket parse(byte[] payload) {
        if (!is(payload)) {
            throw new MalformedPacketException("not an EOF packet");
        }
        PayloadReader r = new PayloadReader(payload, 1);
        int warnings = r.remaining() >= 2 ? r.int2() : 0;
        int status = r.remaining() >= 2 ? r.int2() : 0;
        return new EofPacket(warnings, status);
    }

    public byte[] write() {
        return new PayloadWriter().int1(0xFE).int2(warnings).int2(status).toByteArray();
    }
}
