package dev.toolgate.proxy.cli;

import dev.toolgate.config.Config;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.storage.Storage;
import java.util.Set;

/**
 * The gateway's decision on a call as {@link ToolCallGate} makes it, short of
 * the parts that need the running gateway: no judge model is asked (judged rules that could change
 * the outcome are left in {@link Evaluation#toJudge()} for the caller to report), nothing is held or audited.
 */
final class OfflineDecider {
    private final PolicyEngine engine;
    private final long maxArgumentBytes;

    private OfflineDecider(PolicyEngine engine, long maxArgumentBytes) {
        this.engine = engine;
        this.maxArgumentBytes = maxArgumentBytes;
    }

    /** The rules and kill switch of the file alone. */
    static OfflineDecider of(Config config) {
        return new OfflineDecider(engineFor(config), config.limits().maxToolArgumentBytes());
    }

    /**
     * The file's rules and kill switch together with those managed through the API and stored in
     * {@code storage}, as a gateway started with this file on this database would decide. Reads the database.
     */
    static OfflineDecider withStoredState(Config config, Storage storage) {
        PolicyEngine engine = engineFor(config);
        new RuleBook(config.rules(), config.policy().defaults(), storage.rules(), engine).load(storage.rules().all());
        new KillSwitch(storage.blockedTools(), engine, config.policy().blockedTools()).load(storage.blockedTools().all());
        return new OfflineDecider(engine, config.limits().maxToolArgumentBytes());
    }

    private static PolicyEngine engineFor(Config config) {
        return new PolicyEngine(config.ruleSet(), Set.copyOf(config.policy().blockedTools()));
    }

    /** Arguments over {@code limits.max_tool_argument_size} are blocked unread, as the gateway does. */
    Evaluation evaluate(ToolCall call, CallContext context) {
        if (HeldArguments.longerThan(call.arguments(), maxArgumentBytes)) {
            return Evaluation.of(ToolCallGate.tooLarge(maxArgumentBytes,
                    engine.ruleSetFor(context.workspace()).version()));
        }
        return engine.evaluation(call, context);
    }

    /** The policy version calls of {@code workspace} are decided under. */
    String policyVersion(String workspace) {
        return engine.ruleSetFor(workspace).version();
    }
}
