package dev.toolgate.bench;

import com.sun.net.httpserver.HttpServer;
import dev.toolgate.config.JudgeConfig;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.judge.ModelJudge;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * A call decided by a judged rule. {@code cachedVerdict}: the whole decision (exact rules, then
 * the judge's verdict from its cache) for a call judged before. {@code uncachedVerdict}: a call
 * never seen (its arguments change every time) against a fake judge on loopback that answers
 * after {@code judgeDelayMillis}. {@code fakeJudgeAlone} is the same fake judge asked directly by a
 * plain OkHttp client: what Toolgate adds to an uncached judged call is the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JudgeBenchmark {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4o-mini");
    private static final String VERDICT = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"verdicts\\\":[{\\\"rule_id\\\":\\\"big-wires\\\","
            + "\\\"applies\\\":true,\\\"reason\\\":\\\"over the limit\\\"}]}\"},\"finish_reason\":\"stop\"}]}";

    /** How long the fake judge takes to answer. */
    @Param({"20"})
    public int judgeDelayMillis;

    private HttpServer fakeJudge;
    private ModelJudge judge;
    private RuleSet rules;
    private final ToolCall repeated = new ToolCall("call_1", "wire_transfer", "{\"amount\":5000,\"currency\":\"GBP\"}");
    private final AtomicLong amounts = new AtomicLong(10_000);
    private final OkHttpClient plainClient = new OkHttpClient();
    private Request plainRequest;

    @Setup(Level.Trial)
    public void start() throws IOException, RuleCompileException {
        // Without it the JDK's server leaves Nagle's algorithm on, and each answer waits for a delayed ACK (40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        fakeJudge = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        fakeJudge.setExecutor(Executors.newFixedThreadPool(8));
        byte[] answer = VERDICT.getBytes(StandardCharsets.UTF_8);
        fakeJudge.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(judgeDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        fakeJudge.start();
        URI base = URI.create("http://127.0.0.1:" + fakeJudge.getAddress().getPort() + "/v1");
        plainRequest = new Request.Builder().url(base + "/chat/completions")
                .post(RequestBody.create("{\"model\":\"bench-judge\",\"messages\":[]}", MediaType.get("application/json"))).build();
        judge = new ModelJudge(new JudgeConfig(base, "", "bench-judge", Duration.ofSeconds(5), 16, Duration.ofMinutes(10)), new Redactor());
        rules = RuleSet.compile(List.of(
                new Rule("no-deletes", "", List.of("delete_*"), null, Action.BLOCK, null),
                new Rule("big-wires", "", List.of("wire_transfer"), null, Action.APPROVE, null, "Any wire transfer over £1,000 needs approval")),
                new PolicyDefaults(Action.ALLOW, Action.BLOCK));
        if (!(cachedVerdict() instanceof Decision.NeedsApproval)) {
            throw new IllegalStateException("the fake judge's verdict did not hold the call");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        judge.close();
        plainClient.dispatcher().executorService().shutdown();
        plainClient.connectionPool().evictAll();
        fakeJudge.stop(0);
    }

    @Benchmark
    public Decision cachedVerdict() {
        return judge.decide(repeated, rules.evaluation(repeated, CONTEXT, Set.of())).join();
    }

    @Benchmark
    public int fakeJudgeAlone() throws IOException {
        try (Response response = plainClient.newCall(plainRequest).execute()) {
            return response.body().bytes().length;
        }
    }

    @Benchmark
    public Decision uncachedVerdict() {
        ToolCall fresh = new ToolCall("call_2", "wire_transfer", "{\"amount\":" + amounts.incrementAndGet() + "}");
        return judge.decide(fresh, rules.evaluation(fresh, CONTEXT, Set.of())).join();
    }
}
