package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Decision;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.gate.RiskAssessment;
import dev.toolgate.proxy.gate.RiskFactor;
import dev.toolgate.proxy.server.Json;
import java.util.ArrayList;
import java.util.List;

/** How a decision's risk is shown in every answer that carries one (intercept, dry run, runtime review). */
final class RiskViews {
    private RiskViews() {
    }

    /** {@code {"score", "factors": [{"factor", "contribution", "evidence"}]}}. */
    static ObjectNode risk(RiskAssessment risk) {
        ObjectNode json = Json.object();
        json.put("score", risk.score());
        ArrayNode factors = json.putArray("factors");
        for (RiskFactor factor : risk.factors()) {
            factors.addObject().put("factor", factor.name()).put("contribution", factor.contribution()).put("evidence", factor.evidence());
        }
        return json;
    }

    /**
     * Why, in one list of lines: each reason as {@code rule: message} and each verdict of the judge
     * (redacted, as in the audit log), then each risk factor's evidence.
     */
    static List<String> evidence(Decision decision, RiskAssessment risk, Redactor redactor) {
        List<String> lines = new ArrayList<>();
        decision.reasons().forEach(finding -> lines.add(redactor.redactText(finding.ruleId() + ": " + finding.message())));
        if (decision.judgement() != null) {
            decision.judgement().lines().forEach(line -> lines.add(redactor.redactText(line)));
        }
        lines.addAll(risk.evidence());
        return lines;
    }
}
