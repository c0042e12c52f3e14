package dev.toolgate.proxy.upstream;

import static dev.toolgate.proxy.testing.ScriptedUpstream.answer;
import static dev.toolgate.proxy.testing.ScriptedUpstream.halfBody;
import static dev.toolgate.proxy.testing.ScriptedUpstream.hangUp;
import static dev.toolgate.proxy.testing.ScriptedUpstream.late;
import static dev.toolgate.proxy.testing.ScriptedUpstream.partialHead;
import static dev.toolgate.proxy.testing.ScriptedUpstream.reset;
import static dev.toolgate.proxy.testing.ScriptedUpstream.silent;
import static dev.toolgate.proxy.testing.ScriptedUpstream.streamThen;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.ScriptedUpstream;
import dev.toolgate.proxy.testing.ScriptedUpstream.Act;
import dev.toolgate.proxy.testing.ScriptedUpstream.Script;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way an upstream connection can fail, through the real gateway, streamed and not: each
 * request gets its documented answer (a success on the retry, 502 UPSTREAM_RESET, 504
 * UPSTREAM_TIMEOUT, or a stream's error event) within {@code upstream.timeout} (2 s in
 * {@link TestGateway}) plus a small grace, and never hangs. Leaks fail the class (NettyLeakCheck).
 */
class UpstreamFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofMillis(1500);
    private static final String SSE = "text/event-stream";
    private static final String TEXT_EVENTS = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n";
    private static final String STREAM_ANSWER = TEXT_EVENTS + "data: [DONE]\n\n";

    private ScriptedUpstream upstream;
    private TestGateway gateway;
    /** Far longer than any answer may take: a hang shows as a failed time assertion, not a stuck build. */
    private OkHttpClient client;

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(Script script) throws IOException {
        upstream = new ScriptedUpstream(script);
        gateway = TestGateway.start(upstream.baseUrl());
        client = gateway.http().newBuilder().callTimeout(Duration.ofSeconds(15)).build();
    }

    private static Act ok(boolean streamed) {
        return streamed ? answer(SSE, STREAM_ANSWER) : answer("application/json", ChatBodies.TEXT_ANSWER);
    }

    /** One request as the client saw it: status, body (whatever arrived before the end or a cut) and time taken. */
    private record Seen(int status, String body, Duration took) {
    }

    private Seen chat(boolean streamed) throws IOException {
        String body = streamed
                ? "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                : ChatBodies.REQUEST;
        Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/chat/completions")
                .header("x-api-key", TestGateway.AGENT_KEY).post(RequestBody.create(body, TestGateway.JSON)).build();
        long started = System.nanoTime();
        try (Response response = client.newCall(request).execute()) {
            String received = readAll(response.body().byteStream());
            return new Seen(response.code(), received, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static String readAll(InputStream in) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // what arrived before the cut is what the client saw
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    private static void assertSuccess(Seen seen, boolean streamed) {
        assertThat(seen.status()).as(seen.body()).isEqualTo(200);
        assertThat(seen.body()).isEqualTo(streamed ? STREAM_ANSWER : ChatBodies.TEXT_ANSWER);
        assertThat(seen.took()).isLessThan(GRACE);
    }

    /** A JSON error answer with {@code code}, within the upstream timeout plus the grace. */
    private static void assertError(Seen seen, int status, String code) throws IOException {
        assertThat(seen.status()).as(seen.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(seen.body());
        assertThat(error.path("error").path("code").asText()).as(seen.body()).isEqualTo(code);
        assertThat(seen.took()).isLessThan(UPSTREAM_TIMEOUT.plus(GRACE));
    }

    /** A stream that started and then ended with an error event carrying {@code code}. */
    private static void assertStreamError(Seen seen, String code) {
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.body()).startsWith(TEXT_EVENTS).contains("\"code\":\"" + code + "\"").doesNotContain("[DONE]");
        assertThat(seen.took()).isLessThan(UPSTREAM_TIMEOUT.plus(GRACE));
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aCloseBeforeTheHeadOnAFreshConnectionIs502(boolean streamed) throws IOException {
        start((connection, request) -> hangUp());
        assertError(chat(streamed), 502, "UPSTREAM_RESET");
        assertThat(upstream.connections()).as("a fresh connection is not retried").isEqualTo(1);
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aReusedConnectionClosedBeforeTheHeadIsRetriedOnAFreshOne(boolean streamed) throws IOException {
        // Every connection serves one request, then closes the next one unanswered: a server whose keep-alive timer fired.
        start((connection, request) -> request == 0 ? ok(streamed) : hangUp());
        for (int attempt = 0; attempt < 7; attempt++) {
            assertSuccess(chat(streamed), streamed);
        }
        assertThat(upstream.requests()).as("requests 2..7 each met a closed connection first").isEqualTo(13);
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aReusedConnectionResetBeforeTheHeadIsRetriedOnAFreshOne(boolean streamed) throws IOException {
        start((connection, request) -> request == 0 ? ok(streamed) : reset());
        for (int attempt = 0; attempt < 3; attempt++) {
            assertSuccess(chat(streamed), streamed);
        }
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aRetryThatFailsTooIs502(boolean streamed) throws IOException {
        start((connection, request) -> connection == 0 && request == 0 ? ok(streamed) : hangUp());
        assertSuccess(chat(streamed), streamed);
        assertError(chat(streamed), 502, "UPSTREAM_RESET");
        assertThat(upstream.connections()).as("one retry, not more").isEqualTo(2);
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aResetOnAFreshConnectionIs502(boolean streamed) throws IOException {
        start((connection, request) -> reset());
        assertError(chat(streamed), 502, "UPSTREAM_RESET");
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aCloseInsideTheHeadIs502(boolean streamed) throws IOException {
        start((connection, request) -> partialHead());
        assertError(chat(streamed), 502, "UPSTREAM_RESET");
        assertThat(upstream.connections()).as("an answer had begun: not retried").isEqualTo(1);
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aCloseMidBodyIs502OrEndsTheStreamWithAnError(boolean streamed) throws IOException {
        if (streamed) {
            start((connection, request) -> streamThen(TEXT_EVENTS, true));
            assertStreamError(chat(true), "UPSTREAM_RESET");
        } else {
            start((connection, request) -> halfBody("application/json", ChatBodies.TEXT_ANSWER));
            assertError(chat(false), 502, "UPSTREAM_RESET");
        }
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void anUpstreamThatNeverAnswersIs504(boolean streamed) throws IOException {
        start((connection, request) -> silent());
        Seen seen = chat(streamed);
        assertError(seen, 504, "UPSTREAM_TIMEOUT");
        assertThat(seen.took()).isGreaterThanOrEqualTo(UPSTREAM_TIMEOUT.minusMillis(100));
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void anAnswerAfterTheTimeoutIs504(boolean streamed) throws IOException {
        start((connection, request) -> late(UPSTREAM_TIMEOUT.toMillis() + 1000, streamed ? SSE : "application/json",
                streamed ? STREAM_ANSWER : ChatBodies.TEXT_ANSWER));
        assertError(chat(streamed), 504, "UPSTREAM_TIMEOUT");
    }

    @Test
    void aStreamThatGoesSilentEndsWithATimeoutEvent() throws IOException {
        start((connection, request) -> streamThen(TEXT_EVENTS, false));
        assertStreamError(chat(true), "UPSTREAM_TIMEOUT");
    }
}
