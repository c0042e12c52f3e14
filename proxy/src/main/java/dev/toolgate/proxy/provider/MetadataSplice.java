package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import java.util.Arrays;

/**
 * An upstream answer's own bytes with the metadata block added as the last member of its root
 * object, so that a released answer is not written out again from its tree and the client gets the
 * provider's bytes as they were (number formats, escapes, spacing).
 * Only for UTF-8 text that is one object and then nothing but whitespace, which
 * {@link UpstreamAnswer} has checked for duplicate keys and a metadata field of its own.
 */
final class MetadataSplice {
    private MetadataSplice() {
    }

    /** The spliced bytes, or null when {@code answer} is not in the shape this handles. */
    static byte[] splice(byte[] answer, String metadataField, JsonNode metadata) {
        // A first byte '{' followed by a non-zero byte rules out UTF-16 and UTF-32, which the parser also reads.
        if (answer.length < 2 || answer[0] != '{' || answer[1] == 0) {
            return null;
        }
        int close = lastNonWhitespace(answer, answer.length - 1);
        if (close < 1 || answer[close] != '}') {
            return null;
        }
        boolean empty = lastNonWhitespace(answer, close - 1) == 0;
        byte[] member = member(metadataField, metadata);
        int separator = empty ? 0 : 1;
        byte[] spliced = Arrays.copyOf(answer, answer.length + separator + member.length);
        if (!empty) {
            spliced[close] = ',';
        }
        System.arraycopy(member, 0, spliced, close + separator, member.length);
        System.arraycopy(answer, close, spliced, close + separator + member.length, answer.length - close);
        return spliced;
    }

    /** {@code "field":{...}}, written by the mapper so that the field name is escaped as JSON needs. */
    private static byte[] member(String metadataField, JsonNode metadata) {
        ObjectNode holder = Json.object();
        holder.set(metadataField, metadata);
        byte[] object = Json.bytes(holder);
        return Arrays.copyOfRange(object, 1, object.length - 1);
    }

    private static int lastNonWhitespace(byte[] bytes, int from) {
        int i = from;
        while (i >= 0 && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i--;
        }
        return i;
    }
}
