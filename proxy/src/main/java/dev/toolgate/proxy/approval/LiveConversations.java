package dev.toolgate.proxy.approval;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;

/**
 * Conversation digests that an approval may still answer (pending, approved and not yet used,
 * or recently refused). Checked on the event loop for every chat request, so that the common case
 * (no approval involved) never waits for storage. Bounded: a digest pushed out only means its
 * retry goes to the model, whose repeated call is then matched by tool and arguments instead.
 */
public final class LiveConversations {
    private static final int MAX_TRACKED = 100_000;

    private final Cache<String, Instant> relevantUntil = Caffeine.newBuilder().maximumSize(MAX_TRACKED).build();
    private final Clock clock;

    public LiveConversations(Clock clock) {
        this.clock = clock;
    }

    /** True when no conversation is tracked: the common case, answered without hashing the request. */
    public boolean isEmpty() {
        return relevantUntil.asMap().isEmpty();
    }

    public boolean mayHaveApproval(String conversationDigest) {
        Instant until = relevantUntil.getIfPresent(conversationDigest);
        if (until == null) {
            return false;
        }
        if (clock.instant().isBefore(until)) {
            return true;
        }
        relevantUntil.invalidate(conversationDigest);
        return false;
    }

    public void remember(String conversationDigest, Instant until) {
        if (conversationDigest != null) {
            relevantUntil.asMap().merge(conversationDigest, until, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    public void forget(String conversationDigest) {
        if (conversationDigest != null) {
            relevantUntil.invalidate(conversationDigest);
        }
    }
}
