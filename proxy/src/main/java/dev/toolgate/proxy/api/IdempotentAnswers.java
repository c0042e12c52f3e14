package dev.toolgate.proxy.api;

import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.ErrorBodies;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.storage.IdempotencyStore;
import dev.toolgate.storage.IdempotencyStore.Answered;
import dev.toolgate.storage.IdempotencyStore.InProgress;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers remembered by idempotency key ({@code Idempotency-Key}, or its alias {@code X-AL-Event-ID}),
 * so that a retried request gets the first answer instead of a second decision and a second audit
 * event. Kept for 24 hours, per caller, in the database ({@link IdempotencyStore}): a retry that
 * reaches another instance, or comes after a restart, gets the first answer too. A retry that
 * arrives while the first request is still being decided, on any instance, waits for its answer.
 */
final class IdempotentAnswers {
    static final String HEADER = "Idempotency-Key";
    static final String ALIAS_HEADER = "X-AL-Event-ID";
    /** Set on a replayed answer, as Stripe does, so a client can tell a replay from a fresh decision. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Logger log = LoggerFactory.getLogger(IdempotentAnswers.class);
    private static final int MAX_KEY_LENGTH = 255;
    private static final Duration REMEMBERED_FOR = Duration.ofHours(24);
    private static final long FIRST_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 200;

    /**
     * An answer as sent.
     *
     * @param recorded true when a decision was recorded, so a retry must get this answer; false when
     *     nothing was (the store was down), so a retry may decide afresh
     */
    record Answer(HttpResponseStatus status, byte[] body, boolean recorded) {
        static Answer of(ApiError error, boolean recorded) {
            return new Answer(error.status(), Json.bytes(ErrorBodies.of(error.code(), error.getMessage())), recorded);
        }
    }

    /** An answer, and whether it is a replay of one given before. */
    record Reply(Answer answer, boolean replayed) {
    }

    private final IdempotencyStore store;
    private final BlockingExecutor blocking;
    private final Clock clock;
    /** How long a claim may stay unanswered before it counts as abandoned (its instance stopped) and is taken over. */
    private final Duration lease;

    /** {@code clock} measures the 24 hours and the lease; {@code lease} must outlast a decision ({@code storage.timeout} and more). */
    IdempotentAnswers(IdempotencyStore store, BlockingExecutor blocking, Clock clock, Duration lease) {
        this.store = store;
        this.blocking = blocking;
        this.clock = clock;
        this.lease = lease;
    }

    /** The request's idempotency key, or null when it has none; 400 when the key is unusable. */
    static String keyOf(HttpHeaders headers) {
        String key = headers.get(HEADER);
        String alias = headers.get(ALIAS_HEADER);
        if (key != null && alias != null && !key.equals(alias)) {
            throw ApiError.badRequest("INVALID_IDEMPOTENCY_KEY", HEADER + " and " + ALIAS_HEADER + " differ; send one of them");
        }
        key = key != null ? key : alias;
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiError.badRequest("INVALID_IDEMPOTENCY_KEY",
                    HEADER + " must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters, such as a UUID");
        }
        return key;
    }

    /**
     * The answer to a request under {@code key}. The first request runs {@code decide} (on
     * {@code loop}); a repeat, even one that arrives while the first is still being decided, gets the
     * same answer. The same key with another body is refused (422 {@code IDEMPOTENCY_KEY_REUSED}).
     */
    CompletableFuture<Reply> answer(Principal caller, String key, ByteBuf body, ScheduledExecutorService loop,
                                    Supplier<CompletableFuture<Answer>> decide) {
        String digest = sha256(body);
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        attempt(caller, key, digest, loop, decide, reply, FIRST_POLL_MILLIS, System.nanoTime() + lease.toNanos());
        return reply;
    }

    private void attempt(Principal caller, String key, String digest, ScheduledExecutorService loop,
                         Supplier<CompletableFuture<Answer>> decide, CompletableFuture<Reply> reply, long pollMillis, long giveUpAt) {
        blocking.storageWork(() -> store.claim(caller.workspace(), caller.name(), key, digest, clock.instant(), REMEMBERED_FOR, lease))
                .whenComplete((claim, failure) -> loop.execute(() -> {
                    if (failure != null) {
                        reply.completeExceptionally(failure);
                    } else if (claim instanceof Answered answered) {
                        reply(answered.requestDigest(), digest, key, reply,
                                () -> new Reply(new Answer(HttpResponseStatus.valueOf(answered.status()),
                                        answered.body().getBytes(StandardCharsets.UTF_8), true), true));
                    } else if (claim instanceof InProgress inProgress) {
                        if (!inProgress.requestDigest().equals(digest)) {
                            reply.completeExceptionally(reused(key));
                        } else if (System.nanoTime() - giveUpAt > 0) {
                            reply.completeExceptionally(new ApiError(HttpResponseStatus.CONFLICT, "IDEMPOTENCY_KEY_IN_USE",
                                    "a request with " + HEADER + " '" + key + "' is still being decided; retry shortly"));
                        } else {
                            loop.schedule(() -> attempt(caller, key, digest, loop, decide, reply,
                                    Math.min(MAX_POLL_MILLIS, pollMillis * 2), giveUpAt), pollMillis, TimeUnit.MILLISECONDS);
                        }
                    } else {
                        decideAndRemember(caller, key, decide, reply);
                    }
                }));
    }

    private void decideAndRemember(Principal caller, String key, Supplier<CompletableFuture<Answer>> decide, CompletableFuture<Reply> reply) {
        CompletableFuture<Answer> decided;
        try {
            decided = decide.get();
        } catch (RuntimeException e) {
            blocking.storageWork(() -> {
                store.release(caller.workspace(), caller.name(), key);
                return null;
            });
            reply.completeExceptionally(e);
            return;
        }
        decided.whenComplete((answer, failure) -> {
            if (failure != null) {
                blocking.storageWork(() -> {
                    store.release(caller.workspace(), caller.name(), key);
                    return null;
                });
                reply.completeExceptionally(failure);
                return;
            }
            blocking.storageWork(() -> {
                if (answer.recorded()) {
                    store.complete(caller.workspace(), caller.name(), key, answer.status().code(),
                            new String(answer.body(), StandardCharsets.UTF_8));
                } else {
                    store.release(caller.workspace(), caller.name(), key);
                }
                return null;
            }).whenComplete((stored, storeFailure) -> {
                if (storeFailure != null) {
                    log.warn("Could not remember the answer under idempotency key '{}' of '{}'; a retry is decided again: {}",
                            key, caller.name(), storeFailure.toString());
                }
                reply.complete(new Reply(answer, false));
            });
        });
    }

    private static void reply(String firstDigest, String digest, String key, CompletableFuture<Reply> reply, Supplier<Reply> replay) {
        if (!firstDigest.equals(digest)) {
            reply.completeExceptionally(reused(key));
        } else {
            reply.complete(replay.get());
        }
    }

    private static ApiError reused(String key) {
        return new ApiError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "IDEMPOTENCY_KEY_REUSED",
                HEADER + " '" + key + "' was already used for a different request; use a new key for a new request");
    }

    private static String sha256(ByteBuf body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(body.nioBuffer());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
