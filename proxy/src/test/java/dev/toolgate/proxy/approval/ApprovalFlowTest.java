package dev.toolgate.proxy.approval;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole approval story with real parts: the OpenAI SDK proposes a held call through the
 * gateway, the approver gets an email over SMTP (GreenMail), follows its link (confirm page, then
 * POST), and the agent's retry receives the exact original call without the model being asked.
 */
class ApprovalFlowTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK = Pattern.compile("http://toolgate\\.test/api/(approve|deny)/[A-Za-z0-9_-]{43}");
    private static final String WIRE_ARGUMENTS = "{\"amount\":5000,\"to\":\"GB29NWBK60161331926819\",\"memo\":\"Q4 invoice\"}";

    private final MutableClock clock = MutableClock.startingNow();
    private final List<TestGateway> started = new ArrayList<>();
    private TestGateway gateway;
    private OpenAIClient sdk;

    @AfterEach
    void stop() {
        if (sdk != null) {
            sdk.close();
        }
        started.forEach(TestGateway::close);
    }

    private TestGateway start(String storageUrl) {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1")
                .storage(storageUrl)
                .clock(clock)
                .extra("""
                        approvals: { expire_after: 1h, link_mode: confirm }
                        notifications:
                          email: { smtp_host: 127.0.0.1, smtp_port: %d, from: toolgate@example.com, to: ops@example.com, starttls: false }
                        """.formatted(smtp.getSmtp().getPort()))
                .start();
        started.add(gateway);
        if (sdk != null) {
            sdk.close();
        }
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.baseUrl() + "/v1")
                .apiKey("sk-client-key")
                .putHeader("x-api-key", TestGateway.AGENT_KEY)
                .maxRetries(0)
                .build();
        return gateway;
    }

    private void restart(String storageUrl) {
        gateway.close();
        started.remove(gateway);
        start(storageUrl);
    }

    private static void modelProposesTheTransfer() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_wire1", "wire_transfer", WIRE_ARGUMENTS)))));
    }

    /** The same conversation every time: the retry an agent framework sends. */
    private ChatCompletion askToPay() {
        return sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("Pay the Q4 invoice to our supplier")
                .build());
    }

    private static JsonNode metadata(ChatCompletion completion) {
        return completion._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }

    private static int upstreamCalls() {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size();
    }

    private MimeMessage awaitEmail(int count) {
        assertThat(smtp.waitForIncomingEmail(10_000, count)).as("%d email(s) received", count).isTrue();
        MimeMessage[] messages = smtp.getReceivedMessages();
        return messages[count - 1];
    }

    private static String textPart(MimeMessage message) throws Exception {
        Multipart parts = (Multipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.isMimeType("text/plain")) {
                return (String) part.getContent();
            }
        }
        throw new AssertionError("no text/plain part");
    }

    private static String link(String text, String action) {
        Matcher matcher = LINK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(action)) {
                return matcher.group();
            }
        }
        throw new AssertionError("no " + action + " link in:\n" + text);
    }

    private Response get(String link) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.local(link)).get().build()).execute();
    }

    private Response press(String link) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.local(link)).post(new FormBody.Builder().build()).build())
                .execute();
    }

    private ApprovalStatus status(String approvalId) {
        return gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status();
    }

    private List<AuditEvent> audit() {
        List<AuditEvent> events = new ArrayList<>(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events());
        java.util.Collections.reverse(events);
        return events;
    }

    @Test
    void approvedByEmailLinkThenTheRetryGetsTheExactOriginalCall() throws Exception {
        start(TestGateway.memoryStorage());
        modelProposesTheTransfer();

        ChatCompletion held = askToPay();
        assertThat(held.choices().get(0).message().content()).hasValue("Tool requires human approval. Retry once approved.");
        String approvalId = metadata(held).path("approval_id").asText();

        MimeMessage email = awaitEmail(1);
        assertThat(email.getAllRecipients()[0].toString()).isEqualTo("finance@example.com");
        String text = textPart(email);
        assertThat(text).contains("wire_transfer", "support-bot", "big-transfers", approvalId);

        // A mail scanner prefetching the link sees the confirm page and decides nothing.
        try (Response page = get(link(text, "approve"))) {
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.body().string()).contains("wire_transfer", "<form method=\"post\">");
        }
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.PENDING);

        try (Response pressed = press(link(text, "approve"))) {
            assertThat(pressed.code()).isEqualTo(200);
            assertThat(pressed.body().string()).contains("Approved");
        }
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.APPROVED);

        ChatCompletion retried = askToPay();

        ChatCompletionMessageFunctionToolCall call = retried.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_wire1");
        assertThat(call.function().name()).isEqualTo("wire_transfer");
        assertThat(call.function().arguments()).isEqualTo(WIRE_ARGUMENTS);
        assertThat(metadata(retried).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(retried).path("approved_by").asText()).isEqualTo("email link (finance@example.com)");
        assertThat(upstreamCalls()).as("the model was not asked again").isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);

        // Single use: the next identical request goes to the model again, and its call is held anew.
        ChatCompletion again = askToPay();
        assertThat(upstreamCalls()).isEqualTo(2);
        assertThat(metadata(again).path("status").asText()).isEqualTo("pending_approval");
        assertThat(metadata(again).path("approval_id").asText()).isNotEqualTo(approvalId);

        assertThat(audit()).extracting(AuditEvent::source, AuditEvent::decision).startsWith(
                tuple("proxy", "pending"),
                tuple("approval", "approved"),
                tuple("proxy", "allowed"));
        assertThat(audit().get(1).decidedBy()).isEqualTo("email link (finance@example.com)");
        assertThat(audit().get(2).decidedBy()).isEqualTo("email link (finance@example.com)");
        assertThat(audit().get(2).approvalId()).isEqualTo(approvalId);
    }

    @Test
    void deniedCallStaysBlockedOnRetry() throws Exception {
        start(TestGateway.memoryStorage());
        modelProposesTheTransfer();
        String approvalId = metadata(askToPay()).path("approval_id").asText();
        String text = textPart(awaitEmail(1));

        try (Response pressed = press(link(text, "deny"))) {
            assertThat(pressed.code()).isEqualTo(200);
        }
        ChatCompletion retried = askToPay();

        assertThat(retried.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(retried.choices().get(0).message().content()).hasValue("Tool 'wire_transfer' is blocked by governance policy.");
        assertThat(metadata(retried).path("status").asText()).isEqualTo("blocked");
        assertThat(metadata(retried).path("reason").asText()).isEqualTo("denied by approver");
        assertThat(metadata(retried).path("approval_id").asText()).isEqualTo(approvalId);
        // The approve link of a denied request is dead.
        try (Response dead = get(link(text, "approve"))) {
            assertThat(dead.code()).isEqualTo(410);
        }
    }

    @Test
    void sameCallWhilePendingGetsTheSameApprovalAndNoSecondEmail() throws Exception {
        start(TestGateway.memoryStorage());
        modelProposesTheTransfer();
        String first = metadata(askToPay()).path("approval_id").asText();
        awaitEmail(1);

        String second = metadata(askToPay()).path("approval_id").asText();

        assertThat(second).isEqualTo(first);
        assertThat(upstreamCalls()).as("a pending retry is answered without the model").isEqualTo(1);
        assertThat(smtp.waitForIncomingEmail(500, 2)).as("no second email").isFalse();
    }

    @Test
    void aRetryWhilePendingGetsTheFirstAnswerAgainWithItsAllowedCalls() throws Exception {
        start(TestGateway.memoryStorage());
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_read1", "read_file", "{\"path\":\"/srv/invoice.pdf\"}"),
                        call("call_wire1", "wire_transfer", WIRE_ARGUMENTS)))));

        ChatCompletion first = askToPay();
        String approvalId = metadata(first).at("/calls/1/approval_id").asText();
        assertThat(approvalId).isNotEmpty();
        assertThat(metadata(first).path("status").asText()).isEqualTo("partial");
        awaitEmail(1);

        // The SDK's automatic retry after a lost response: the same conversation again.
        ChatCompletion again = askToPay();
        assertThat(again.choices().get(0).message().toolCalls().orElseThrow())
                .extracting(call -> call.asFunction().id()).as("the allowed call is not dropped").containsExactly("call_read1");
        assertThat(again.choices().get(0).message().content()).hasValue("Tool requires human approval. Retry once approved.");
        assertThat(metadata(again).path("status").asText()).isEqualTo("partial");
        assertThat(metadata(again).at("/calls/1/approval_id").asText()).isEqualTo(approvalId);
        assertThat(upstreamCalls()).as("answered without the model").isEqualTo(1);
        assertThat(smtp.waitForIncomingEmail(500, 2)).as("no second email").isFalse();

        try (Response decided = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }
        ChatCompletion approved = askToPay();
        assertThat(approved.choices().get(0).message().toolCalls().orElseThrow())
                .extracting(call -> call.asFunction().id(), call -> call.asFunction().function().arguments())
                .containsExactly(tuple("call_read1", "{\"path\":\"/srv/invoice.pdf\"}"),
                        tuple("call_wire1", WIRE_ARGUMENTS));
        assertThat(metadata(approved).path("status").asText()).isEqualTo("allowed");
        assertThat(upstreamCalls()).isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);
        assertThat(audit()).extracting(AuditEvent::tool, AuditEvent::decision).containsExactly(
                tuple("read_file", "allowed"), tuple("wire_transfer", "pending"),
                tuple("read_file", "allowed"), tuple("wire_transfer", "pending"),
                tuple("wire_transfer", "approved"),
                tuple("read_file", "allowed"), tuple("wire_transfer", "allowed"));
    }

    @Test
    void unansweredApprovalExpiresCountsAsDeniedAndTheApproverIsTold() throws Exception {
        start(TestGateway.memoryStorage());
        modelProposesTheTransfer();
        String approvalId = metadata(askToPay()).path("approval_id").asText();
        String text = textPart(awaitEmail(1));

        clock.advance(Duration.ofMinutes(61));
        assertThat(gateway.gateway().approvals().expireDue()).isEqualTo(1);

        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.EXPIRED);
        MimeMessage notice = awaitEmail(2);
        assertThat(notice.getSubject()).startsWith("Approval expired");
        assertThat(notice.getAllRecipients()[0].toString()).isEqualTo("finance@example.com");
        ChatCompletion retried = askToPay();
        assertThat(metadata(retried).path("status").asText()).isEqualTo("blocked");
        assertThat(metadata(retried).path("reason").asText()).contains("expired");
        try (Response dead = press(link(text, "approve"))) {
            assertThat(dead.code()).isEqualTo(410);
        }
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.EXPIRED);
        assertThat(audit()).extracting(AuditEvent::decision).contains("expired");
    }

    @Test
    void restartsBetweenPendingApproveAndRetryLoseNothing(@TempDir Path dir) throws Exception {
        String storage = "jdbc:h2:file:" + dir.resolve("toolgate");
        start(storage);
        modelProposesTheTransfer();
        String approvalId = metadata(askToPay()).path("approval_id").asText();
        String text = textPart(awaitEmail(1));

        restart(storage);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.PENDING);
        try (Response pressed = press(link(text, "approve"))) {
            assertThat(pressed.code()).isEqualTo(200);
        }

        restart(storage);
        ChatCompletion retried = askToPay();

        ChatCompletionMessageFunctionToolCall call = retried.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_wire1");
        assertThat(call.function().arguments()).isEqualTo(WIRE_ARGUMENTS);
        assertThat(upstreamCalls()).isEqualTo(1);
    }

    @Test
    void twoSimultaneousDecisionsExactlyOneWins() throws Exception {
        start(TestGateway.memoryStorage());
        modelProposesTheTransfer();
        String approvalId = metadata(askToPay()).path("approval_id").asText();

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> decisions = new ArrayList<>();
        for (String action : List.of("approved", "denied", "approved", "denied")) {
            decisions.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    try (Response response = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                            "{\"action\":\"" + action + "\"}")) {
                        return response.code();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        go.countDown();

        List<Integer> codes = decisions.stream().map(CompletableFuture::join).toList();
        assertThat(codes).containsOnly(200, 409);
        assertThat(codes).filteredOn(code -> code == 200).hasSize(1);
        assertThat(audit()).filteredOn(event -> event.source().equals("approval")).hasSize(1);
    }

    @Test
    void interceptFollowsTheSameLifecycle() throws Exception {
        start(TestGateway.memoryStorage());
        String body = "{\"tool_name\":\"wire_transfer\",\"arguments\":" + WIRE_ARGUMENTS + "}";
        String approvalId;
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("allowed").asBoolean()).isFalse();
            approvalId = answer.path("approval_id").asText();
            // The agent may poll the approval URL it was given.
            try (Response polled = gateway.get(gateway.local(answer.path("approval_url").asText())
                    .substring(gateway.baseUrl().length()), TestGateway.AGENT_KEY)) {
                assertThat(polled.code()).isEqualTo(200);
                assertThat(JSON.readTree(polled.body().string()).path("status").asText()).isEqualTo("pending");
            }
        }
        try (Response decided = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\",\"note\":\"checked the invoice\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }

        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("allowed").asBoolean()).isTrue();
            assertThat(answer.path("approved_by").asText()).isEqualTo("api:ops");
            assertThat(answer.path("approval_id").asText()).isEqualTo(approvalId);
        }
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("allowed").asBoolean()).as("an approval releases one call").isFalse();
            assertThat(answer.path("approval_id").asText()).isNotEqualTo(approvalId);
        }
    }
}
