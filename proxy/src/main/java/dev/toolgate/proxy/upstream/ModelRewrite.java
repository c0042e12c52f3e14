package dev.toolgate.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.IOException;

/**
 * Asks a fallback for its own model: the request's {@code model} field replaced. Only a JSON
 * object body that names a model is rewritten; any other request goes as it came.
 */
final class ModelRewrite {
    private ModelRewrite() {
    }

    /** The request to send; {@code request} is released when a rewritten one replaces it. */
    static FullHttpRequest apply(FullHttpRequest request, String model) {
        if (model.isEmpty() || !request.content().isReadable() || request.content().getByte(request.content().readerIndex()) != '{') {
            return request;
        }
        JsonNode body;
        try {
            body = Json.read(request.content());
        } catch (IOException notJson) {
            return request;
        }
        if (!(body instanceof ObjectNode object) || !object.has("model")) {
            return request;
        }
        object.put("model", model);
        FullHttpRequest rewritten = request.replace(Unpooled.wrappedBuffer(Json.bytes(object)));
        request.release();
        return rewritten;
    }
}
