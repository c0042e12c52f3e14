package dev.toolgate.proxy.api;

import dev.toolgate.proxy.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an endpoint's storage work off the event loop and answers with its JSON result or error. */
final class Blocking {
    private static final Logger log = LoggerFactory.getLogger(Blocking.class);

    /** A JSON answer: status and body. */
    record Answer(HttpResponseStatus status, Object body) {
        static Answer ok(Object body) {
            return new Answer(HttpResponseStatus.OK, body);
        }
    }

    private final BlockingExecutor executor;

    Blocking(BlockingExecutor executor) {
        this.executor = executor;
    }

    void respond(Exchange exchange, Supplier<Answer> work) {
        executor.supply(work).whenComplete((answer, failure) -> {
            if (failure == null) {
                exchange.respondJson(answer.status(), answer.body());
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof ApiError error) {
                exchange.fail(error);
            } else {
                log.error("storage operation for {} {} failed", exchange.request().method(), exchange.path(), cause);
                exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                        "the gateway's storage could not complete this request; retry later"));
            }
        });
    }
}
