package dev.toolgate.proxy.telemetry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spans exported over OTLP/HTTP to an in-process receiver (WireMock standing in for a collector):
 * the request's span continues the client's trace, each decided tool call is a span with the
 * GenAI attributes and the decision, and no argument value reaches the collector.
 */
class TracingTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String SECRET_ARGUMENT = "sk-live-0123456789abcdefSECRET";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();
    @RegisterExtension
    static WireMockExtension collector = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @Test
    void eachRequestAndDecidedCallIsASpanWithGenAiAttributesAndNoArguments() throws Exception {
        collector.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(
                        ChatBodies.call("call_read_1", "read_file", "{\"path\":\"/srv/" + SECRET_ARGUMENT + "\"}"),
                        ChatBodies.call("call_delete_2", "delete_file", "{\"path\":\"/srv/" + SECRET_ARGUMENT + "\"}")))));
        TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1").extra("""
                telemetry:
                  otlp_endpoint: "%s/v1/traces"
                  service_name: toolgate-under-test
                """.formatted(collector.baseUrl())).start();
        try (Response response = gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + CHAT)
                .header("x-toolgate-key", TestGateway.AGENT_KEY)
                .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                .post(RequestBody.create(ChatBodies.REQUEST, TestGateway.JSON)).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        gateway.close();  // exports the spans still batched

        List<LoggedRequest> exports = collector.findAll(postRequestedFor(urlEqualTo("/v1/traces")));
        assertThat(exports).isNotEmpty();
        assertThat(exports.get(0).getHeader("Content-Type")).isEqualTo("application/x-protobuf");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (LoggedRequest export : exports) {
            all.write(export.getBody());
        }
        byte[] body = all.toByteArray();
        // OTLP protobuf keeps strings as UTF-8 and ids as raw bytes: both are found as they are.
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("toolgate-under-test", "POST /v1/chat/completions", "http.route",
                "execute_tool read_file", "execute_tool delete_file", "gen_ai.tool.name", "gen_ai.tool.call.id", "call_read_1",
                "call_delete_2", "gen_ai.request.model", "gpt-4o-mini", "toolgate.decision", "allowed", "blocked",
                "toolgate.rule", "no-deletes");
        assertThat(text).as("the client's trace is continued")
                .contains(new String(HexFormat.of().parseHex(TRACE_ID), StandardCharsets.ISO_8859_1));
        assertThat(text).as("no argument value is exported").doesNotContain(SECRET_ARGUMENT).doesNotContain("/srv/");
        assertThat(text).as("no key is exported").doesNotContain(TestGateway.AGENT_KEY);
    }
}
