package dev.toolgate.proxy.server;

import dev.toolgate.config.RateLimitConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rate limit per client address for routes that take no key (the public feed): a
 * {@link TokenBucket} per IP address, in memory. The address is the connection's peer; a
 * forwarded-for header is not trusted, since anyone can send one. The map is bounded: past
 * {@link #MAX_ADDRESSES} addresses it starts afresh, which at worst hands a burst to every client.
 */
public final class AddressRateLimits {
    static final int MAX_ADDRESSES = 10_000;

    private final RateLimitConfig limit;
    private final Clock clock;
    private final Map<String, TokenBucket> byAddress = new ConcurrentHashMap<>();

    public AddressRateLimits(RateLimitConfig limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** Counts one request from the exchange's client; 429 {@code RATE_LIMITED} with {@code Retry-After} when it has none left. */
    public void take(Exchange exchange) {
        if (limit.isUnlimited()) {
            return;
        }
        if (byAddress.size() >= MAX_ADDRESSES) {
            byAddress.clear();
        }
        long now = nanos();
        TokenBucket bucket = byAddress.computeIfAbsent(address(exchange.context().channel().remoteAddress()),
                address -> new TokenBucket(limit, now));
        TokenBucket.Outcome outcome = bucket.take(now);
        exchange.responseHeader(RateLimits.LIMIT_HEADER, Long.toString(outcome.limit()));
        exchange.responseHeader(RateLimits.REMAINING_HEADER, Long.toString(outcome.remaining()));
        exchange.responseHeader(RateLimits.RESET_HEADER, Long.toString(outcome.resetSeconds()));
        if (!outcome.allowed()) {
            throw new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "RATE_LIMITED",
                    "too many requests from this address (" + limit.requestsPerMinute() + " a minute, burst " + limit.burst()
                            + "); retry in " + outcome.retryAfterSeconds() + " s")
                    .withHeader("Retry-After", Long.toString(outcome.retryAfterSeconds()));
        }
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    private long nanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
