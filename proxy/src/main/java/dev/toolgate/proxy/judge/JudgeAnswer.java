package dev.toolgate.proxy.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the judge's answer into one verdict per rule asked about. Anything else (content that is
 * not the schema's, an unknown or repeated rule id, a rule without a verdict) is a
 * {@link JudgeFailure}: a decision is never made on a guess.
 */
final class JudgeAnswer {
    private static final int MAX_REASON_CHARS = 300;

    private JudgeAnswer() {
    }

    static List<Verdict> verdicts(JsonNode answer, List<Rule> asked) throws JudgeFailure {
        JsonNode verdicts = answer.path("verdicts");
        if (!verdicts.isArray()) {
            throw new JudgeFailure("the judge's content does not match the verdict schema (no verdicts list)");
        }
        Map<String, Rule> byId = new LinkedHashMap<>();
        asked.forEach(rule -> byId.put(rule.id(), rule));
        Map<String, Verdict> found = new LinkedHashMap<>();
        for (JsonNode verdict : verdicts) {
            JsonNode ruleId = verdict.path("rule_id");
            JsonNode applies = verdict.path("applies");
            JsonNode reason = verdict.path("reason");
            if (!ruleId.isTextual() || !applies.isBoolean() || !(reason.isTextual() || reason.isMissingNode())) {
                throw new JudgeFailure("the judge's content does not match the verdict schema (rule_id, applies, reason)");
            }
            if (!byId.containsKey(ruleId.textValue())) {
                throw new JudgeFailure("the judge answered for a rule it was not asked about");
            }
            if (found.put(ruleId.textValue(), new Verdict(ruleId.textValue(), applies.booleanValue(), oneLine(reason.asText("")))) != null) {
                throw new JudgeFailure("the judge answered twice for rule " + ruleId.textValue());
            }
        }
        List<Verdict> ordered = new ArrayList<>(asked.size());
        for (Rule rule : asked) {
            Verdict verdict = found.get(rule.id());
            if (verdict == null) {
                throw new JudgeFailure("the judge gave no verdict for rule " + rule.id());
            }
            ordered.add(verdict);
        }
        return ordered;
    }

    private static String oneLine(String reason) {
        String line = reason.replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_REASON_CHARS ? line : line.substring(0, MAX_REASON_CHARS) + "…";
    }
}
