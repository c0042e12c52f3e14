package dev.toolgate.proxy.dashboard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium}, driven through Debian's
 * {@code chromium-driver}, so nothing is downloaded): an admin signs in, sees the call the OpenAI
 * SDK proposed held for approval, approves it in the page, and the SDK's retry gets the call; the
 * live feed shows each decision without a reload; the dry-run box names the rule. A screenshot of
 * every page goes to {@code target/dashboard-screenshots/}. Skipped where Chromium is missing,
 * except in CI ({@code TOOLGATE_REQUIRE_CHROMIUM=1}), where that fails the build.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String INSTALL_HINT = "install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    private static final String WIRE_ARGUMENTS = "{\"amount\":5000,\"to\":\"GB29NWBK60161331926819\",\"memo\":\"Q4 invoice\"}";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static ChromeDriverService driverService;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static TestGateway gateway;
    private static OpenAIClient sdk;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            if ("1".equals(System.getenv("TOOLGATE_REQUIRE_CHROMIUM"))) {
                Assertions.fail("TOOLGATE_REQUIRE_CHROMIUM=1 but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: " + INSTALL_HINT);
            }
            Assumptions.abort("the dashboard's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER + ": " + INSTALL_HINT);
        }
        Files.createDirectories(SCREENSHOTS);
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.baseUrl() + "/v1")
                .apiKey("sk-client-key")
                .putHeader("x-api-key", TestGateway.AGENT_KEY)
                .maxRetries(0)
                .build();
        driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--lang=en-GB");
        browser = new ChromeDriver(driverService, options);
        wait = new WebDriverWait(browser, WAIT);
    }

    /** Every test starts signed out, at laptop width. */
    @BeforeEach
    void signedOut() {
        browser.manage().deleteAllCookies();
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (sdk != null) {
            sdk.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static void modelProposesTheTransfer() {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_wire1", "wire_transfer", WIRE_ARGUMENTS)))));
    }

    /** The same conversation every time: the retry an agent framework sends. */
    private static ChatCompletion askToPay() {
        return sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("Pay the Q4 invoice to our supplier")
                .build());
    }

    private static JsonNode metadata(ChatCompletion completion) {
        return completion._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }

    /** The whole page, not just the window: Chromium's own full-page capture. */
    private static void screenshot(String page) throws IOException {
        ChromeDriver chrome = (ChromeDriver) browser;
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) chrome.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                .get("cssContentSize");
        Map<String, Object> shot = chrome.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", size.get("width"),
                        "height", size.get("height"), "scale", 1)));
        Files.write(SCREENSHOTS.resolve(page + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
    }

    private static Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(javascript, args);
    }

    private static WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void open(String page) {
        browser.findElement(By.cssSelector("nav a[data-page='" + page + "']")).click();
        visible(By.id("page-" + page));
    }

    private static void signIn(String key) {
        WebElement field = visible(By.id("sign-in-key"));
        field.clear();
        field.sendKeys(key);
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
    }

    @Test
    void anAdminApprovesAHeldCallInThePageAndTheAgentsRetryGetsIt() throws Exception {
        browser.get(gateway.baseUrl() + "/dashboard");
        visible(By.id("sign-in-form"));
        screenshot("sign-in");

        // An agent key is refused, with a message saying why.
        signIn(TestGateway.AGENT_KEY);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "agent key"));
        assertThat(browser.manage().getCookieNamed(SessionCookie.NAME)).isNull();

        signIn(TestGateway.ADMIN_KEY);
        visible(By.id("nav"));
        assertThat(browser.findElement(By.id("who-name")).getText()).contains("ops", "default");
        assertThat(browser.getCurrentUrl()).doesNotContain(TestGateway.ADMIN_KEY).doesNotContain("key=");
        Cookie cookie = browser.manage().getCookieNamed(SessionCookie.NAME);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getPath()).isEqualTo("/");
        assertThat((String) script("return document.cookie")).as("HttpOnly: no script sees it").doesNotContain(SessionCookie.NAME);
        assertThat((Long) script("return localStorage.length + sessionStorage.length")).as("nothing kept in web storage").isZero();
        // Marks this page load: still there at the end means nothing was reloaded.
        script("window.__sameLoad = 'yes'");

        open("feed");
        wait.until(ExpectedConditions.textToBe(By.id("feed-state"), "live"));

        modelProposesTheTransfer();
        ChatCompletion held = askToPay();
        assertThat(held.choices().get(0).message().content()).hasValue("Tool requires human approval. Retry once approved.");
        String approvalId = metadata(held).path("approval_id").asText();

        visible(By.cssSelector("#feed-list li[data-tool='wire_transfer'][data-status='pending']"));

        open("pending");
        WebElement card = visible(By.cssSelector("article.card[data-approval='" + approvalId + "']"));
        assertThat(card.getText()).contains("wire_transfer", "support-bot", "big-transfers", "Q4 invoice");
        screenshot("pending");

        card.findElement(By.id("note-" + approvalId)).sendKeys("Invoice checked with finance");
        card.findElement(By.cssSelector("button[data-action='approve']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Approved wire_transfer"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("article.card[data-approval='" + approvalId + "']")));
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().note())
                .isEqualTo("Invoice checked with finance");

        ChatCompletion retried = askToPay();
        ChatCompletionMessageFunctionToolCall call = retried.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_wire1");
        assertThat(call.function().name()).isEqualTo("wire_transfer");
        assertThat(call.function().arguments()).isEqualTo(WIRE_ARGUMENTS);
        assertThat(metadata(retried).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(retried).path("approved_by").asText()).isEqualTo("api:ops");
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status())
                .isEqualTo(ApprovalStatus.CONSUMED);

        open("feed");
        visible(By.cssSelector("#feed-list li[data-tool='wire_transfer'][data-status='allowed']"));
        assertThat(script("return window.__sameLoad")).as("the feed updated without a reload").isEqualTo("yes");
        screenshot("feed");

        open("logs");
        new Select(browser.findElement(By.id("logs-status"))).selectByVisibleText("allowed");
        browser.findElement(By.id("logs-agent")).sendKeys("support-bot");
        browser.findElement(By.cssSelector("#logs-filters button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("logs-page"), "(1 decisions)"));
        assertThat(browser.findElement(By.id("logs-rows")).getText()).contains("wire_transfer");
        assertThat(browser.findElement(By.id("logs-export")).getAttribute("href"))
                .endsWith("/api/logs/export?status=allowed&agent=support-bot").doesNotContain("key");
        screenshot("logs");

        open("stats");
        visible(By.cssSelector("#stats-chart svg rect"));
        assertThat(browser.findElement(By.id("stats-counts")).getText()).contains("total");
        screenshot("stats");

        open("kill-switch");
        browser.findElement(By.id("kill-tool")).sendKeys("drop_table");
        browser.findElement(By.cssSelector("#kill-form button[type=submit]")).click();
        visible(By.cssSelector("#kill-list button[aria-label='Unblock drop_table']"));
        assertThat(gateway.gateway().storage().blockedTools().all()).extracting(tool -> tool.tool()).containsExactly("drop_table");
        screenshot("kill-switch");
        browser.findElement(By.cssSelector("#kill-list button[aria-label='Unblock drop_table']")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#kill-list button[aria-label='Unblock drop_table']")));
        assertThat(gateway.gateway().storage().blockedTools().all()).isEmpty();

        open("rules");
        visible(By.cssSelector("#rules-rows tr[data-rule='big-transfers']"));
        assertThat(browser.findElement(By.cssSelector("#rules-rows tr[data-rule='big-transfers']")).getText())
                .containsPattern("toolgate\\d*\\.yaml:\\d+");
        browser.findElement(By.id("try-tool")).sendKeys("wire_transfer");
        WebElement arguments = browser.findElement(By.id("try-args"));
        arguments.clear();
        arguments.sendKeys("{\"amount\": 5000}");
        browser.findElement(By.cssSelector("#try-form button[type=submit]")).click();
        WebElement outcome = visible(By.cssSelector("#try-result dl[data-outcome='pending']"));
        assertThat(outcome.findElement(By.className("matched-rules")).getText()).isEqualTo("big-transfers");
        assertThat(outcome.getText()).contains("Reasons", "big-transfers:");
        screenshot("rules");

        open("audit");
        browser.findElement(By.id("audit-verify")).click();
        WebElement verdict = visible(By.cssSelector("#audit-result p[data-valid]"));
        assertThat(verdict.getAttribute("data-valid")).isEqualTo("true");
        assertThat(verdict.getText()).contains("intact");
        screenshot("audit");
    }

    @Test
    void thePageRefusesAChangeWithoutTheCsrfTokenAndSignOutEndsTheSession() throws Exception {
        browser.get(gateway.baseUrl() + "/dashboard");
        signIn(TestGateway.ADMIN_KEY);
        visible(By.id("nav"));

        // Script on the page itself (the browser sends the cookie) without the token: refused.
        @SuppressWarnings("unchecked")
        Map<String, Object> refused = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/blocked-tools', {method: 'POST', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({tool_name: 'rm_rf'})})
                  .then(r => r.json().then(body => done({status: r.status, code: body.error.code})));
                """);
        assertThat(refused).containsEntry("status", 403L).containsEntry("code", "CSRF_TOKEN_INVALID");
        assertThat(gateway.gateway().storage().blockedTools().all()).isEmpty();

        browser.findElement(By.id("sign-out")).click();
        visible(By.id("sign-in-form"));
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/pending-approvals', {credentials: 'same-origin'}).then(r => done({status: r.status}));
                """);
        assertThat(after).containsEntry("status", 401L);
    }

    @Test
    void everyPageIsReadableAtPhoneWidth() throws Exception {
        browser.get(gateway.baseUrl() + "/dashboard");
        signIn(TestGateway.ADMIN_KEY);
        visible(By.id("nav"));
        browser.manage().window().setSize(new Dimension(375, 812));
        for (String page : List.of("pending", "feed", "logs", "stats", "kill-switch", "rules", "audit")) {
            open(page);
            Thread.sleep(300);  // the page's data arrives just after it is shown
            Long overflow = (Long) script("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(overflow).as("no sideways scrolling on %s at 375 px", page).isLessThanOrEqualTo(0L);
            screenshot(page + "-phone");
        }
    }
}
