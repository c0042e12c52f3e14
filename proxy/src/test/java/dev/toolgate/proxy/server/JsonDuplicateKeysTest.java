package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Json#readWithoutDuplicateKeys} decides whether the client may get an upstream answer's own
 * bytes: any object, at any depth, with a key twice must be refused, however the key is spelled.
 */
class JsonDuplicateKeysTest {
    /** The parser's own check, which the gateway used before: the oracle for the generated documents. */
    private static final ObjectMapper STRICT_PARSER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\":1,\"a\":2}",
            "{\"a\":null,\"a\":null}",
            "{\"a\":{},\"a\":{}}",
            "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"a\":5}",
            "{\"choices\":[{\"message\":{\"tool_calls\":[]}}],\"choices\":[]}",
            "{\"x\":{\"a\":1,\"b\":[{\"c\":1,\"c\":2}]}}",
            "{\"a\":{\"b\":{\"c\":{\"d\":1,\"d\":2}}}}",
            "{\"\\u0061\":1,\"a\":2}",
            "[{\"a\":1,\"a\":1}]"})
    void aKeyGivenTwiceAnywhereIsRefused(String json) {
        assertThatThrownBy(() -> readWithoutDuplicateKeys(json)).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"b\":{\"a\":1}}", "[{\"a\":1},{\"a\":2}]", "{\"a\":[{\"a\":{\"a\":1}}]}", "{}"})
    void theSameKeyInDifferentObjectsIsFine(String json) throws IOException {
        assertThat(readWithoutDuplicateKeys(json)).isEqualTo(Json.MAPPER.readTree(json));
    }

    @Test
    void refusesExactlyWhatTheParsersOwnCheckRefusesOnGeneratedDocuments() {
        Random random = new Random(20261122);
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            String json = object(random, 0);
            boolean oracleRefuses = refusedBy(() -> STRICT_PARSER.readTree(json));
            boolean gatewayRefuses = refusedBy(() -> readWithoutDuplicateKeys(json));
            assertThat(gatewayRefuses).as(json).isEqualTo(oracleRefuses);
            refused += oracleRefuses ? 1 : 0;
        }
        // Both outcomes must be well represented, or the comparison proves little.
        assertThat(refused).isBetween(1_000, 4_000);
    }

    private interface Read {
        void run() throws IOException;
    }

    private static boolean refusedBy(Read read) {
        try {
            read.run();
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    /** An object of a few members whose keys come from a small set, spelled plainly or escaped, nested a few levels. */
    private static String object(Random random, int depth) {
        StringBuilder json = new StringBuilder("{");
        int members = random.nextInt(depth == 0 ? 5 : 3);
        for (int m = 0; m < members; m++) {
            if (m > 0) {
                json.append(',');
            }
            char key = (char) ('a' + random.nextInt(6));
            json.append(random.nextInt(8) == 0 ? "\"\\u00" + Integer.toHexString(key) + "\"" : "\"" + key + "\"");
            json.append(':').append(value(random, depth + 1));
        }
        return json.append('}').toString();
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth >= 4 ? 3 : 5);
        return switch (kind) {
            case 0 -> Integer.toString(random.nextInt(100));
            case 1 -> "\"v\"";
            case 2 -> "null";
            case 3 -> object(random, depth);
            default -> "[" + object(random, depth) + "," + value(random, depth + 1) + "]";
        };
    }

    private static JsonNode readWithoutDuplicateKeys(String json) throws IOException {
        ByteBuf body = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
        try {
            return Json.readWithoutDuplicateKeys(body);
        } finally {
            body.release();
        }
    }
}
