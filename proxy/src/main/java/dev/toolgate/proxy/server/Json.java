package dev.toolgate.proxy.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The gateway's one JSON mapper: numbers kept exact, so a rewritten body changes only what it must. */
public final class Json {
    public static final ObjectMapper MAPPER = builder().build();
    /**
     * As {@link #MAPPER}, refusing an object that has a key twice. The tree builder sees the repeat
     * for free when it puts the key in the object; the parser's own check
     * ({@code STRICT_DUPLICATE_DETECTION}) kept a set of names per object, a fifth of an upstream
     * answer's parse time.
     */
    private static final ObjectMapper NO_DUPLICATE_KEYS = builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    private Json() {
    }

    private static JsonMapper.Builder builder() {
        return JsonMapper.builder()
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Parses without consuming or releasing {@code body}. */
    public static JsonNode read(ByteBuf body) throws IOException {
        return read(MAPPER, body);
    }

    /**
     * As {@link #read}, but an object with a key twice is an error: readers disagree on which value
     * such a document means (this mapper keeps the last, others the first).
     */
    public static JsonNode readWithoutDuplicateKeys(ByteBuf body) throws IOException {
        return read(NO_DUPLICATE_KEYS, body);
    }

    private static JsonNode read(ObjectMapper mapper, ByteBuf body) throws IOException {
        try (InputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode node = mapper.readTree(in);
            if (node == null || node.isMissingNode()) {
                throw new IOException("empty body");
            }
            return node;
        }
    }

    /**
     * True when {@code body} is one JSON object and nothing after it, checked token by token
     * without building a tree. Does not consume or release {@code body}.
     */
    public static boolean isObject(ByteBuf body) {
        try (InputStream in = new ByteBufInputStream(body.duplicate());
             JsonParser parser = MAPPER.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException notJson) {
            return false;
        }
    }

    /** Parses a request body that must be one JSON object; anything else is a 400 for the client. */
    public static ObjectNode readObject(ByteBuf body) {
        JsonNode node;
        try {
            node = read(body);
        } catch (IOException e) {
            throw ApiError.invalidJson(firstLine(e.getMessage()));
        }
        if (!node.isObject()) {
            throw ApiError.invalidJson("expected a JSON object");
        }
        return (ObjectNode) node;
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** The first line of a parser's message, which is what a client is shown of it. */
    public static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
