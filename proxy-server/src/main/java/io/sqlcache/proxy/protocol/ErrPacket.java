package io.sqlcache.proxy.protocol;

import java.nio.charset.StandardCharsets;

/**
 * An ERR packet: 0xFF, error code (2), '#' and a 5-character SQL state, message. Every error
 * the proxy itself reports is built here.
 *
 * @param code     the error code
 * @param sqlState five characters
 * @param message  human-readable text
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html">ERR_Packet</a>
 */
public record ErrPacket(int code, String sqlState, String message) {

    /** ER_CON_COUNT_ERROR. */
    public static final int TOO_MANY_CONNECTIONS = 1040;
    /** ER_UNKNOWN_COM_ERROR, used for a command the proxy cannot relay. */
    public static final int UNKNOWN_COMMAND = 1047;
    /** ER_SERVER_SHUTDOWN. */
    public static final int SHUTDOWN = 1053;
    /** ER_NET_PACKET_TOO_LARGE. */
    public static final int PACKET_TOO_LARGE = 1153;
    /** ER_NOT_SUPPORTED_YET. */
    public static final int NOT_SUPPORTED = 1235;
    /** ER_NET_READ_ERROR: a packet the proxy could not read. */
    public static final int MALFORMED = 1158;
    /** CR_SERVER_LOST: the backend went away while a command was running. */
    public static final int BACKEND_LOST = 2013;
    /** CR_CONN_HOST_ERROR: the backend could not be reached. */
    public static final int BACKEND_UNREACHABLE = 2003;

    /**
     * Parses an ERR payload.
     *
     * @throws MalformedPacketException when it is not one
     */
    public static ErrPacket parse(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, 0);
        if (r.int1() != 0xFF) {
            throw new MalformedPacketException("not an ERR packet");
        }
        int code = r.int2();
        String state = "HY000";
        if (r.remaining() >= 6 && payload[r.position()] == '#') {
            r.skip(1);
            state = new String(r.bytes(5), StandardCharsets.US_ASCII);
        }
        return new ErrPacket(code, state, new String(r.rest(), StandardCharsets.UTF_8));
    }

    public byte[] write() {
        return new PayloadWriter().int1(0xFF).int2(code).int1('#').string(sqlState).string(message).toByteArray();
    }

    /**
     * True when {@code payload} is an ERR packet saying the statement text could not be parsed
     * (ER_PARSE_ERROR 1064, ER_SYNTAX_ERROR 1149): as the first and only answer to a command,
     * nothing of it ran.
     */
    public static boolean isParseError(byte[] payload) {
        if (payload.length < 3 || (payload[0] & 0xFF) != 0xFF) {
            return false;
        }
        int code = (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8;
        return code == 1064 || code == 1149;
    }
}
