package dev.toolgate.proxy.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.toolgate.config.RedactionConfig;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
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

    /**
     * {@code replacement}: the mask, built once. {@code cue}: a cheap test every text the pattern can
     * match passes (a literal the pattern requires), so that the regular expression runs only on text
     * that may hold a secret: every audited call's arguments and reasons pass every detector, and most
     * hold none. Operators' own patterns have no cue and always run.
     */
    record Detector(String label, Pattern pattern, Predicate<String> cue, String replacement) {
        Detector(String label, Pattern pattern, Predicate<String> cue) {
            this(label, pattern, cue, Matcher.quoteReplacement("[REDACTED:" + label + "]"));
        }
    }

    private static final List<Detector> BUILT_IN = List.of(
            new Detector("private_key", Pattern.compile(
                    "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
                    text -> text.contains("-----BEGIN ")),
            new Detector("jwt", Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"),
                    text -> text.contains("eyJ")),
            // (?i) without UNICODE_CASE folds ASCII letters only, and so does the cue (at least).
            new Detector("bearer_token", Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}"),
                    text -> containsIgnoringCase(text, "bearer")),
            new Detector("api_key", Pattern.compile("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"), text -> text.contains("sk-")),
            new Detector("aws_access_key", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
                    text -> text.contains("AKIA") || text.contains("ASIA")),
            new Detector("github_token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
                    text -> text.contains("gh") || text.contains("github_pat_")));

    static final Pattern CARD_CANDIDATE = Pattern.compile("(?<![\\d-])(?:\\d[ -]?){12,18}\\d(?![\\d-])");
    /** A card candidate holds at least this many digits ({@code \d} is 0-9 only without UNICODE_CHARACTER_CLASS). */
    private static final int MIN_CARD_DIGITS = 13;
    private static final Pattern DIGIT_GROUP = Pattern.compile("\\d+");
    private static final String CARD_MASK = "[REDACTED:card]";
    private static final Detector EMAIL = new Detector("email",
            Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"),
            text -> text.indexOf('@') >= 0);

    /** Built-in detectors, then the configured ones, then emails when configured; cards are checked last. */
    private final List<Detector> detectors;

    /** The built-in detectors only; emails are kept. */
    public Redactor() {
        this(List.of(), false);
    }

    /**
     * @param patterns the operator's own detectors ({@code redaction.patterns}); each regex is known to compile
     * @param redactEmails whether email addresses are masked too ({@code redaction.redact_emails})
     */
    public Redactor(List<RedactionConfig.Detector> patterns, boolean redactEmails) {
        List<Detector> all = new ArrayList<>(BUILT_IN);
        patterns.forEach(pattern -> all.add(new Detector(pattern.name(), Pattern.compile(pattern.regex()), text -> true)));
        if (redactEmails) {
            all.add(EMAIL);
        }
        this.detectors = List.copyOf(all);
    }

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

    /** {@link #redactJson} as a tree for API answers: the redacted document, or the redacted text as one string when it is not JSON. */
    public JsonNode redactedTree(String json) {
        if (json == null) {
            return NullNode.getInstance();
        }
        if (json.isBlank()) {
            return TextNode.valueOf(json);
        }
        try {
            return redact(Json.MAPPER.readTree(json));
        } catch (IOException notJson) {
            return TextNode.valueOf(redactText(json));
        }
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
        if (node.isIntegralNumber() && isCardNumber(node.asText())) {
            // A model may send a card number as a JSON number: it is as secret as the text form.
            return TextNode.valueOf(CARD_MASK);
        }
        return node;
    }

    public String redactText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (Detector detector : detectors) {
            if (detector.cue().test(result)) {
                result = detector.pattern().matcher(result).replaceAll(detector.replacement());
            }
        }
        return mayHoldCard(result) ? redactCards(result) : result;
    }

    /** The detectors in the order they run; for tests. */
    List<Detector> detectors() {
        return detectors;
    }

    /** The card detector's cue: a candidate holds at least {@value #MIN_CARD_DIGITS} digits. */
    static boolean mayHoldCard(String text) {
        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && ++digits >= MIN_CARD_DIGITS) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code text} holds the (ASCII, lower-case) word in any ASCII case, or more loosely folded. */
    static boolean containsIgnoringCase(String text, String lowerCaseWord) {
        char first = lowerCaseWord.charAt(0);
        for (int start = 0; start <= text.length() - lowerCaseWord.length(); start++) {
            // The patterns fold ASCII letters only, so a match starts with the ASCII letter in either case.
            if ((text.charAt(start) | 0x20) == first
                    && text.regionMatches(true, start, lowerCaseWord, 0, lowerCaseWord.length())) {
                return true;
            }
        }
        return false;
    }

    private static String redactCards(String text) {
        Matcher matcher = CARD_CANDIDATE.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (matcher.find()) {
            int[] card = cardWithin(matcher.group());
            if (card != null) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, last, matcher.start() + card[0]).append(CARD_MASK);
                last = matcher.start() + card[1];
            }
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /**
     * Where the card number is in a run of digit groups ({@code [start, end)}), or null: the longest
     * stretch of whole groups that is a Luhn-valid 13 to 19 digit number. A run is often longer than
     * the card it holds: a quantity before it, or the expiry or CVC after it ("4111 1111 1111 1111 123").
     */
    private static int[] cardWithin(String run) {
        List<int[]> groups = new ArrayList<>();
        Matcher group = DIGIT_GROUP.matcher(run);
        while (group.find()) {
            groups.add(new int[] {group.start(), group.end()});
        }
        int[] best = null;
        int bestLength = 0;
        for (int first = 0; first < groups.size(); first++) {
            StringBuilder digits = new StringBuilder(19);
            for (int end = first; end < groups.size() && digits.length() <= 19; end++) {
                digits.append(run, groups.get(end)[0], groups.get(end)[1]);
                if (digits.length() > bestLength && isCardNumber(digits.toString())) {
                    best = new int[] {groups.get(first)[0], groups.get(end)[1]};
                    bestLength = digits.length();
                }
            }
        }
        return best;
    }

    private static boolean isCardNumber(String digits) {
        return digits.length() >= 13 && digits.length() <= 19 && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                && passesLuhn(digits);
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
