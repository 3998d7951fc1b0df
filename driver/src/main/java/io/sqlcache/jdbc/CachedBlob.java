package io.sqlcache.jdbc;

import java.sql.SQLException;
import javax.sql.rowset.serial.SerialBlob;
import javax.sql.rowset.serial.SerialException;

/** SerialBlob refuses to read zero bytes of an empty blob; Connector/J's Blob returns an empty array. */
final class CachedBlob extends SerialBlob {
    private static final long serialVersionUID = 1L;

    CachedBlob(byte[] bytes) throws SQLException {
        super(bytes);
    }

    @Override
    public byte[] getBytes(long pos, int length) throws SerialException {
        return length == 0 && pos == 1 ? new byte[0] : super.getBytes(pos, length);
    }
}
