package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * What the gateway reads of a model request for itself: the model and whether the answer streams.
 * Read token by token: a request carries the whole conversation, sent again at every turn, and a
 * tree of it would be built only to learn two fields and then kept, larger than the bytes, while the
 * model answers. The rest is still checked to be well-formed JSON. The two values mean what they meant when read from a tree ({@code asText("")},
 * {@code asBoolean(false)}), and a key given twice counts with its last value, as a tree keeps it.
 */
record ModelRequestHead(String model, boolean stream) {
    /** Reads one value in the middle of the request: what follows it is not trailing content. */
    private static final ObjectReader VALUE = Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Reads {@code body} without consuming or releasing it; a body that is not one JSON object is a 400. */
    static ModelRequestHead read(ByteBuf body) {
        try (InputStream in = new ByteBufInputStream(body.duplicate());
             JsonParser parser = Json.MAPPER.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw ApiError.invalidJson("empty body");
            }
            if (first != JsonToken.START_OBJECT) {
                throw ApiError.invalidJson("expected a JSON object");
            }
            String model = "";
            boolean stream = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                switch (name) {
                    case "model" -> model = value(parser).asText("");
                    case "stream" -> stream = value(parser).asBoolean(false);
                    default -> parser.skipChildren();
                }
            }
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw ApiError.invalidJson("unexpected " + after + " after the JSON object");
            }
            return new ModelRequestHead(model, stream);
        } catch (IOException e) {
            throw ApiError.invalidJson(Json.firstLine(e.getMessage()));
        }
    }

    private static JsonNode value(JsonParser parser) throws IOException {
        return VALUE.readTree(parser);
    }
}
