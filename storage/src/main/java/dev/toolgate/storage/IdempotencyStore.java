package dev.toolgate.storage;

import java.time.Duration;
import java.time.Instant;

/**
 * Idempotency keys and the answers they stand for, shared by every instance and kept across
 * restarts. A key is the caller's own: workspace, agent and key together. Blocking.
 */
public interface IdempotencyStore {

    /** What a key stands for when a request claims it. */
    sealed interface Claim permits Claimed, InProgress, Answered {
    }

    /** The key was free (or its last claim expired or was abandoned): the caller decides and then completes or releases it. */
    record Claimed() implements Claim {
    }

    /** Another request claimed the key and is still deciding; {@code requestDigest} is what it asked. */
    record InProgress(String requestDigest) implements Claim {
    }

    /** The key's first request was answered: {@code status} and {@code body} are that answer. */
    record Answered(String requestDigest, int status, String body) implements Claim {
    }

    /**
     * Claims {@code key} for a request whose body has {@code requestDigest}, to be remembered until
     * {@code now + ttl}. A pending claim older than {@code abandonedAfter} belongs to a request that
     * will never finish (its instance stopped): it is taken over.
     */
    Claim claim(String workspace, String agent, String key, String requestDigest, Instant now, Duration ttl,
                Duration abandonedAfter);

    /** Stores the answer of a claimed key. */
    void complete(String workspace, String agent, String key, int status, String body);

    /** Gives a claimed key up unanswered (nothing was recorded): the next request with it decides afresh. */
    void release(String workspace, String agent, String key);

    /** Deletes keys remembered past their time; returns how many. */
    int purgeExpired(Instant now);
}
