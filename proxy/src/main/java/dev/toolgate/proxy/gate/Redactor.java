package dev.toolgate.proxy.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it is stored, exported or sent to people. Decisions still see
 * the raw arguments; only what leaves the decision path is redacted.
 */
public final class Redactor {
    private static final String MASK = "[REDACTED]";

    /** Values under these keys are secrets whatever they look like. */
    private static final Set<String> SECRET_KEYS = Set.of(
            "password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "access_token",
            "refresh_token", "private_key", "client_secret", "secret_key", "session_token");

    private record Detector(String label, Pattern pattern) {
    }

    private static final List<Detector> DETECTORS = List.of(
            new Detector("private_key", Pattern.compile(
                    "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----")),
            new Detector("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}")),
            new Detector("bearer_token", Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}")),
            new Detector("api_key", Pattern.compile("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}")),
            new Detector("aws_access_key", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b")),
            new Detector("github_token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")));

    private static final Pattern CARD_CANDIDATE = Pattern.compile("(?<![\\d-])(?:\\d[ -]?){12,18}\\d(?![\\d-])");

    /** Redacts a JSON document value by value; text that is not JSON is redacted as plain text. */
    public String redactJson(String json) {
        if (json == null || json.isBlank()) {
            return json;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (IOException notJson) {
            return redactText(json);
        }
        return Json.text(redact(node));
    }

    public JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = Json.object();
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) object::fields) {
                boolean secretKey = SECRET_KEYS.contains(field.getKey().toLowerCase(Locale.ROOT));
                copy.set(field.getKey(), secretKey && !field.getValue().isNull() ? TextNode.valueOf(MASK) : redact(field.getValue()));
            }
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            array.forEach(element -> copy.add(redact(element)));
            return copy;
        }
        if (node.isTextual()) {
            return TextNode.valueOf(redactText(node.textValue()));
        }
        return node;
    }

    public String redactText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (Detector detector : DETECTORS) {
            result = detector.pattern().matcher(result).replaceAll("[REDACTED:" + detector.label() + "]");
        }
        return redactCards(result);
    }

    private static String redactCards(String text) {
        Matcher matcher = CARD_CANDIDATE.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (matcher.find()) {
            String digits = matcher.group().replaceAll("[ -]", "");
            if (digits.length() >= 13 && digits.length() <= 19 && passesLuhn(digits)) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, last, matcher.start()).append("[REDACTED:card]");
                last = matcher.end();
            }
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    static boolean passesLuhn(String digits) {
        int sum = 0;
        boolean doubled = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int digit = digits.charAt(i) - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
