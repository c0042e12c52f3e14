package dev.toolgate.proxy.judge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.toolgate.config.JudgeConfig;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.policy.Verdict;
import dev.toolgate.proxy.arguments.CanonicalArguments;
import dev.toolgate.proxy.arguments.Redactor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Decides judged rules with a model: one judge request covers every judged rule that applies to one
 * call, and verdicts are cached by rule-set version, tool, the rules asked and the canonical
 * arguments' digest, so a retried or repeated call costs no second model call (identical calls in
 * flight share one request; failures are not cached). Arguments reach the model redacted.
 * {@link #decide} never fails: a judge that cannot answer yields {@code policy.on_error} with the
 * cause among the decision's reasons.
 */
public final class ModelJudge implements AutoCloseable {
    private static final int MAX_CACHED_VERDICTS = 100_000;

    private final JudgeClient client;
    private final Redactor redactor;
    private final AsyncCache<String, List<Verdict>> verdicts;

    public ModelJudge(JudgeConfig config, Redactor redactor) {
        this.client = new JudgeClient(config);
        this.redactor = redactor;
        this.verdicts = Caffeine.newBuilder()
                .expireAfterWrite(config.cacheTtl())
                .maximumSize(MAX_CACHED_VERDICTS)
                .buildAsync();
    }

    public String model() {
        return client.model();
    }

    /** The final decision on {@code call}: the evaluation's own when nothing is left to judge. */
    public CompletableFuture<Decision> decide(ToolCall call, Evaluation evaluation) {
        if (evaluation.toJudge().isEmpty()) {
            return CompletableFuture.completedFuture(evaluation.decision());
        }
        return verdicts(call, evaluation.toJudge(), evaluation.policyVersion())
                .handle((answer, failure) -> failure == null ? evaluation.judged(model(), answer)
                        : evaluation.judgeFailed(model(), client.cause(failure)));
    }

    /** The verdicts on {@code rules} for {@code call}, from the cache or one judge request; fails with the cause as message. */
    public CompletableFuture<List<Verdict>> verdicts(ToolCall call, List<Rule> rules, String policyVersion) {
        String key = policyVersion + '\u0000' + call.name() + '\u0000'
                + rules.stream().map(Rule::id).collect(Collectors.joining("\u0001")) + '\u0000'
                + CanonicalArguments.digest(CanonicalArguments.of(call.arguments()));
        // Built and sent from Caffeine's executor: the caller may be an event loop, and the first request builds OkHttp's client.
        return verdicts.get(key, (k, executor) -> CompletableFuture.supplyAsync(() -> ask(call, rules), executor)
                .thenCompose(answer -> answer));
    }

    /** Why {@link #verdicts} failed, in words fit for a decision's reasons. */
    public String failureCause(Throwable failure) {
        return client.cause(failure);
    }

    private CompletableFuture<List<Verdict>> ask(ToolCall call, List<Rule> rules) {
        return client.complete(JudgePrompt.request(client.model(), call.name(), redactor.redactJson(call.arguments()), rules))
                .thenApply(answer -> {
                    try {
                        return JudgeAnswer.verdicts(answer, rules).stream()
                                .map(v -> new Verdict(v.ruleId(), v.applies(), redactor.redactText(v.reason())))
                                .toList();
                    } catch (JudgeFailure e) {
                        throw new CompletionException(e);
                    }
                });
    }

    JudgeClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
