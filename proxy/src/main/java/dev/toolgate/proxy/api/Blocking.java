package dev.toolgate.proxy.api;

import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.storage.StorageException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an endpoint's storage work off the event loop and answers with its JSON result or error. */
public final class Blocking {
    private static final Logger log = LoggerFactory.getLogger(Blocking.class);

    /** A JSON answer: status and body. */
    public record Answer(HttpResponseStatus status, Object body) {
        public static Answer ok(Object body) {
            return new Answer(HttpResponseStatus.OK, body);
        }
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
                exchange.respondJson(answer.status(), answer.body());
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
}
