package io.sqlcache.proxy.protocol;

/**
 * One logical packet: a payload of any length (frames of 16 MiB - 1 already joined) and the
 * sequence id of its first frame. Immutable by convention: nobody modifies the array once the
 * packet is built.
 *
 * @param sequenceId the sequence id of the first frame, 0 to 255
 * @param payload    the payload without headers, never null
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html">MySQL packets</a>
 */
public record Packet(int sequenceId, byte[] payload) {

    /** The largest payload of one frame; a payload of this length or longer continues in the next frame. */
    public static final int MAX_FRAME = 0xFF_FFFF;

    public Packet {
        if (sequenceId < 0 || sequenceId > 255) {
            throw new IllegalArgumentException("sequence id out of range: " + sequenceId);
        }
    }

    /** How many frames (and so sequence ids) this payload takes on the wire: always at least one. */
    public int frames() {
        return frames(payload.length);
    }

    /** How many frames a payload of {@code length} bytes takes (a multiple of 16 MiB - 1 ends with an empty frame). */
    public static int frames(int length) {
        return length / MAX_FRAME + 1;
    }

    /** The sequence id the packet after this one carries. */
    public int nextSequenceId() {
        return (sequenceId + frames()) & 0xFF;
    }

    /** The first byte of the payload as an unsigned value, or -1 when the payload is empty. */
    public int header() {
        return payload.length == 0 ? -1 : payload[0] & 0xFF;
    }

    /** The same payload under another sequence id. */
    public Packet withSequenceId(int id) {
        return new Packet(id & 0xFF, payload);
    }

    @Override
    public String toString() {
        return "Packet(seq " + sequenceId + ", " + payload.length + " bytes)";
    }
}
