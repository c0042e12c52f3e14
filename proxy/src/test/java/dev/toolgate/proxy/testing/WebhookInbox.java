package dev.toolgate.proxy.testing;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request a WireMock server has answered, as it answers them, so that a test can wait for
 * an asynchronous webhook delivery without sleeping or polling. Register it with
 * {@code wireMockConfig().extensions(inbox)}.
 */
public final class WebhookInbox implements ServeEventListener {
    /** Generous: a delivery retried twice waits out the notifier's backoff (2 s, then 4 s) first. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Pattern LINK = Pattern.compile(Pattern.quote(TestGateway.PUBLIC_URL) + "/api/(approve|deny)/[A-Za-z0-9_-]{43}");

    private final List<ServeEvent> served = new ArrayList<>();

    /** The approve and deny links one message carries. */
    public record Links(String approve, String deny) {
    }

    @Override
    public String getName() {
        return "toolgate-webhook-inbox";
    }

    @Override
    public void afterComplete(ServeEvent event, Parameters parameters) {
        synchronized (this) {
            served.add(event);
            notifyAll();
        }
    }

    /** Forgets everything received so far (call before each test). */
    public synchronized void clear() {
        served.clear();
    }

    /** Requests to {@code path} answered so far, in arrival order. */
    public synchronized List<ServeEvent> received(String path) {
        return served.stream().filter(event -> pathOf(event).equals(path)).toList();
    }

    /** Waits until at least {@code count} requests to {@code path} have been answered; returns all of them. */
    public synchronized List<ServeEvent> await(String path, int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<ServeEvent> matching;
        while ((matching = received(path)).size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " request(s) to " + path + " within " + PATIENCE.toSeconds()
                        + " s, got " + matching.size());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return matching;
    }

    /** Waits for the {@code number}th (1-based) request to {@code path} and returns its body. */
    public String awaitBody(String path, int number) throws InterruptedException {
        return await(path, number).get(number - 1).getRequest().getBodyAsString();
    }

    /** The approve and deny links in a message body (Slack or Teams JSON, or any text). */
    public static Links links(String body) {
        String approve = null;
        String deny = null;
        Matcher matcher = LINK.matcher(body);
        while (matcher.find()) {
            if (matcher.group(1).equals("approve") && approve == null) {
                approve = matcher.group();
            } else if (matcher.group(1).equals("deny") && deny == null) {
                deny = matcher.group();
            }
        }
        if (approve == null || deny == null) {
            throw new AssertionError("no approve and deny links in:\n" + body);
        }
        return new Links(approve, deny);
    }

    private static String pathOf(ServeEvent event) {
        String url = event.getRequest().getUrl();
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
