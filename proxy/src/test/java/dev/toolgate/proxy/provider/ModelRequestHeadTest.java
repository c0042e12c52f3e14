package dev.toolgate.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The oracle is what the gateway read before: a tree of the whole request. */
class ModelRequestHeadTest {
    private static final List<String> VALUES = List.of("\"gpt-4o-mini\"", "\" padded \"", "\"\"", "\"true\"", "\" true \"",
            "\"false\"", "\"TRUE\"", "\"yes\"", "\"\\u0067pt\\n\"", "true", "false", "null", "0", "1", "-0", "2", "-7",
            "12345678901234567890123", "1.5", "0.0", "1e2", "-2.50E-3", "{}", "{\"model\":\"inner\",\"stream\":true}",
            "[]", "[true]", "[\"gpt\"]");

    @Test
    void readsTheModelAndStreamAsATreeOfTheRequestReadsThem() {
        Random random = new Random(20261123);
        for (int i = 0; i < 5_000; i++) {
            String body = request(random);
            ObjectNode tree = reading(body, Json::readObject);

            ModelRequestHead head = reading(body, ModelRequestHead::read);

            assertThat(head.model()).as(body).isEqualTo(tree.path("model").asText(""));
            assertThat(head.stream()).as(body).isEqualTo(tree.path("stream").asBoolean(false));
        }
    }

    @Test
    void aKeyGivenTwiceCountsWithItsLastValue() {
        ModelRequestHead head = reading("{\"model\":\"first\",\"stream\":true,\"messages\":[],\"model\":\"last\",\"stream\":false}",
                ModelRequestHead::read);

        assertThat(head).isEqualTo(new ModelRequestHead("last", false));
    }

    @Test
    void keysInsideTheConversationAreNotTheRequests() {
        ModelRequestHead head = reading("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"nested\",\"stream\":true}],"
                + "\"metadata\":{\"model\":\"nested\",\"stream\":true}}", ModelRequestHead::read);

        assertThat(head).isEqualTo(new ModelRequestHead("", false));
    }

    @Test
    void whatIsNotOneWellFormedJsonObjectIsRefusedAsTheTreeReaderRefusedIt() {
        List<byte[]> refused = new ArrayList<>();
        for (String text : List.of("", "  ", "[]", "1", "\"text\"", "null", "{", "{\"model\":}", "{\"model\":\"a\"",
                "{\"model\":\"a\"}x", "{} {}", "{}]", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\u0001\"}", "{\"a\":tru}",
                "{model:\"a\"}", "{\"a\":[1,2}", "{\"a\":\"\\x\"}", "{\"messages\":[{\"content\":\"unterminated}]}")) {
            refused.add(text.getBytes(StandardCharsets.UTF_8));
        }
        refused.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'});  // a cut two-byte character
        refused.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'});

        for (byte[] body : refused) {
            String shown = new String(body, StandardCharsets.UTF_8);
            assertThatThrownBy(() -> reading(body, Json::readObject)).as("tree: %s", shown)
                    .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.code()).isEqualTo("INVALID_JSON"));
            assertThatThrownBy(() -> reading(body, ModelRequestHead::read)).as("head: %s", shown)
                    .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.code()).isEqualTo("INVALID_JSON"));
        }
    }

    @Test
    void theBodyIsNeitherConsumedNorReleased() {
        ByteBuf body = Unpooled.copiedBuffer("{\"model\":\"gpt-4o\",\"stream\":true}", StandardCharsets.UTF_8);
        int readable = body.readableBytes();

        ModelRequestHead.read(body);

        assertThat(body.readableBytes()).isEqualTo(readable);
        assertThat(body.refCnt()).isEqualTo(1);
        body.release();
    }

    /** A request whose fields come in any order, some twice, some absent, with the two read keys also nested. */
    private static String request(Random random) {
        List<String> fields = new ArrayList<>();
        for (String key : List.of("model", "stream")) {
            int times = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2);
            for (int t = 0; t < times; t++) {
                fields.add("\"" + key + "\":" + VALUES.get(random.nextInt(VALUES.size())));
            }
        }
        fields.add("\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"model\\\": " + random.nextInt() + "\",\"model\":"
                + VALUES.get(random.nextInt(VALUES.size())) + "}]");
        if (random.nextBoolean()) {
            fields.add("\"temperature\":0." + random.nextInt(10));
        }
        if (random.nextBoolean()) {
            fields.add("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"parameters\":{\"stream\":"
                    + VALUES.get(random.nextInt(VALUES.size())) + "}}}]");
        }
        Collections.shuffle(fields, random);
        String space = random.nextBoolean() ? "" : " \n\t";
        return space + "{" + space + String.join("," + space, fields) + space + "}" + space;
    }

    private static <T> T reading(String text, Function<ByteBuf, T> read) {
        return reading(text.getBytes(StandardCharsets.UTF_8), read);
    }

    private static <T> T reading(byte[] bytes, Function<ByteBuf, T> read) {
        ByteBuf body = Unpooled.copiedBuffer(bytes);
        try {
            return read.apply(body);
        } finally {
            body.release();
        }
    }
}
