package io.sqlcache.proxy.protocol;

/**
 * The command codes of the command phase (the first payload byte of a client packet).
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html">Command phase</a>
 */
public enum Command {
    SLEEP(0x00), QUIT(0x01), INIT_DB(0x02), QUERY(0x03), FIELD_LIST(0x04), CREATE_DB(0x05), DROP_DB(0x06),
    REFRESH(0x07), SHUTDOWN(0x08), STATISTICS(0x09), PROCESS_INFO(0x0A), CONNECT(0x0B), PROCESS_KILL(0x0C),
    DEBUG(0x0D), PING(0x0E), TIME(0x0F), DELAYED_INSERT(0x10), CHANGE_USER(0x11), BINLOG_DUMP(0x12),
    TABLE_DUMP(0x13), CONNECT_OUT(0x14), REGISTER_SLAVE(0x15), STMT_PREPARE(0x16), STMT_EXECUTE(0x17),
    STMT_SEND_LONG_DATA(0x18), STMT_CLOSE(0x19), STMT_RESET(0x1A), SET_OPTION(0x1B), STMT_FETCH(0x1C),
    DAEMON(0x1D), BINLOG_DUMP_GTID(0x1E), RESET_CONNECTION(0x1F),
    /** Any code not listed: relayed untouched. */
    UNKNOWN(-1);

    private static final Command[] BY_CODE = new Command[256];

    static {
        java.util.Arrays.fill(BY_CODE, UNKNOWN);
        for (Command c : values()) {
            if (c.code >= 0) {
                BY_CODE[c.code] = c;
            }
        }
    }

    private final int code;

    Command(int code) {
        this.code = code;
    }

    /** The code on the wire, or -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** The command of a client packet; {@link #UNKNOWN} for an empty payload or an unlisted code. */
    public static Command of(Packet p) {
        return p.payload().length == 0 ? UNKNOWN : BY_CODE[p.payload()[0] & 0xFF];
    }
}
