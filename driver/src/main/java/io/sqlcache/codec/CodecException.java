package io.sqlcache.codec;

/** An entry that cannot be decoded: corrupt, truncated, forged, or of another format version. */
public final class CodecException extends Exception {

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
