package dev.toolgate.proxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An event stream as a client reads it off the wire (WHATWG server-sent events): one entry per
 * event with its name and data, parsed independently of the gateway's own decoder.
 */
public final class SseTranscript {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String text;
    private final List<Event> events;

    /** One event: its {@code event:} name (null when it had none) and its joined {@code data:} lines. */
    public record Event(String name, String data) {
        /** The data as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException("event data is not JSON: " + data, e);
            }
        }

        /** The payload's {@code type} field (both the OpenAI and Anthropic streams carry one). */
        public String type() {
            return json().path("type").asText();
        }
    }

    private SseTranscript(String text, List<Event> events) {
        this.text = text;
        this.events = List.copyOf(events);
    }

    public static SseTranscript of(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = null;
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(name, data.toString()));
                }
                name = null;
                data = null;
            } else if (line.startsWith(":")) {
                continue;
            } else {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (field.equals("event")) {
                    name = value;
                } else if (field.equals("data")) {
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
        }
        return new SseTranscript(text, events);
    }

    /** Everything received, as text. */
    public String text() {
        return text;
    }

    public List<Event> events() {
        return events;
    }

    /** The payload {@code type} of each event, in order. */
    public List<String> types() {
        return events.stream().map(Event::type).toList();
    }

    /** The one event whose payload has this {@code type}. */
    public JsonNode only(String type) {
        List<JsonNode> matching = events.stream().filter(event -> event.type().equals(type)).map(Event::json).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one '" + type + "' event, got " + matching.size() + " in:\n" + text);
        }
        return matching.get(0);
    }
}
