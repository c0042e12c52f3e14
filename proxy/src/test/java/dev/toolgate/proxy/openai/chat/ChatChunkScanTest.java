package dev.toolgate.proxy.openai.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan that lets text chunks pass unparsed: it answers only where the parser would find no
 * call, and then what the parser would note (which choices wrote text); anything doubtful it
 * leaves to the parser. Every answer is checked against the parser itself.
 */
class ChatChunkScanTest {
    private static final String ENVELOPE = "\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1763800000,\"model\":\"m\"";

    // ---- what it answers

    @Test
    void aTextDeltaIsReadWithoutTheParser() {
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\" revenue\"},\"finish_reason\":null}"))).isEqualTo(1L);
        assertThat(scan(chunk("{\"index\":3,\"delta\":{\"content\":\"x\"},\"logprobs\":null}"))).isEqualTo(1L << 3);
        // No index: the position in choices counts, as the rewriter reads it.
        assertThat(scan(chunk("{\"delta\":{}},{\"delta\":{\"content\":\"y\"}}"))).isEqualTo(1L << 1);
    }

    @Test
    void roleFinishAndUsageChunksHaveNoText() {
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}"))).isZero();
        assertThat(scan(chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}"))).isZero();
        assertThat(scan("data: {" + ENVELOPE + ",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":39}}\n\n")).isZero();
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":null}}"))).isZero();
    }

    @Test
    void blankTextIsBlankAsTheParserReadsIt() {
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\" \\n\\t\\r\\f \"}}"))).isZero();
        // \b is not white space; \" and \\ are text.
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\"\\b\"}}"))).isEqualTo(1L);
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\" \\\" \"}}"))).isEqualTo(1L);
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\"Café ☕\"}}"))).isEqualTo(1L);
        // Blank but for a character beyond ASCII (an em space): the parser decides.
        assertThat(scan(chunk("{\"index\":0,\"delta\":{\"content\":\"\u2003\"}}"))).isEqualTo(ChatChunkScan.UNKNOWN);
    }

    @Test
    void escapedQuotesAndBracketsInsideTextDoNotEndIt() {
        String data = chunk("{\"index\":0,\"delta\":{\"content\":\"say \\\"}]} {\\\"index\\\":5,\\\"delta\\\":{\\\"content\\\":\\\"z\\\"}}\"}}");
        assertThat(scan(data)).isEqualTo(1L);
    }

    @Test
    void crlfFramingAndAnEventSplitAcrossReadsReadTheSame() {
        String event = chunk("{\"index\":0,\"delta\":{\"content\":\"a\"}}").replace("\n\n", "\r\n\r\n");
        List<SseEvent> events = decode((event + event).getBytes(UTF_8), 7, 200);
        // Each event ends at the CR of its blank line; the second starts with the LF of the
        // first one's, and the last LF is left over.
        assertThat(events).hasSize(3);
        assertThat(events.get(1).raw()[0]).isEqualTo((byte) '\n');
        ChatChunkScan scan = new ChatChunkScan();
        assertThat(scan.textChoices(events.get(0))).isEqualTo(1L);
        assertThat(scan.textChoices(events.get(1))).isEqualTo(1L);
        assertThat(scan.textChoices(events.get(2))).isEqualTo(ChatChunkScan.UNKNOWN);
    }

    // ---- what it leaves to the parser

    @ParameterizedTest
    @ValueSource(strings = {
            // Calls, or anything naming them, even in text.
            "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"delete_file\",\"arguments\":\"\"}}]}}",
            "{\"index\":0,\"delta\":{\"content\":\"x\",\"tool_calls\":null}}",
            "{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"delete_file\",\"arguments\":\"{}\"}}}",
            "{\"index\":0,\"delta\":{\"content\":\"the tool_calls field\"}}",
            // A unicode escape could spell a call's name.
            "{\"index\":0,\"delta\":{\"tool\\u005fcalls\":[{\"index\":0,\"function\":{\"name\":\"delete_file\"}}]}}",
            "{\"index\":0,\"delta\":{\"content\":\"\\u00e9\"}}",
            // Shapes it does not read: duplicates (the parser keeps the last), odd indexes, non-objects.
            "{\"index\":0,\"delta\":{\"content\":\"a\"},\"delta\":{\"content\":\"b\"}}",
            "{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}}",
            "{\"index\":0,\"index\":1,\"delta\":{\"content\":\"a\"}}",
            "{\"index\":\"1\",\"delta\":{\"content\":\"a\"}}",
            "{\"index\":1.0,\"delta\":{\"content\":\"a\"}}",
            "{\"index\":100,\"delta\":{\"content\":\"a\"}}",
            "{\"index\":-1,\"delta\":{\"content\":\"a\"}}",
            "\"a string\"",
            // Not JSON.
            "{\"index\":0,\"delta\":{\"content\":\"a\"}",
            "{\"index\":0,\"delta\":{\"content\":\"a\"},}",
            "{\"index\":0,\"delta\":{\"content\":\"a\",\"n\":01}}",
            "{\"index\":0,\"delta\":{\"content\":\"a\",\"n\":tru}}",
            "{\"index\":0,\"delta\":{\"content\":\"a\tb\"}}",
            "{'index':0}"})
    void doubtfulChunksAreLeftToTheParser(String choice) {
        assertThat(scan(chunk(choice))).isEqualTo(ChatChunkScan.UNKNOWN);
    }

    @Test
    void eventsThatAreNotOneDataLineAreLeftToTheParser() {
        String json = "{" + ENVELOPE + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}";
        assertThat(scan("data: [DONE]\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("event: message\ndata: " + json + "\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: " + json + "\n: comment\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: {" + ENVELOPE + ",\ndata: \"choices\":[]}\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: " + json + " trailing\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: " + json + " {}\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan(": keep-alive\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: {" + ENVELOPE + "}\n\n")).as("no choices").isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: {" + ENVELOPE + ",\"choices\":{}}\n\n")).isEqualTo(ChatChunkScan.UNKNOWN);
        assertThat(scan("data: {\"choices\":[],\"choices\":[{\"index\":0,\"delta\":{\"tool_call\":1}}]}\n\n"))
                .isEqualTo(ChatChunkScan.UNKNOWN);
    }

    // ---- chunks of the shape read before

    @Test
    void aChunkOfTheSameShapeIsReadFromItsTextAlone() {
        ChatChunkScan scan = new ChatChunkScan();
        assertThat(scan.textChoices(event(chunk("{\"index\":2,\"delta\":{\"content\":\"first\"},\"finish_reason\":null}")))).isEqualTo(1L << 2);
        assertThat(scan.textChoices(event(chunk("{\"index\":2,\"delta\":{\"content\":\"second, longer\"},\"finish_reason\":null}"))))
                .isEqualTo(1L << 2);
        assertThat(scan.textChoices(event(chunk("{\"index\":2,\"delta\":{\"content\":\"  \"},\"finish_reason\":null}")))).isZero();
        assertThat(scan.textChoices(event(chunk("{\"index\":2,\"delta\":{\"content\":\"a \\\"quote\\\"\"},\"finish_reason\":null}"))))
                .isEqualTo(1L << 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // The text ends early and a call follows in the same delta.
            "{\"index\":0,\"delta\":{\"content\":\"x\",\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"delete_file\"}}]},\"finish_reason\":null}",
            // The text names a call, or hides an escape.
            "{\"index\":0,\"delta\":{\"content\":\"tool_calls\"},\"finish_reason\":null}",
            "{\"index\":0,\"delta\":{\"content\":\"\\u0041\"},\"finish_reason\":null}",
            // A control character in the text, or no end to it.
            "{\"index\":0,\"delta\":{\"content\":\"a\tb\"},\"finish_reason\":null}",
            "{\"index\":0,\"delta\":{\"content\":\"x},\"finish_reason\":null}"})
    void whatDiffersFromTheShapeInsideTheTextIsReadInFull(String choice) {
        ChatChunkScan scan = new ChatChunkScan();
        for (int i = 0; i < 3; i++) {
            assertThat(scan.textChoices(event(chunk("{\"index\":0,\"delta\":{\"content\":\"warm " + i + "\"},\"finish_reason\":null}"))))
                    .isEqualTo(1L);
        }
        assertThat(scan.textChoices(event(chunk(choice)))).isEqualTo(ChatChunkScan.UNKNOWN);
        // And the shape still serves the chunks after it.
        assertThat(scan.textChoices(event(chunk("{\"index\":0,\"delta\":{\"content\":\"after\"},\"finish_reason\":null}"))))
                .isEqualTo(1L);
    }

    @Test
    void aChunkThatDiffersFromTheShapeOutsideTheTextIsReadInFull() {
        ChatChunkScan scan = new ChatChunkScan();
        scan.textChoices(event(chunk("{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}")));
        assertThat(scan.textChoices(event(chunk("{\"index\":1,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}")))).isEqualTo(1L << 1);
        assertThat(scan.textChoices(event(chunk("{\"index\":1,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}")))).isEqualTo(1L << 1);
        assertThat(scan.textChoices(event(chunk("{\"index\":1,\"delta\":{\"content\":\"a\"},\"tool_calls\":1}"))))
                .isEqualTo(ChatChunkScan.UNKNOWN);
    }

    // ---- the parser, as the rewriter reads a chunk

    /**
     * What parsing {@code data} tells the rewriter: no call in any delta, and which choices wrote
     * text; UNKNOWN where the rewriter would not read it as a plain chunk.
     */
    static long parsed(String data) {
        JsonNode chunk;
        try {
            chunk = Json.MAPPER.readTree(data);
        } catch (IOException notJson) {
            return ChatChunkScan.UNKNOWN;
        }
        if (!(chunk instanceof ObjectNode) || !(chunk.get("choices") instanceof ArrayNode choices)) {
            return ChatChunkScan.UNKNOWN;
        }
        long text = 0;
        for (int position = 0; position < choices.size(); position++) {
            JsonNode choice = choices.get(position);
            JsonNode delta = choice.path("delta");
            if (present(delta.get("tool_calls")) || present(delta.get("function_call"))) {
                return ChatChunkScan.UNKNOWN;
            }
            JsonNode content = delta.path("content");
            if (content.isTextual() && !content.textValue().isBlank()) {
                text |= 1L << choice.path("index").asInt(position);
            }
        }
        return text;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode() && !(node.isArray() && node.isEmpty());
    }

    /** Scans the one event of {@code sse} and checks any answer against the parser's. */
    private static long scan(String sse) {
        List<SseEvent> events = decode(sse.getBytes(UTF_8), 0, 0);
        assertThat(events).hasSize(1);
        SseEvent event = events.get(0);
        long scanned = new ChatChunkScan().textChoices(event);
        if (scanned != ChatChunkScan.UNKNOWN) {
            assertThat(parsed(event.data())).as("what the parser reads in %s", event.data()).isEqualTo(scanned);
        }
        return scanned;
    }

    private static SseEvent event(String sse) {
        List<SseEvent> events = decode(sse.getBytes(UTF_8), 0, 0);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static String chunk(String choices) {
        return "data: {" + ENVELOPE + ",\"choices\":[" + choices + "]}\n\n";
    }

    /** Decodes {@code stream} read in up to three pieces, cut at {@code cut1} and {@code cut2} (0: not cut). */
    static List<SseEvent> decode(byte[] stream, int cut1, int cut2) {
        SseDecoder decoder = new SseDecoder(1 << 20);
        List<SseEvent> events = new ArrayList<>();
        int[] cuts = {0, Math.min(cut1, stream.length), Math.min(Math.max(cut1, cut2), stream.length), stream.length};
        try {
            for (int i = 0; i < 3; i++) {
                ByteBuf read = Unpooled.wrappedBuffer(stream, cuts[i], cuts[i + 1] - cuts[i]);
                try {
                    events.addAll(decoder.decode(read));
                } finally {
                    read.release();
                }
            }
        } catch (SseDecoder.EventTooLarge e) {
            throw new IllegalStateException(e);
        }
        events.addAll(decoder.finish());
        return events;
    }
}
