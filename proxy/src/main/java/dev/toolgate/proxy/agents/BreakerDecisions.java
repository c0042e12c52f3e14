package dev.toolgate.proxy.agents;

import dev.toolgate.config.AgentsConfig.HaltAction;
import dev.toolgate.config.ThrottleRate;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionOverride;
import dev.toolgate.storage.AgentState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an agent's breaker state does to each of its tool calls, after the rules decided it:
 * {@code warn} flags it (an allowed call becomes warned), {@code throttle} blocks the calls past
 * the agent's rate, {@code halt} holds every call for approval (or blocks it, per
 * {@code agents.breaker.halt_action}), {@code killed} blocks it (the key is refused before it gets
 * here; this covers calls decided while the kill spread). A stricter decision of the rules stands.
 */
public final class BreakerDecisions implements DecisionOverride {
    /** The pseudo rule id of the breaker's findings. */
    public static final String RULE = "agent-breaker";

    private final AgentBreaker breaker;
    private final HaltAction haltAction;
    private final Clock clock;
    private final int instances;
    /** The calls released to each throttled agent lately; dropped when the agent is no longer throttled. */
    private final Map<AgentBreaker.AgentKey, ThrottleWindow> windows = new ConcurrentHashMap<>();

    /** {@code instances}: gateways sharing the load ({@code server.instances}); each enforces its share of a throttle. */
    public BreakerDecisions(AgentBreaker breaker, HaltAction haltAction, Clock clock, int instances) {
        this.breaker = breaker;
        this.haltAction = haltAction;
        this.clock = clock;
        this.instances = instances;
    }

    @Override
    public Decision override(CallContext context, ToolCall call, Decision decided) {
        Optional<AgentState> found = breaker.state(context.workspace(), context.agent());
        if (found.isEmpty()) {
            return decided;
        }
        AgentState state = found.get();
        AgentBreaker.AgentKey key = new AgentBreaker.AgentKey(state.workspace(), state.agent());
        if (state.state() != dev.toolgate.storage.BreakerState.THROTTLE && !windows.isEmpty()) {
            windows.remove(key);
        }
        return switch (state.state()) {
            case MONITORING -> decided;
            case WARN -> warned(state, decided);
            case THROTTLE -> throttled(state, key, decided);
            case HALT -> halted(state, decided);
            case KILLED -> decided instanceof Decision.Blocked ? decided
                    : blocked(decided, "agent '" + state.agent() + "' was killed" + because(state));
        };
    }

    /** Released as before, flagged: an allowed call becomes warned; any other decision gains the finding. */
    private static Decision warned(AgentState state, Decision decided) {
        Finding flag = new Finding(RULE, "agent '" + state.agent() + "' is on warn" + because(state));
        if (decided instanceof Decision.Allowed allowed) {
            // The breaker is why it warns: its finding first, as the deciding one.
            return new Decision.Warned(allowed.matchedRules(), first(flag, allowed.reasons()), allowed.riskScore(),
                    allowed.policyVersion(), allowed.judgement());
        }
        List<Finding> reasons = with(decided.reasons(), flag);
        if (decided instanceof Decision.Warned warned) {
            return new Decision.Warned(warned.matchedRules(), reasons, warned.riskScore(), warned.policyVersion(), warned.judgement());
        }
        if (decided instanceof Decision.Blocked blocked) {
            return new Decision.Blocked(blocked.matchedRules(), reasons, blocked.riskScore(), blocked.policyVersion(), blocked.judgement());
        }
        Decision.NeedsApproval held = (Decision.NeedsApproval) decided;
        return new Decision.NeedsApproval(held.matchedRules(), reasons, held.riskScore(), held.policyVersion(), held.approverEmail(),
                held.judgement());
    }

    /** Only calls the rules release count against the rate; past it they are blocked. */
    private Decision throttled(AgentState state, AgentBreaker.AgentKey key, Decision decided) {
        if (!decided.releases()) {
            return decided;
        }
        ThrottleRate rate = new ThrottleRate(state.throttleCalls(), state.throttlePer());
        ThrottleRate share = instances <= 1 ? rate : new ThrottleRate(Math.max(1, (rate.calls() + instances - 1) / instances), rate.per());
        ThrottleWindow window = windows.compute(key, (k, existing) -> existing == null || !existing.rate().equals(share)
                ? new ThrottleWindow(share) : existing);
        if (window.tryTake(clock.instant())) {
            return decided;
        }
        return blocked(decided, "agent '" + state.agent() + "' is throttled to " + rate + " tool calls and is over it" + because(state));
    }

    private Decision halted(AgentState state, Decision decided) {
        if (decided instanceof Decision.Blocked) {
            return decided;
        }
        String why = "agent '" + state.agent() + "' is halted" + because(state);
        if (haltAction == HaltAction.BLOCK) {
            return blocked(decided, why);
        }
        if (decided instanceof Decision.NeedsApproval held) {
            return new Decision.NeedsApproval(held.matchedRules(), with(held.reasons(), new Finding(RULE, why)), held.riskScore(),
                    held.policyVersion(), held.approverEmail(), held.judgement());
        }
        // The breaker's finding first: it is the deciding rule of the approval.
        return new Decision.NeedsApproval(decided.matchedRules(), first(new Finding(RULE, why), decided.reasons()),
                Math.max(decided.riskScore(), 0.7), decided.policyVersion(), null, decided.judgement());
    }

    private static Decision blocked(Decision decided, String why) {
        return new Decision.Blocked(decided.matchedRules(), first(new Finding(RULE, why), decided.reasons()), 1.0,
                decided.policyVersion(), decided.judgement());
    }

    private static String because(AgentState state) {
        return state.reason() == null || state.reason().isBlank() ? "" : ": " + state.reason();
    }

    private static List<Finding> with(List<Finding> reasons, Finding finding) {
        List<Finding> all = new ArrayList<>(reasons);
        all.add(finding);
        return all;
    }

    private static List<Finding> first(Finding finding, List<Finding> reasons) {
        List<Finding> all = new ArrayList<>(reasons.size() + 1);
        all.add(finding);
        all.addAll(reasons);
        return all;
    }
}
