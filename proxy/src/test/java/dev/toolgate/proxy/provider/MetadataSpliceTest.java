package dev.toolgate.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.server.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetadataSpliceTest {
    private static final JsonNode METADATA = Json.object().put("status", "allowed");

    @Test
    void theBlockBecomesTheRootsLastMemberAndEverythingElseStays() {
        assertThat(splice("{\"a\": 1.50}")).isEqualTo("{\"a\": 1.50,\"_toolgate\":{\"status\":\"allowed\"}}");
        assertThat(splice("{\"a\":\"\\u00e9\"}\r\n \t")).isEqualTo("{\"a\":\"\\u00e9\",\"_toolgate\":{\"status\":\"allowed\"}}\r\n \t");
        assertThat(splice("{\n  \"a\": [1, {\"b\": {}}]\n}\n")).isEqualTo("{\n  \"a\": [1, {\"b\": {}}]\n,\"_toolgate\":{\"status\":\"allowed\"}}\n");
        assertThat(splice("{ }")).isEqualTo("{ \"_toolgate\":{\"status\":\"allowed\"}}");
    }

    @Test
    void theFieldNameIsWrittenAsJson() {
        byte[] spliced = MetadataSplice.splice(bytes("{\"a\":1}"), "x\"y", METADATA);

        assertThat(new String(spliced, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1,\"x\\\"y\":{\"status\":\"allowed\"}}");
    }

    @Test
    void bodiesOfAnotherShapeOrEncodingAreLeftToTheRewriter() {
        assertThat(MetadataSplice.splice(bytes(" {\"a\":1}"), "_toolgate", METADATA)).as("leading space").isNull();
        assertThat(MetadataSplice.splice(bytes("\ufeff{\"a\":1}"), "_toolgate", METADATA)).as("byte order mark").isNull();
        assertThat(MetadataSplice.splice("{\"a\":1}".getBytes(StandardCharsets.UTF_16LE), "_toolgate", METADATA)).as("UTF-16").isNull();
        assertThat(MetadataSplice.splice(bytes("[{\"a\":1}]"), "_toolgate", METADATA)).as("array").isNull();
        assertThat(MetadataSplice.splice(bytes("{"), "_toolgate", METADATA)).as("cut short").isNull();
    }

    private static String splice(String answer) {
        return new String(MetadataSplice.splice(bytes(answer), "_toolgate", METADATA), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
