package io.sqlcache.proxy.protocol;

/** A payload that does not follow the protocol: truncated, or with an impossible field. */
public final class MalformedPacketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedPacketException(String message) {
        super(message);
    }
}
