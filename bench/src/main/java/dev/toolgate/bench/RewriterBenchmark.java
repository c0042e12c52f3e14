package dev.toolgate.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.openai.chat.ChatCompletion;
import dev.toolgate.proxy.openai.chat.ChatResponseRewriter;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway does to a buffered Chat Completions answer once its calls are decided: parse
 * the body, find the calls ({@link ChatCompletion}), rewrite it ({@link ChatResponseRewriter}
 * with a {@link DecisionSummary}) and serialise it. The decisions are made once, by the real
 * evaluator, in setup: evaluation has its own benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RewriterBenchmark {
    private static final URI PUBLIC_URL = URI.create("http://127.0.0.1:8080");

    /** Tool calls in the answer. */
    @Param({"1", "4"})
    public int calls;

    /**
     * {@code allowed}: every call is released (the answer only gains the metadata block);
     * {@code blocked}: the one call, or two of four, are removed and explained.
     */
    @Param({"allowed", "blocked"})
    public String outcome;

    private ByteBuf body;
    private List<GatedCall> gated;

    @Setup
    public void decideCalls() throws IOException, RuleCompileException {
        List<String[]> toolCalls = new ArrayList<>();
        boolean block = outcome.equals("blocked");
        toolCalls.add(block ? new String[] {"delete_file", "{\"path\":\"/srv/old.txt\"}"}
                : new String[] {"read_file", "{\"path\":\"/srv/report.txt\"}"});
        if (calls == 4) {
            toolCalls.add(new String[] {"search_docs", "{\"query\":\"quarterly revenue\",\"limit\":5}"});
            toolCalls.add(block ? new String[] {"write_file", "{\"path\":\"/etc/hosts\",\"content\":\"127.0.0.1 x\"}"}
                    : new String[] {"get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}"});
            toolCalls.add(new String[] {"list_directory", "{\"path\":\"/srv/reports\"}"});
        }
        body = Unpooled.wrappedBuffer(chatCompletion(toolCalls).getBytes(StandardCharsets.UTF_8));

        PolicyEngine engine = new PolicyEngine(RuleSet.compile(List.of(
                new Rule("srv-reads", "Reads under /srv are fine", List.of("read_file", "list_directory"),
                        "has(args.path) && args.path.startsWith('/srv/')", Action.ALLOW, null),
                new Rule("no-file-deletion", "Agents never delete files", List.of("delete_file"), null, Action.BLOCK, null),
                new Rule("system-config-writes", "No writes under /etc", List.of("write_file"),
                        "has(args.path) && args.path.startsWith('/etc/')", Action.BLOCK, null)),
                PolicyDefaults.STANDARD), Set.of());
        CallContext context = CallContext.of("default", "support-bot", "gpt-4o-mini");
        gated = new ArrayList<>();
        for (ChatCompletion.ProposedCall proposed : parse().calls()) {
            gated.add(GatedCall.decided(proposed.call(), engine.evaluate(proposed.call(), context)));
        }
        if (gated.size() != calls) {
            throw new IllegalStateException("expected " + calls + " calls, parsed " + gated.size());
        }
    }

    @TearDown
    public void release() {
        body.release();
    }

    @Benchmark
    public byte[] parseAndRewrite() throws IOException {
        ChatCompletion completion = parse();
        return ChatResponseRewriter.rewrite(completion, gated, new DecisionSummary(gated, PUBLIC_URL), "_toolgate");
    }

    private ChatCompletion parse() throws IOException {
        return ChatCompletion.of((ObjectNode) Json.read(body));
    }

    /** Shaped as the OpenAI API returns it. */
    private static String chatCompletion(List<String[]> toolCalls) {
        String entries = toolCalls.stream()
                .map(c -> "{\"id\":\"call_" + c[0] + "\",\"type\":\"function\",\"function\":{\"name\":\"" + c[0]
                        + "\",\"arguments\":" + Json.text(c[1]) + "}}")
                .collect(Collectors.joining(","));
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1763800000,\"model\":\"gpt-4o-mini-2024-07-18\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + entries
                + "],\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":41,\"total_tokens\":123},"
                + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\"}";
    }
}
