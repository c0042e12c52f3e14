package dev.toolgate.proxy.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client's provider credential ({@code Authorization: Bearer sk-...}, Anthropic's
 * {@code x-api-key}) and a rejected gateway key never reach the gateway's log, on the paths where
 * the gateway does log: upstream errors, timeouts, resets, unreadable answers, streams cut short.
 * slf4j-simple writes to {@code System.err}, which the test captures for the request's whole life,
 * shutdown included.
 */
class CredentialsNeverLoggedTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** Distinctive, so that a fragment of it in any log line is found. */
    private static final String CREDENTIAL = "CredentialThatMustNeverBeLogged0123456789";
    private static final String OPENAI_KEY = "sk-proj-" + CREDENTIAL;
    private static final String ANTHROPIC_KEY = "sk-ant-api03-" + CREDENTIAL;
    private static final String STREAM_REQUEST =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGES_REQUEST =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String FIRST_EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n";

    /**
     * One way a proxied request goes wrong.
     *
     * @param logged a fragment the gateway logs on this path (null: it logs nothing), proving the capture saw it
     */
    record Failure(String name, String path, String body, Consumer<WireMockExtension> upstreamDoes, int status, String logged) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Failure> failures() {
        return List.of(
                new Failure("upstream 500", "/v1/chat/completions", ChatBodies.REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"boom\"}}"))),
                        500, null),
                new Failure("upstream timeout", "/v1/chat/completions", ChatBodies.REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                                .withFixedDelay(3_500).withBody(ChatBodies.TEXT_ANSWER))),
                        504, "upstream sent nothing"),
                new Failure("upstream reset", "/v1/chat/completions", ChatBodies.REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                                .withFault(Fault.CONNECTION_RESET_BY_PEER))),
                        502, "failed"),
                new Failure("answer not JSON", "/v1/chat/completions", ChatBodies.REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                                .withHeader("Content-Type", "application/json").withBody("<html>oops</html>"))),
                        502, null),
                new Failure("stream answered 500", "/v1/chat/completions", STREAM_REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"boom\"}}"))),
                        500, null),
                new Failure("stream answered JSON", "/v1/chat/completions", STREAM_REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                                .withHeader("Content-Type", "application/json").withBody(ChatBodies.TEXT_ANSWER))),
                        502, "instead of an event stream"),
                new Failure("Anthropic upstream 500", "/v1/messages", MESSAGES_REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(500)
                                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"error\"}"))),
                        500, null),
                new Failure("Anthropic upstream timeout", "/v1/messages", MESSAGES_REQUEST,
                        wm -> wm.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                                .withFixedDelay(3_500).withBody("{}"))),
                        504, "upstream sent nothing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void theClientsProviderKeyIsNotLogged(Failure failure) throws Exception {
        failure.upstreamDoes().accept(upstream);
        String log = capturingStandardError(() -> {
            try (TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1")
                    .extra("anthropic: { base_url: \"" + upstream.baseUrl() + "\" }\n").start()) {
                Request.Builder request = new Request.Builder().url(gateway.baseUrl() + failure.path())
                        .post(RequestBody.create(failure.body(), TestGateway.JSON))
                        .header("x-toolgate-key", TestGateway.AGENT_KEY)
                        .header("Authorization", "Bearer " + OPENAI_KEY);
                if (failure.path().equals("/v1/messages")) {
                    request.header("x-api-key", ANTHROPIC_KEY);
                }
                try (Response response = gateway.http().newCall(request.build()).execute()) {
                    assertThat(response.code()).isEqualTo(failure.status());
                    response.body().bytes();
                } catch (IOException cutShort) {
                    // A stream the gateway ends with an error may be cut off; the log is what is checked.
                }
            }
        });

        if (failure.logged() != null) {
            assertThat(log).as("the failure was logged, so the capture works").contains(failure.logged());
        }
        assertThat(log).doesNotContain(CREDENTIAL);
    }

    /** A started stream that stalls past the upstream timeout, or whose connection is cut: the gateway ends it and logs why. */
    @ParameterizedTest(name = "cut short: {0}")
    @ValueSource(booleans = {true, false})
    void aStreamEndedByTheGatewayDoesNotLogTheKey(boolean stalls) throws Exception {
        String log;
        try (StreamingUpstream stream = new StreamingUpstream(out -> {
            out.write(FIRST_EVENT);
            if (stalls) {
                Thread.sleep(3_000);
            }
        }, false)) {
            log = capturingStandardError(() -> {
                try (TestGateway gateway = TestGateway.start(stream.baseUrl())) {
                    Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/chat/completions")
                            .post(RequestBody.create(STREAM_REQUEST, TestGateway.JSON))
                            .header("x-toolgate-key", TestGateway.AGENT_KEY)
                            .header("Authorization", "Bearer " + OPENAI_KEY).build();
                    try (Response response = gateway.http().newCall(request).execute()) {
                        assertThat(response.code()).isEqualTo(200);
                        assertThat(response.body().string()).contains("UPSTREAM_");
                    } catch (IOException cutShort) {
                        // The error event may not make it before the connection ends; the log is what is checked.
                    }
                }
            });
        }

        assertThat(log).as("the gateway logged the cut").contains("ending stream for /v1/chat/completions with UPSTREAM_")
                .doesNotContain(CREDENTIAL);
    }

    /** The OpenAI failures the gateway logs. */
    static List<Failure> loggedOpenAiFailures() {
        return failures().stream().filter(f -> f.path().equals("/v1/chat/completions") && f.logged() != null).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loggedOpenAiFailures")
    void aConfiguredProviderKeyIsNotLoggedEither(Failure failure) throws Exception {
        failure.upstreamDoes().accept(upstream);
        String log = capturingStandardError(() -> {
            try (TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1").upstreamApiKey(OPENAI_KEY).start();
                 Response response = gateway.post(failure.path(), TestGateway.AGENT_KEY, failure.body())) {
                response.body().bytes();
            } catch (IOException cutShort) {
                // as above
            }
        });

        assertThat(log).contains(failure.logged()).doesNotContain(CREDENTIAL);
    }

    @Test
    void aRejectedGatewayKeyIsNotLogged() throws Exception {
        String log = capturingStandardError(() -> {
            try (TestGateway gateway = TestGateway.start(upstream.baseUrl() + "/v1")) {
                for (String path : List.of("/v1/chat/completions", "/api/logs")) {
                    Request request = new Request.Builder().url(gateway.baseUrl() + path + "?api_key=" + OPENAI_KEY)
                            .post(RequestBody.create(ChatBodies.REQUEST, TestGateway.JSON))
                            .header("x-api-key", OPENAI_KEY).header("x-toolgate-key", ANTHROPIC_KEY).build();
                    try (Response response = gateway.http().newCall(request).execute()) {
                        assertThat(response.code()).isIn(401, 405);
                    }
                }
            }
        });

        assertThat(log).contains("Toolgate listening").doesNotContain(CREDENTIAL);
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Everything written to {@code System.err} while {@code action} runs (and still echoed to it). */
    private static String capturingStandardError(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                captured.write(bytes, offset, length);
                original.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8);
        System.setErr(tee);
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }
}
