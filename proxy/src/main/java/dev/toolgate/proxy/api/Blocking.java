package dev.toolgate.proxy.api;

import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.StorageException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an endpoint's storage work off the event loop and answers with its JSON result or error. */
public final class Blocking {
    private static final Logger log = LoggerFactory.getLogger(Blocking.class);

    /**
     * An answer: status, body (JSON, or a {@link Text} sent as it is) and headers to add, such as a
     * list's {@code Link}.
     */
    public record Answer(HttpResponseStatus status, Object body, Map<String, String> headers) {
        public Answer(HttpResponseStatus status, Object body) {
            this(status, body, Map.of());
        }

        public static Answer ok(Object body) {
            return new Answer(HttpResponseStatus.OK, body);
        }
    }

    /** A body that is not JSON, such as a Markdown report. */
    record Text(String contentType, String text) {
    }

    private final BlockingExecutor executor;

    public Blocking(BlockingExecutor executor) {
        this.executor = executor;
    }

    /** Answers with {@code work}'s result, or 503 once {@code storage.timeout} passes without one. */
    public void respond(Exchange exchange, Supplier<Answer> work) {
        answer(exchange, executor.storageWork(work));
    }

    /** As above, for work that may legitimately take longer than {@code storage.timeout}: waits at most {@code timeout}. */
    public void respond(Exchange exchange, Duration timeout, Supplier<Answer> work) {
        answer(exchange, executor.supplyWithin(timeout, work));
    }

    private void answer(Exchange exchange, CompletableFuture<Answer> work) {
        work.whenComplete((answer, failure) -> {
            if (failure == null) {
                exchange.respond(response(answer));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof ApiError error) {
                exchange.fail(error);
            } else {
                log.error("storage operation for {} {} failed: {}", exchange.request().method(), exchange.path(), cause.toString());
                exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                        cause instanceof StorageException && cause.getMessage() != null
                                ? "the gateway's storage could not complete this request (" + cause.getMessage() + "); retry later"
                                : "the gateway's storage could not complete this request; retry later"));
            }
        });
    }

    private static FullHttpResponse response(Answer answer) {
        FullHttpResponse response;
        if (answer.body() instanceof Text text) {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                    Unpooled.copiedBuffer(text.text(), StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, text.contentType());
        } else {
            response = Exchange.jsonResponse(answer.status(), Json.bytes(answer.body()));
        }
        answer.headers().forEach(response.headers()::set);
        return response;
    }
}
