package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.DeliveryTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends one message to one target, now, on the calling thread (it blocks): Slack and Teams get
 * their own message shapes, a generic webhook the message itself, signed (see
 * {@link WebhookSignature}), email goes through the notifier's SMTP settings. The webhook URL is
 * screened again just before posting, so a name that now resolves inward is refused.
 */
public final class DeliverySender implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final WebhookScreen screen;
    private final Notifier notifier;
    private final Clock clock;
    private final OkHttpClient client = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofSeconds(20))
            // The outbox retries with backoff; OkHttp's own silent retry could post a message twice.
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .build();

    public DeliverySender(WebhookScreen screen, Notifier notifier, Clock clock) {
        this.screen = screen;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** A failed send; {@code permanent} when retrying cannot help. The message never holds the URL. */
    public static final class Failure extends Exception {
        private final boolean permanent;

        Failure(String message, boolean permanent) {
            super(message);
            this.permanent = permanent;
        }

        public boolean permanent() {
            return permanent;
        }
    }

    /** Sends {@code message} (see {@link AlertMessage}) to a target of {@code type} with {@code config}. */
    public void send(String type, JsonNode config, String secret, ObjectNode message) throws Failure {
        DeliveryType kind = DeliveryType.parse(type);
        if (kind == DeliveryType.EMAIL) {
            email(config.path("to").asText(), message);
            return;
        }
        String url = config.path(kind.urlField()).asText();
        try {
            screen.check(kind.urlField(), url);
        } catch (RuntimeException refused) {
            throw new Failure(refused.getMessage(), true);
        }
        byte[] body = Json.bytes(switch (kind) {
            case SLACK -> AlertMessage.slack(message);
            case TEAMS -> AlertMessage.teams(message);
            default -> message;
        });
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
        if (kind == DeliveryType.WEBHOOK && secret != null) {
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            request.header(WebhookSignature.TIMESTAMP_HEADER, timestamp)
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, body));
        }
        try (Response response = client.newCall(request.build()).execute()) {
            if (!response.isSuccessful()) {
                int status = response.code();
                throw new Failure("HTTP " + status, status >= 400 && status < 500 && status != 408 && status != 429);
            }
        } catch (IOException e) {
            throw new Failure(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().replace(url, "…")),
                    false);
        }
    }

    /** Sends {@code message} to {@code target} now and puts the outcome in {@code result}: {@code delivered}, and {@code error}. */
    public void report(DeliveryTarget target, ObjectNode message, ObjectNode result) {
        try {
            send(target, message);
            result.put("delivered", true);
        } catch (Failure failure) {
            result.put("delivered", false).put("error", failure.getMessage());
        }
    }

    /** Sends {@code message} to a stored target. */
    public void send(DeliveryTarget target, ObjectNode message) throws Failure {
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(target.config());
        } catch (IOException unreadable) {
            throw new Failure("the stored config is unreadable", true);
        }
        send(target.type(), config, target.signingSecret(), message);
    }

    private void email(String to, ObjectNode message) throws Failure {
        if (!notifier.emailConfigured()) {
            throw new Failure("email targets need SMTP settings (notifications.email)", true);
        }
        try {
            notifier.sendEmailNow(to, message.path("title").asText(), AlertMessage.plainText(message),
                    "alert-" + message.path("id").asText());
        } catch (Exception e) {
            throw new Failure(e.getClass().getSimpleName() + ": " + e.getMessage(), false);
        }
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
