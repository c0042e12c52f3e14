package dev.toolgate.proxy.publicfeed;

import java.time.Instant;

/**
 * One decision as the public may see it: safe identifiers only. Built field by field from the
 * audit event, never copied from it, so nothing else can leak into the feed.
 *
 * @param tool the tool's name when it reads as an identifier, else {@code other}
 * @param decision the audit log's word: allowed, warned, blocked, pending, approved, denied or expired
 * @param time to the second
 * @param amount the bucket of a numeric {@code amount} argument ({@code <100}, {@code 100-1k},
 *     {@code 1k-10k}, {@code >10k}), or null
 */
record PublicEntry(String agent, String tool, String decision, Instant time, String amount) {
}
