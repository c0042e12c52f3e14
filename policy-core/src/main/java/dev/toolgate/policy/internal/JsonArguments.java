package dev.toolgate.policy.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cel.common.values.NullValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a tool call's raw argument text into the values CEL works on: maps, lists, {@code Long}
 * for integral numbers, {@code Double} for the rest, strings, booleans and CEL's null.
 */
public final class JsonArguments {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonArguments() {
    }

    /** Thrown when the text is not one JSON object. */
    public static final class MalformedArguments extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedArguments(String message) {
            super(message);
        }
    }

    /** Blank text means "no arguments", as some providers send for parameterless tools. */
    public static Map<String, Object> parse(String text) throws MalformedArguments {
        if (text.isBlank()) {
            return Map.of();
        }
        JsonNode node;
        try (JsonParser parser = MAPPER.createParser(text)) {
            node = MAPPER.readTree(parser);
        } catch (IOException e) {
            throw new MalformedArguments("arguments are not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedArguments("arguments are not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) toCel(node);
        return map;
    }

    /** Converts any Jackson tree to CEL values; used for request context as well as arguments. */
    public static Object toCel(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
                return Collections.unmodifiableMap(map);
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                node.forEach(element -> list.add(toCel(element)));
                return Collections.unmodifiableList(list);
            }
            case NUMBER:
                return node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
            case BOOLEAN:
                return node.booleanValue();
            case STRING:
                return node.textValue();
            default:
                return NullValue.NULL_VALUE;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
