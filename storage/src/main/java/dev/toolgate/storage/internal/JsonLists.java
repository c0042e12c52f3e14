package dev.toolgate.storage.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Lists of strings stored as JSON array text, which H2 and PostgreSQL both keep in a VARCHAR. */
public final class JsonLists {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private JsonLists() {
    }

    /**
     * The JSON array Jackson's default {@code ObjectMapper} writes for {@code values}, character for
     * character: the hash chain covers this text, so stored events must keep hashing the same. Written
     * by hand because every audited call writes two of these on the audit writer's thread (for the
     * hash) and two on the indexer's, and the mapper's serializer lookup and buffers cost more than the
     * lists themselves. {@code JsonListsTest} compares the two on generated lists.
     */
    public static String write(List<String> values) {
        if (values.isEmpty()) {
            return "[]";
        }
        StringBuilder json = new StringBuilder(2 + 24 * values.size());
        json.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            appendString(json, values.get(i));
        }
        return json.append(']').toString();
    }

    /** A JSON string as Jackson writes it: quote and backslash escaped, control characters escaped, the rest as is. */
    private static void appendString(StringBuilder json, String value) {
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\t' -> json.append("\\t");
                case '\n' -> json.append("\\n");
                case '\f' -> json.append("\\f");
                case '\r' -> json.append("\\r");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    public static List<String> read(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return List.copyOf(MAPPER.readValue(json, STRINGS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored list is not a JSON array of strings: " + json, e);
        }
    }
}
