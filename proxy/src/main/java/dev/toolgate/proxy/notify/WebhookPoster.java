package dev.toolgate.proxy.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.time.Duration;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/** Posts JSON to incoming webhooks (Slack, Teams). Blocks: call it off the event loops. */
final class WebhookPoster implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final int MAX_ERROR_BODY = 200;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    /**
     * Built by the first post: setting up OkHttp and its TLS takes a noticeable part of the
     * gateway's startup, and a gateway without Slack or Teams webhooks never posts.
     */
    private OkHttpClient client;

    WebhookPoster(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    private synchronized OkHttpClient client() {
        if (client == null) {
            client = new OkHttpClient.Builder()
                    .connectTimeout(connectTimeout)
                    .readTimeout(readTimeout)
                    .writeTimeout(readTimeout)
                    .callTimeout(connectTimeout.plus(readTimeout.multipliedBy(2)))
                    // The notifier retries with backoff; OkHttp's own silent retry could post a message twice.
                    .retryOnConnectionFailure(false)
                    .build();
        }
        return client;
    }

    /** Posts {@code body}; a non-2xx answer or an I/O error is a failure. Messages never contain the URL. */
    void post(String url, JsonNode body) throws IOException, DeliveryFailure {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new DeliveryFailure("not an http or https URL", true);
        }
        Request request = new Request.Builder().url(parsed).post(RequestBody.create(Json.bytes(body), JSON)).build();
        try (Response response = client().newCall(request).execute()) {
            if (!response.isSuccessful()) {
                int status = response.code();
                // Client errors other than timeouts and rate limits mean a revoked or mistyped webhook.
                boolean permanent = status >= 400 && status < 500 && status != 408 && status != 429;
                throw new DeliveryFailure("HTTP " + status + errorBody(response.body()), permanent);
            }
        }
    }

    /** The start of the answer: Slack and Teams say there what is wrong ("invalid_token", "no_service"). */
    private static String errorBody(ResponseBody body) {
        if (body == null) {
            return "";
        }
        try {
            BufferedSource source = body.source();
            source.request(MAX_ERROR_BODY);
            String text = source.getBuffer().readUtf8(Math.min(source.getBuffer().size(), MAX_ERROR_BODY)).strip();
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException unreadable) {
            return "";
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
