package dev.toolgate.proxy.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.JudgeConfig;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The judge model's endpoint: posts a chat completion with structured output and reads the JSON
 * object the model wrote. Requests run on OkHttp's threads, never an event loop, at most
 * {@code judge.max_concurrency} at once; each answer, including the wait for a slot, is bounded by
 * {@code judge.timeout}. Every failure is a {@link JudgeFailure} whose message is safe to audit.
 */
final class JudgeClient implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final JudgeConfig config;
    private final HttpUrl completionsUrl;
    /** Built on first use: a gateway without judged rules never needs OkHttp's threads and TLS set-up. */
    private OkHttpClient client;

    JudgeClient(JudgeConfig config) {
        this.config = config;
        this.completionsUrl = HttpUrl.get(config.baseUrl().toString().replaceAll("/+$", "") + "/chat/completions");
    }

    String model() {
        return config.model();
    }

    /** A chat completion request whose answer must be a JSON object matching {@code schema} (strict structured output). */
    static ObjectNode structuredRequest(String model, String system, String user, String schemaName, ObjectNode schema) {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("temperature", 0);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", user);
        ObjectNode format = body.putObject("response_format");
        format.put("type", "json_schema");
        ObjectNode jsonSchema = format.putObject("json_schema");
        jsonSchema.put("name", schemaName);
        jsonSchema.put("strict", true);
        jsonSchema.set("schema", schema);
        return body;
    }

    /** The JSON object in the answer's {@code choices[0].message.content}; fails with a {@link JudgeFailure}. */
    CompletableFuture<JsonNode> complete(ObjectNode body) {
        Request.Builder request = new Request.Builder().url(completionsUrl).post(RequestBody.create(Json.bytes(body), JSON));
        if (!config.apiKey().isEmpty()) {
            request.header("Authorization", "Bearer " + config.apiKey());
        }
        Call call = client().newCall(request.build());
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                answer.completeExceptionally(new JudgeFailure(e instanceof InterruptedIOException ? noAnswer()
                        : "the judge could not be reached (" + e.getClass().getSimpleName() + ")"));
            }

            @Override
            public void onResponse(Call done, Response response) {
                try (ResponseBody responseBody = response.body()) {
                    if (!response.isSuccessful()) {
                        throw new JudgeFailure("the judge answered HTTP " + response.code());
                    }
                    answer.complete(content(responseBody == null ? new byte[0] : responseBody.bytes()));
                } catch (JudgeFailure e) {
                    answer.completeExceptionally(e);
                } catch (IOException | RuntimeException e) {
                    answer.completeExceptionally(new JudgeFailure("the judge's answer could not be read (" + e.getClass().getSimpleName() + ")"));
                }
            }
        });
        return answer.orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((content, failure) -> {
            if (failure != null) {
                call.cancel();
            }
        });
    }

    /** What a failed {@link #complete} says, for a decision's reasons. */
    String cause(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return noAnswer();
        }
        if (cause instanceof JudgeFailure) {
            return cause.getMessage();
        }
        return "the judge failed (" + cause.getClass().getSimpleName() + ")";
    }

    private String noAnswer() {
        long millis = config.timeout().toMillis();
        return "no answer within " + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms");
    }

    /** The model's content, parsed: a refusal, no message or content that is not JSON is a failure. */
    private static JsonNode content(byte[] body) throws JudgeFailure {
        JsonNode completion;
        try {
            completion = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new JudgeFailure("the judge's answer is not JSON");
        }
        JsonNode message = completion == null ? null : completion.path("choices").path(0).path("message");
        if (message == null || !message.isObject()) {
            throw new JudgeFailure("the judge's answer has no choices[0].message");
        }
        JsonNode refusal = message.path("refusal");
        if (refusal.isTextual() && !refusal.textValue().isBlank()) {
            throw new JudgeFailure("the judge refused to answer");
        }
        JsonNode content = message.path("content");
        if (!content.isTextual()) {
            throw new JudgeFailure("the judge's answer has no text content");
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(content.textValue());
            if (parsed == null || !parsed.isObject()) {
                throw new JudgeFailure("the judge's content is not a JSON object");
            }
            return parsed;
        } catch (IOException e) {
            throw new JudgeFailure("the judge's content is not JSON");
        }
    }

    private synchronized OkHttpClient client() {
        if (client == null) {
            Dispatcher dispatcher = new Dispatcher();
            dispatcher.setMaxRequests(config.maxConcurrency());
            dispatcher.setMaxRequestsPerHost(config.maxConcurrency());
            client = new OkHttpClient.Builder()
                    .dispatcher(dispatcher)
                    .connectTimeout(config.timeout())
                    .readTimeout(config.timeout())
                    .writeTimeout(config.timeout())
                    .callTimeout(config.timeout())
                    .build();
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.dispatcher().cancelAll();
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
