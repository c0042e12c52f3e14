package dev.toolgate.proxy.gate;

import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of an agent's calls were blocked (or denied by an approver) lately: a sliding window
 * per agent, in memory, fed by committed decisions. Each process counts its own; the count is a
 * risk factor, not a limit, so an approximate count is enough.
 */
public final class RecentBlocks implements DecisionObserver {
    /** How far back a block counts. */
    public static final Duration WINDOW = Duration.ofMinutes(15);
    /** More than this many blocks add nothing more to the score, so no more are kept. */
    private static final int KEPT = 8;

    private final Clock clock;
    /** Workspace and agent to the times of their recent blocks, oldest first; bounded by the configured keys. */
    private final Map<String, ArrayDeque<Instant>> byAgent = new ConcurrentHashMap<>();

    public RecentBlocks(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        for (AuditEvent event : events) {
            if (event.decision().equals("blocked") || event.decision().equals("denied")) {
                ArrayDeque<Instant> times = byAgent.computeIfAbsent(key(event.workspace(), event.agent()), k -> new ArrayDeque<>());
                synchronized (times) {
                    times.addLast(event.time());
                    while (times.size() > KEPT) {
                        times.removeFirst();
                    }
                }
            }
        }
    }

    /** Blocks of {@code agent} in {@code workspace} within the last {@link #WINDOW}. */
    public int count(String workspace, String agent) {
        ArrayDeque<Instant> times = byAgent.get(key(workspace, agent));
        if (times == null) {
            return 0;
        }
        Instant since = clock.instant().minus(WINDOW);
        synchronized (times) {
            while (!times.isEmpty() && times.peekFirst().isBefore(since)) {
                times.removeFirst();
            }
            return times.size();
        }
    }

    private static String key(String workspace, String agent) {
        return workspace + '\u0000' + agent;
    }
}
