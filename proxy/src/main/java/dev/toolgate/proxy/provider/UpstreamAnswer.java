package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;

/**
 * An upstream answer read for its tool calls.
 *
 * @param json the parsed body, null when it is not JSON
 * @param unambiguous no object in the body has a key twice. Readers disagree on what such a body
 *     means (the gateway's parser keeps the last value, others the first), so the client must then
 *     get the answer as the gateway read it, written out again, never the upstream's bytes
 * @param verbatim the upstream's bytes when, should every call be released, the client may be sent
 *     exactly them with the metadata block added ({@link MetadataSplice}) instead of the parsed
 *     answer written again: kept only when asked for (the format's rewriter allows it), for one
 *     unambiguous object with no metadata field of its own. Else null
 */
public record UpstreamAnswer(JsonNode json, boolean unambiguous, byte[] verbatim) {

    /**
     * Reads {@code body} without consuming or releasing it; {@code keepBytes}: whether the answer's
     * format can use {@link #verbatim} ({@link ToolCallFormat#onlyMetadataAddedWhenAllReleased}).
     */
    public static UpstreamAnswer read(ByteBuf body, String metadataField, boolean keepBytes) {
        try {
            JsonNode json = Json.readWithoutDuplicateKeys(body);
            boolean sendable = keepBytes && json.isObject() && !json.has(metadataField);
            return new UpstreamAnswer(json, true, sendable ? ByteBufUtil.getBytes(body) : null);
        } catch (IOException duplicateKeyOrNotJson) {
            try {
                return new UpstreamAnswer(Json.read(body), false, null);
            } catch (IOException notJson) {
                return new UpstreamAnswer(null, false, null);
            }
        }
    }
}
