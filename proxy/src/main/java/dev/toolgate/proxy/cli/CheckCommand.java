package dev.toolgate.proxy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.Role;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.RiskAssessment;
import dev.toolgate.proxy.gate.RiskScorer;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toolgate check}: what the configured rules decide about one tool call, and why, without a gateway or a database. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Decides one tool call under a configuration file's rules and prints the decision, the matched rules and the reasons.",
                "Reads the file only: rules and kill-switch entries added through the API live in the database and are not consulted;"
                        + " a judged rule that could change the decision is named, not put to the judge model."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the call was decided (whatever the decision)", "2:the configuration file cannot be used"})
public final class CheckCommand implements Callable<Integer> {
    /** The agent when the file has no key with role agent. */
    static final String FALLBACK_AGENT = "cli";
    private static final String LABEL = "%-16s%s%n";

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "toolgate.yaml",
            description = "Path to toolgate.yaml (default: ${DEFAULT-VALUE})")
    Path configFile;

    @Option(names = "--tool", required = true, paramLabel = "NAME", description = "The tool the model proposes to call")
    String tool;

    @Option(names = "--args", paramLabel = "JSON", defaultValue = "{}",
            description = "The call's arguments as JSON text (default: ${DEFAULT-VALUE}); malformed JSON is decided as the gateway would")
    String arguments;

    @Option(names = "--agent", paramLabel = "NAME",
            description = "The key name the call comes from (default: the file's first key with role agent, else '" + FALLBACK_AGENT + "');"
                    + " its workspace is the key's, else 'default'")
    String agent;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "", description = "The model name rules see as `model` (default: none)")
    String model;

    @Option(names = "--source", paramLabel = "SOURCE", defaultValue = "proxy",
            description = "The entry point rules see as `request.source`: proxy, intercept or mcp (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--json", description = "Print the decision as one JSON object")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        Config config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            return CommandErrors.badConfig(spec.commandLine().getErr(), configFile, e);
        }
        String agentName = agent != null ? agent : defaultAgent(config.keys());
        String workspace = config.keys().stream().filter(key -> key.name().equals(agentName)).map(KeyConfig::workspace)
                .findFirst().orElse(KeyConfig.DEFAULT_WORKSPACE);
        CallContext context = new CallContext(workspace, agentName, model, Map.of("source", source));
        ToolCall call = new ToolCall(null, tool, arguments);
        Evaluation evaluation = OfflineDecider.of(config).evaluate(call, context);
        // Scored as the gateway scores it, from the config's taxonomy; offline there are no recent blocks to count.
        RiskAssessment risk = new RiskScorer(config.risk(), null).assess(call, context, evaluation.decision());

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(context, evaluation, risk, config)));
        } else {
            text(out, context, evaluation, risk, config);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The first key with role agent: the calls worth checking are the agents'. */
    static String defaultAgent(List<KeyConfig> keys) {
        return keys.stream().filter(key -> key.role() == Role.AGENT).map(KeyConfig::name).findFirst().orElse(FALLBACK_AGENT);
    }

    private void text(PrintWriter out, CallContext context, Evaluation evaluation, RiskAssessment risk, Config config) {
        Decision decision = evaluation.decision();
        out.printf(LABEL, "decision:", ToolCallGate.auditDecision(decision));
        out.printf(LABEL, "tool:", tool);
        out.printf(LABEL, "agent:", context.agent() + " (workspace " + context.workspace() + ")");
        out.printf(LABEL, "deciding rule:", decision.decidingRule() == null ? "none" : decision.decidingRule());
        out.printf(LABEL, "matched rules:", decision.matchedRules().isEmpty() ? "none" : String.join(", ", decision.matchedRules()));
        List<Finding> reasons = decision.reasons();
        for (int i = 0; i < reasons.size(); i++) {
            out.printf(LABEL, i == 0 ? "reasons:" : "", reasons.get(i).ruleId() + ": " + reasons.get(i).message());
        }
        if (decision instanceof Decision.NeedsApproval held && held.approverEmail() != null) {
            out.printf(LABEL, "approver:", held.approverEmail());
        }
        out.printf(LABEL, "risk score:", risk.score());
        List<String> evidence = risk.evidence();
        for (int i = 0; i < evidence.size(); i++) {
            out.printf(LABEL, i == 0 ? "risk factors:" : "", evidence.get(i));
        }
        out.printf(LABEL, "policy version:", decision.policyVersion());
        if (!evaluation.toJudge().isEmpty()) {
            out.printf(LABEL, "judge:", evaluation.toJudge().stream().map(rule -> rule.id() + " (" + rule.action().wireName() + ")")
                    .collect(Collectors.joining(", ")) + " would be put to the judge model " + config.judge().model()
                    + " and could change this decision; check asks no model");
        }
    }

    private ObjectNode json(CallContext context, Evaluation evaluation, RiskAssessment risk, Config config) {
        Decision decision = evaluation.decision();
        ObjectNode body = Json.object();
        body.put("decision", ToolCallGate.auditDecision(decision));
        body.put("action", decision.outcome().wireName());
        body.put("tool", tool);
        body.put("agent", context.agent());
        body.put("workspace", context.workspace());
        body.put("deciding_rule", decision.decidingRule());
        body.set("matched_rules", Json.MAPPER.valueToTree(decision.matchedRules()));
        ArrayNode reasons = body.putArray("reasons");
        decision.reasons().forEach(finding -> reasons.addObject().put("rule", finding.ruleId()).put("message", finding.message()));
        if (decision instanceof Decision.NeedsApproval held) {
            body.put("approver_email", held.approverEmail());
        }
        body.put("risk_score", risk.score());
        ArrayNode factors = body.putArray("risk_factors");
        risk.factors().forEach(factor -> factors.addObject().put("factor", factor.name()).put("contribution", factor.contribution())
                .put("evidence", factor.evidence()));
        body.put("policy_version", decision.policyVersion());
        ArrayNode judged = body.putArray("needs_judge");
        for (Rule rule : evaluation.toJudge()) {
            judged.addObject().put("rule", rule.id()).put("action", rule.action().wireName()).put("text", rule.text());
        }
        if (!evaluation.toJudge().isEmpty()) {
            body.put("judge_model", config.judge().model());
        }
        return body;
    }
}
