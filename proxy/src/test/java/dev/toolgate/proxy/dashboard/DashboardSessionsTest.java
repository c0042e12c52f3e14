package dev.toolgate.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditQuery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's sessions over real HTTP: who may sign in, what the cookie looks like, the CSRF
 * token on every request that changes something, sign-out and expiry, and that a key is never
 * taken from a URL. The page's own security headers and files are checked here too.
 */
class DashboardSessionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;

    /** A signed-in browser: its cookie header value and its CSRF token. */
    private record SignedIn(String cookie, String csrf, String setCookie) {
    }

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response signInWith(String key) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + "/dashboard/sign-in")
                .post(new FormBody.Builder().add("key", key).build()).build()).execute();
    }

    private SignedIn signIn() throws IOException {
        try (Response response = signInWith(TestGateway.ADMIN_KEY)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(200);
            String setCookie = response.header("Set-Cookie");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            return new SignedIn(cookie, JSON.readTree(body).path("csrf_token").asText(), setCookie);
        }
    }

    private Response call(String method, String path, SignedIn session, String csrf, String json) throws IOException {
        Request.Builder request = new Request.Builder().url(gateway.baseUrl() + path)
                .method(method, json != null ? RequestBody.create(json, TestGateway.JSON)
                        : method.equals("POST") ? RequestBody.create(new byte[0]) : null);
        if (session != null) {
            request.header("Cookie", session.cookie());
        }
        if (csrf != null) {
            request.header(DashboardSessions.CSRF_HEADER, csrf);
        }
        return gateway.http().newCall(request.build()).execute();
    }

    private static JsonNode error(Response response) throws IOException {
        return JSON.readTree(response.body().string()).path("error");
    }

    @Test
    void anAdminKeySignsInWithAStrictHttpOnlyCookieAndGetsACsrfToken() throws IOException {
        try (Response response = signInWith(TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            String setCookie = response.header("Set-Cookie");
            assertThat(setCookie).startsWith(SessionCookie.NAME + "=").containsIgnoringCase("; HttpOnly")
                    .contains("SameSite=Strict", "Path=/").doesNotContain("Secure", "Max-Age", "Expires");
            String id = setCookie.substring(SessionCookie.NAME.length() + 1, setCookie.indexOf(';'));
            assertThat(id).as("256 random bits, base64url").hasSize(43).doesNotContain(TestGateway.ADMIN_KEY);
            assertThat(response.header("Cache-Control")).isEqualTo("no-store");
            String body = response.body().string();
            JsonNode json = JSON.readTree(body);
            assertThat(json.path("admin").asText()).isEqualTo("ops");
            assertThat(json.path("workspace").asText()).isEqualTo("default");
            assertThat(json.path("csrf_token").asText()).hasSize(43).isNotEqualTo(id);
            assertThat(body).doesNotContain(TestGateway.ADMIN_KEY);
        }
    }

    @Test
    void theCookieIsSecureWhenThePublicUrlIsHttps() {
        assertThat(new SessionCookie(java.net.URI.create("https://gate.example.com")).issue("id"))
                .contains("; Secure", "SameSite=Strict", "Path=/").containsIgnoringCase("; HttpOnly");
        assertThat(new SessionCookie(java.net.URI.create("http://gate.example.com")).issue("id")).doesNotContain("Secure");
    }

    @Test
    void anAgentKeyCannotSignInAndNeitherCanAWrongKey() throws IOException {
        try (Response response = signInWith(TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(response.header("Set-Cookie")).isNull();
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("ADMIN_KEY_REQUIRED");
            assertThat(error.path("message").asText()).contains("support-bot", "agent key", "admin key");
        }
        try (Response response = signInWith("not-a-key-of-this-gateway")) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(response.header("Set-Cookie")).isNull();
            assertThat(error(response).path("code").asText()).isEqualTo("INVALID_API_KEY");
        }
    }

    @Test
    void theKeyIsTakenOnlyFromThePostedFormNeverFromTheUrl() throws IOException {
        HttpUrl withKeyInUrl = HttpUrl.get(gateway.baseUrl() + "/dashboard/sign-in").newBuilder()
                .addQueryParameter("key", TestGateway.ADMIN_KEY).addQueryParameter("api_key", TestGateway.ADMIN_KEY).build();
        try (Response response = gateway.http().newCall(new Request.Builder().url(withKeyInUrl)
                .post(new FormBody.Builder().build()).build()).execute()) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(response.header("Set-Cookie")).isNull();
        }
        try (Response response = gateway.get("/dashboard/sign-in", null)) {
            assertThat(response.code()).as("no GET sign-in, whose key would be in the URL").isEqualTo(405);
        }
        try (Response page = gateway.get("/dashboard", null)) {
            assertThat(page.body().string()).contains("<form id=\"sign-in-form\" method=\"post\" action=\"/dashboard/sign-in\"",
                    "type=\"password\"");
        }
    }

    @Test
    void aSignInPostedFromAnotherSiteIsRefused() throws IOException {
        try (Response response = gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + "/dashboard/sign-in")
                .header("Origin", "https://evil.example")
                .post(new FormBody.Builder().add("key", TestGateway.ADMIN_KEY).build()).build()).execute()) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(response.header("Set-Cookie")).isNull();
            assertThat(error(response).path("code").asText()).isEqualTo("CROSS_SITE_SIGN_IN");
        }
    }

    @Test
    void theCookieReadsTheManagementApiButEveryChangeNeedsTheCsrfToken() throws IOException {
        SignedIn session = signIn();
        try (Response response = call("GET", "/api/pending-approvals", session, null, null)) {
            assertThat(response.code()).isEqualTo(200);
        }
        try (Response response = call("POST", "/api/blocked-tools", session, null, "{\"tool_name\":\"rm_rf\"}")) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(error(response).path("code").asText()).isEqualTo("CSRF_TOKEN_INVALID");
        }
        try (Response response = call("POST", "/api/blocked-tools", session, "not-the-token", "{\"tool_name\":\"rm_rf\"}")) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(error(response).path("code").asText()).isEqualTo("CSRF_TOKEN_INVALID");
        }
        try (Response response = call("DELETE", "/api/blocked-tools/rm_rf", session, null, null)) {
            assertThat(response.code()).isEqualTo(403);
        }
        assertThat(gateway.gateway().storage().blockedTools().all()).as("nothing changed without the token").isEmpty();

        try (Response response = call("POST", "/api/blocked-tools", session, session.csrf(), "{\"tool_name\":\"rm_rf\"}")) {
            assertThat(response.code()).isEqualTo(201);
        }
        assertThat(gateway.gateway().storage().blockedTools().all()).extracting(tool -> tool.tool() + " by " + tool.createdBy())
                .containsExactly("rm_rf by ops");
    }

    @Test
    void anotherSessionsTokenIsNotAccepted() throws IOException {
        SignedIn mine = signIn();
        SignedIn theirs = signIn();
        try (Response response = call("POST", "/api/blocked-tools", mine, theirs.csrf(), "{\"tool_name\":\"rm_rf\"}")) {
            assertThat(response.code()).isEqualTo(403);
        }
    }

    @Test
    void theSessionIsForTheManagementApiNotForModelRoutes() throws IOException {
        SignedIn session = signIn();
        try (Response response = call("POST", "/v1/chat/completions", session, session.csrf(), "{}")) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(error(response).path("code").asText()).isEqualTo("MISSING_API_KEY");
        }
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() throws IOException {
        SignedIn session = signIn();
        try (Response response = call("POST", "/dashboard/sign-out", session, null, null)) {
            assertThat(response.code()).as("sign-out changes state: it needs the token too").isEqualTo(403);
        }
        try (Response response = call("POST", "/dashboard/sign-out", session, session.csrf(), null)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Set-Cookie")).startsWith(SessionCookie.NAME + "=;").contains("Max-Age=0");
        }
        // A copy of the old cookie is worth nothing now.
        try (Response response = call("GET", "/api/pending-approvals", session, null, null)) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(error(response).path("code").asText()).isEqualTo("SESSION_EXPIRED");
        }
    }

    @Test
    void aSessionEndsAfterItsIdleTimeAndAfterItsAbsoluteLifetime() throws IOException {
        SignedIn idle = signIn();
        clock.advance(SessionStore.IDLE.plusMinutes(1));
        try (Response response = call("GET", "/dashboard/api/session", idle, null, null)) {
            assertThat(response.code()).isEqualTo(401);
        }

        SignedIn busy = signIn();
        for (Duration spent = Duration.ZERO; spent.compareTo(SessionStore.ABSOLUTE) < 0; spent = spent.plus(SessionStore.IDLE.dividedBy(2))) {
            try (Response response = call("GET", "/dashboard/api/session", busy, null, null)) {
                assertThat(response.code()).as("in use after %s", spent).isEqualTo(200);
            }
            clock.advance(SessionStore.IDLE.dividedBy(2));
        }
        try (Response response = call("GET", "/dashboard/api/session", busy, null, null)) {
            assertThat(response.code()).as("past the absolute lifetime, however busy").isEqualTo(401);
        }
    }

    @Test
    void aKeyStillWorksWithoutAnySessionAndWinsOverACookie() throws IOException {
        try (Response response = gateway.get("/dashboard/api/session", TestGateway.ADMIN_KEY)) {
            JsonNode json = JSON.readTree(response.body().string());
            assertThat(json.path("admin").asText()).isEqualTo("ops");
            assertThat(json.has("csrf_token")).as("no session, no token").isFalse();
        }
        SignedIn session = signIn();
        try (Response response = gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + "/api/blocked-tools")
                .header("Cookie", session.cookie()).header("x-api-key", TestGateway.ADMIN_KEY)
                .post(RequestBody.create("{\"tool_name\":\"rm_rf\"}", TestGateway.JSON)).build()).execute()) {
            assertThat(response.code()).as("a key needs no CSRF token: no browser sends it by itself").isEqualTo(201);
        }
    }

    @Test
    void thePageAndItsFilesComeFromTheJarWithTypesCachingAndAStrictPolicy() throws IOException {
        try (Response page = gateway.get("/dashboard", null)) {
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'",
                    "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
            String html = page.body().string();
            assertThat(html).doesNotContain("<script>", "style=\"", " onclick=", "http://", "https://");
        }
        for (String[] asset : List.of(new String[] {"app.js", "text/javascript; charset=utf-8"},
                new String[] {"app.css", "text/css; charset=utf-8"}, new String[] {"icon.svg", "image/svg+xml"})) {
            String etag;
            try (Response response = gateway.get("/dashboard/assets/" + asset[0], null)) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header("Content-Type")).isEqualTo(asset[1]);
                assertThat(response.header("Cache-Control")).isEqualTo("no-cache");
                assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
                etag = response.header("ETag");
                assertThat(etag).isNotBlank();
                assertThat(response.body().string()).as("nothing loaded from elsewhere (the SVG namespace is a name, not a load)")
                        .doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg)");
            }
            try (Response response = gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + "/dashboard/assets/" + asset[0])
                    .header("If-None-Match", etag).build()).execute()) {
                assertThat(response.code()).isEqualTo(304);
            }
        }
        try (Response response = gateway.get("/dashboard/assets/..%2Fapplication.yaml", null)) {
            assertThat(response.code()).isEqualTo(404);
        }
    }

    @Test
    void theLiveFeedStreamsEachDecisionOfTheAdminsWorkspace() throws Exception {
        SignedIn session = signIn();
        OkHttpClient streaming = gateway.http().newBuilder().readTimeout(Duration.ofSeconds(10)).build();
        try (Response feed = streaming.newCall(new Request.Builder().url(gateway.baseUrl() + "/dashboard/api/feed")
                .header("Cookie", session.cookie()).build()).execute()) {
            assertThat(feed.code()).isEqualTo(200);
            assertThat(feed.header("Content-Type")).startsWith("text/event-stream");
            BufferedReader lines = new BufferedReader(new InputStreamReader(feed.body().byteStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).startsWith("retry: ");

            try (Response decided = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                    "{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\",\"token\":\"sk-live-abcdefghijklmnopqrstuvwx\"}}")) {
                assertThat(decided.code()).isEqualTo(200);
            }
            String data = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data: ")) {
                    data = line.substring("data: ".length());
                    break;
                }
                assertThat(line).matches("event: decision|: .*|retry: .*|");
            }
            JsonNode event = JSON.readTree(data);
            assertThat(event.path("tool").asText()).isEqualTo("delete_file");
            assertThat(event.path("status").asText()).isEqualTo("blocked");
            assertThat(event.path("agent").asText()).isEqualTo("support-bot");
            assertThat(event.path("rules").toString()).contains("no-deletes");
            assertThat(event.path("arguments").path("path").asText()).isEqualTo("/srv/a.txt");
        } finally {
            streaming.dispatcher().executorService().shutdown();
            streaming.connectionPool().evictAll();
            streaming.dispatcher().executorService().awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDryRunDecidesLikeTheGateButRecordsNothing() throws IOException {
        try (Response response = gateway.get("/api/policies/check?tool=wire_transfer&agent=support-bot&args="
                + java.net.URLEncoder.encode("{\"amount\":5000}", StandardCharsets.UTF_8), TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("outcome").asText()).isEqualTo("pending");
            assertThat(answer.path("matched_rules").toString()).isEqualTo("[\"big-transfers\"]");
            assertThat(answer.path("deciding_rule").asText()).isEqualTo("big-transfers");
            assertThat(answer.path("reasons").get(0).path("rule").asText()).isEqualTo("big-transfers");
            assertThat(answer.path("policy_version").asText()).isNotBlank();
            assertThat(answer.path("judge_would_be_asked").asBoolean()).isFalse();
        }
        SignedIn session = signIn();
        try (Response response = call("POST", "/api/policies/check", session, session.csrf(),
                "{\"tool\":\"wire_transfer\",\"arguments\":{\"amount\":10}}")) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("outcome").asText()).isEqualTo("allowed");
            assertThat(answer.path("matched_rules").size()).isZero();
        }
        try (Response response = gateway.get("/api/policies/check?tool=wire_transfer", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).as("admins only").isEqualTo(403);
        }
        assertThat(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events()).isEmpty();
        assertThat(gateway.gateway().storage().approvals().list(new dev.toolgate.storage.ApprovalQuery("default", null, null, null,
                100, 1))).isEmpty();
    }

    @Test
    void configuredRulesSayWhereTheyAreWrittenAndLogsFilterByAgent() throws IOException {
        try (Response response = gateway.get("/api/approval-rules", TestGateway.ADMIN_KEY)) {
            JsonNode rules = JSON.readTree(response.body().string()).path("rules");
            assertThat(rules.get(0).path("id").asText()).isEqualTo("no-deletes");
            assertThat(rules.get(0).path("location").asText()).matches("toolgate\\d*\\.yaml:\\d+");
        }
        try (Response decided = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/a\"}}")) {
            assertThat(decided.code()).isEqualTo(200);
        }
        try (Response response = gateway.get("/api/logs?agent=support-bot", TestGateway.ADMIN_KEY)) {
            assertThat(JSON.readTree(response.body().string()).path("total").asInt()).isEqualTo(1);
        }
        try (Response response = gateway.get("/api/logs?agent=someone-else", TestGateway.ADMIN_KEY)) {
            assertThat(JSON.readTree(response.body().string()).path("total").asInt()).isZero();
        }
    }
}
