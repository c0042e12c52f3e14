package dev.toolgate.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Upstream Chat Completions bodies, shaped as the OpenAI API returns them. */
public final class ChatBodies {
    private ChatBodies() {
    }

    /** A tool call entry: id, name and arguments (a JSON object's text). */
    public record Call(String id, String name, String arguments) {
        String json() {
            return """
                    {"id":"%s","type":"function","function":{"name":"%s","arguments":%s}}"""
                    .formatted(id, name, quote(arguments));
        }
    }

    public static Call call(String id, String name, String arguments) {
        return new Call(id, name, arguments);
    }

    public static String withToolCalls(Call... calls) {
        String toolCalls = Arrays.stream(calls).map(Call::json).collect(Collectors.joining(","));
        return """
                {"id":"chatcmpl-test1","object":"chat.completion","created":1763800000,"model":"gpt-4o-mini-2024-07-18",\
                "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[%s],"refusal":null,"annotations":[]},\
                "logprobs":null,"finish_reason":"tool_calls"}],\
                "usage":{"prompt_tokens":82,"completion_tokens":41,"total_tokens":123},"service_tier":"default","system_fingerprint":"fp_560af6e559"}"""
                .formatted(toolCalls);
    }

    /** A text answer with deliberately unusual spacing and escapes, to prove byte-for-byte pass-through. */
    public static final String TEXT_ANSWER = "{\"id\":\"chatcmpl-text\",  \"object\":\"chat.completion\",\"created\":1763800000,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Bonjour \\u00e9t\\u00e9 \\ud83d\\ude00 1.50E+3\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,"
            + "\"total_tokens\":12}}\n";

    public static final String REQUEST = """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Do the thing"}],
             "tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object"}}}]}""";

    /** A wire-format fixture (copied from {@code shared/fixtures}, checked against the official SDKs' parsers). */
    public static String fixture(String name) {
        try (var in = ChatBodies.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
