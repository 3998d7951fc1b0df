package io.sqlcache.jdbc;

import java.sql.NClob;
import java.sql.SQLException;
import javax.sql.rowset.serial.SerialClob;
import javax.sql.rowset.serial.SerialException;

/** SerialClob with Connector/J's empty-read behaviour, also an NClob (the JDK has no serial NClob). */
final class CachedClob extends SerialClob implements NClob {
    private static final long serialVersionUID = 1L;

    CachedClob(char[] chars) throws SQLException {
        super(chars);
    }

    @Override
    public String getSubString(long pos, int length) throws SerialException {
        return length == 0 && pos == 1 ? "" : super.getSubString(pos, length);
    }
}
