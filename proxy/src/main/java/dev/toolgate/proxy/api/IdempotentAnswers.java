package dev.toolgate.proxy.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.ErrorBodies;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers remembered by idempotency key ({@code Idempotency-Key}, or its alias {@code X-AL-Event-ID}),
 * so that a retried request gets the first answer instead of a second decision and a second audit
 * event. Kept for 24 hours, per caller, in this process's memory and bounded in size: an answer
 * pushed out early, or held by another gateway instance, is decided again.
 */
final class IdempotentAnswers {
    static final String HEADER = "Idempotency-Key";
    static final String ALIAS_HEADER = "X-AL-Event-ID";
    /** Set on a replayed answer, as Stripe does, so a client can tell a replay from a fresh decision. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final int MAX_KEY_LENGTH = 255;
    private static final Duration REMEMBERED_FOR = Duration.ofHours(24);
    /** Roughly in bytes: answers are small (they echo the tool name and rule reasons, never the arguments). */
    private static final long MAX_WEIGHT = 16L << 20;
    private static final int ENTRY_OVERHEAD = 256;

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

    /** Keys are the caller's own: the same key from another agent or workspace is another request. */
    private record Scope(String workspace, String agent, String key) {
    }

    /** The first request under a key: what it asked (a digest of its body) and its answer, once known. */
    private static final class Entry {
        final byte[] requestDigest;
        final CompletableFuture<Answer> answer;
        final int weight;

        Entry(byte[] requestDigest, CompletableFuture<Answer> answer, int weight) {
            this.requestDigest = requestDigest;
            this.answer = answer;
            this.weight = weight;
        }
    }

    private final Cache<Scope, Entry> entries;

    /** {@code clock} measures the 24 hours, so tests move time instead of waiting. */
    IdempotentAnswers(Clock clock) {
        this.entries = Caffeine.newBuilder()
                .expireAfterWrite(REMEMBERED_FOR)
                .maximumWeight(MAX_WEIGHT)
                .weigher((Scope scope, Entry entry) -> entry.weight)
                .ticker(() -> nanos(clock.instant()))
                .build();
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
     * The answer to a request under {@code key}. The first request runs {@code decide}; a repeat,
     * even one that arrives while the first is still being decided, waits for and gets the same
     * answer. The same key with another body is refused (422 {@code IDEMPOTENCY_KEY_REUSED}).
     */
    CompletableFuture<Reply> answer(Principal caller, String key, ByteBuf body, Supplier<CompletableFuture<Answer>> decide) {
        Scope scope = new Scope(caller.workspace(), caller.name(), key);
        byte[] requestDigest = sha256(body);
        Entry first = new Entry(requestDigest, new CompletableFuture<>(), ENTRY_OVERHEAD + key.length());
        // Atomic per key: of two concurrent requests, exactly one puts its entry and decides.
        Entry entry = entries.get(scope, k -> first);
        if (entry != first) {
            if (!MessageDigest.isEqual(entry.requestDigest, requestDigest)) {
                throw new ApiError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "IDEMPOTENCY_KEY_REUSED",
                        HEADER + " '" + key + "' was already used for a different request; use a new key for a new request");
            }
            return entry.answer.thenApply(answer -> new Reply(answer, true));
        }
        CompletableFuture<Answer> decided;
        try {
            decided = decide.get();
        } catch (RuntimeException e) {
            entries.asMap().remove(scope, first);
            first.answer.completeExceptionally(e);
            throw e;
        }
        decided.whenComplete((answer, failure) -> {
            if (failure == null && answer.recorded()) {
                // Weighed again now that the answer's size is known.
                entries.asMap().replace(scope, first, new Entry(requestDigest, first.answer, first.weight + answer.body().length));
            } else {
                entries.asMap().remove(scope, first);
            }
            if (failure != null) {
                first.answer.completeExceptionally(failure);
            } else {
                first.answer.complete(answer);
            }
        });
        return first.answer.thenApply(answer -> new Reply(answer, false));
    }

    private static byte[] sha256(ByteBuf body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(body.nioBuffer());
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
