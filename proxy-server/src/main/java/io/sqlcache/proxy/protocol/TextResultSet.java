package io.sqlcache.proxy.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * A text-protocol result set of string columns, for answers the proxy gives itself
 * ({@code SHOW SQLCACHE STATUS}): column count, column definitions (VAR_STRING, utf8mb4),
 * EOF unless CLIENT_DEPRECATE_EOF, rows, and EOF or OK (0xFE) at the end.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html">Text Resultset</a>
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html">Column Definition</a>
 */
public final class TextResultSet {

    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int MYSQL_TYPE_VAR_STRING = 0xFD;

    private TextResultSet() {
    }

    /**
     * The payloads of a whole result set.
     *
     * @param columns      column names
     * @param rows         rows of the same width; null cells are written as SQL NULL
     * @param deprecateEof whether the client asked for CLIENT_DEPRECATE_EOF
     * @param status       the server status flags to report at the end
     */
    public static List<byte[]> payloads(List<String> columns, List<List<String>> rows, boolean deprecateEof, int status) {
        return payloads(columns, rows, deprecateEof, status, false);
    }

    /**
     * As {@link #payloads(List, List, boolean, int)}, for a MariaDB client that agreed on
     * extended metadata when {@code extendedMetadata}: each column definition then carries an
     * (empty) extended type info after the names.
     *
     * @see <a href="https://mariadb.com/kb/en/result-set-packets/#column-definition-packet">MariaDB column definition</a>
     */
    public static List<byte[]> payloads(List<String> columns, List<List<String>> rows, boolean deprecateEof, int status,
            boolean extendedMetadata) {
        List<byte[]> out = new ArrayList<>();
        out.add(new PayloadWriter().lenenc(columns.size()).toByteArray());
        for (String c : columns) {
            PayloadWriter w = new PayloadWriter().lenencString("def").lenencString("").lenencString("").lenencString("")
                    .lenencString(c).lenencString(c);
            if (extendedMetadata) {
                w.lenenc(0); // no extended type info
            }
            out.add(w.lenenc(0x0C).int2(UTF8MB4_GENERAL_CI).int4(1024)
                    .int1(MYSQL_TYPE_VAR_STRING).int2(0).int1(0).int2(0).toByteArray());
        }
        if (!deprecateEof) {
            out.add(new EofPacket(0, status).write());
        }
        for (List<String> row : rows) {
            PayloadWriter w = new PayloadWriter();
            for (String v : row) {
                if (v == null) {
                    w.int1(0xFB);
                } else {
                    w.lenencString(v);
                }
            }
            out.add(w.toByteArray());
        }
        if (deprecateEof) {
            out.add(new PayloadWriter().int1(0xFE).lenenc(0).lenenc(0).int2(status).int2(0).toByteArray());
        } else {
            out.add(new EofPacket(0, status).write());
        }
        return out;
    }
}
