package dev.toolgate.proxy.anthropic;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.stream.SseEvent;
import java.io.IOException;
import java.util.List;

/** What the official Anthropic Java SDK makes of the gateway's output: the client's view. */
final class AnthropicSdk {
    private AnthropicSdk() {
    }

    /**
     * Parses and validates every event as the SDK's stream reader does (it skips {@code ping}) and
     * accumulates them into the message it returns.
     */
    static Message accumulate(List<SseEvent> events) throws JsonProcessingException {
        MessageAccumulator accumulator = MessageAccumulator.create();
        for (SseEvent event : events) {
            if (!"ping".equals(event.event())) {
                accumulator.accumulate(ObjectMappers.jsonMapper().readValue(event.data(), RawMessageStreamEvent.class).validate());
            }
        }
        return accumulator.message();
    }

    /** The metadata block as the SDK exposes it: an additional property of the {@code message_delta} event. */
    static JsonNode metadata(List<SseEvent> events) throws JsonProcessingException {
        for (SseEvent event : events) {
            if ("ping".equals(event.event())) {
                continue;
            }
            RawMessageStreamEvent parsed = ObjectMappers.jsonMapper().readValue(event.data(), RawMessageStreamEvent.class);
            if (parsed.isMessageDelta()) {
                return parsed.asMessageDelta()._additionalProperties().get("_toolgate").convert(JsonNode.class);
            }
        }
        throw new AssertionError("no message_delta event");
    }

    static Message message(byte[] body) throws IOException {
        return ObjectMappers.jsonMapper().readValue(body, Message.class).validate();
    }
}
