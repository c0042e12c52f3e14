package dev.toolgate.proxy.publicfeed;

import dev.toolgate.config.PublicFeedConfig;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The recent decisions of the allow-listed agents, kept in memory for the public feed: a ring of
 * the last {@link #KEPT} entries and each agent's latest. Told of every committed decision (the
 * gate's and the approvers'); an agent not on the list is ignored at once, so the cost for every
 * other call is one set lookup. Nothing is read from storage: after a restart the feed starts empty.
 */
public final class PublicFeed implements DecisionObserver {
    /** Entries kept across all shown agents. */
    static final int KEPT = 200;
    /** An agent with a decision this recent is {@code active}; else {@code quiet}. */
    static final Duration ACTIVE_WITHIN = Duration.ofMinutes(5);
    private static final Pattern SAFE_TOOL_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /**
     * An agent's circuit-breaker state as the public may see it ({@code monitoring}, {@code warn},
     * {@code throttle}, {@code halt} or {@code killed}), or null when there is none to show.
     */
    @FunctionalInterface
    public interface BreakerStatus {
        BreakerStatus NONE = agent -> null;

        String of(String agent);
    }

    private final PublicFeedConfig config;
    private final Set<String> agents;
    private final Clock clock;
    private final ArrayDeque<PublicEntry> recent = new ArrayDeque<>(KEPT);
    private final Map<String, PublicEntry> latest = new ConcurrentHashMap<>();
    private volatile BreakerStatus breakers = BreakerStatus.NONE;

    public PublicFeed(PublicFeedConfig config, Clock clock) {
        this.config = config;
        this.agents = Set.copyOf(config.agents());
        this.clock = clock;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Shows each agent's breaker state in {@code /public/live/status} from now on. */
    public void showBreakers(BreakerStatus breakers) {
        this.breakers = breakers;
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        if (!config.enabled()) {
            return;
        }
        for (AuditEvent event : events) {
            if (agents.contains(event.agent())) {
                PublicEntry entry = new PublicEntry(event.agent(), safeToolName(event.tool()), event.decision(),
                        event.time().truncatedTo(ChronoUnit.SECONDS), AmountBuckets.of(event.arguments()));
                latest.put(entry.agent(), entry);
                synchronized (recent) {
                    if (recent.size() == KEPT) {
                        recent.removeFirst();
                    }
                    recent.addLast(entry);
                }
            }
        }
    }

    /** The newest entries first, at most {@code limit}. */
    List<PublicEntry> recent(int limit) {
        List<PublicEntry> newest = new ArrayList<>(Math.min(limit, KEPT));
        synchronized (recent) {
            for (Iterator<PublicEntry> entries = recent.descendingIterator(); entries.hasNext() && newest.size() < limit; ) {
                newest.add(entries.next());
            }
        }
        return newest;
    }

    /** Each allow-listed agent's status, in the configured order. */
    List<AgentStatus> statuses() {
        Instant activeSince = clock.instant().minus(ACTIVE_WITHIN);
        List<AgentStatus> statuses = new ArrayList<>(config.agents().size());
        for (String agent : config.agents()) {
            PublicEntry last = latest.get(agent);
            boolean active = last != null && !last.time().isBefore(activeSince.truncatedTo(ChronoUnit.SECONDS));
            statuses.add(new AgentStatus(agent, active ? "active" : "quiet", last, breakers.of(agent)));
        }
        return statuses;
    }

    /** One agent as {@code /public/live/status} shows it; {@code last} and {@code breaker} may be null. */
    record AgentStatus(String agent, String status, PublicEntry last, String breaker) {
    }

    static String safeToolName(String tool) {
        return SAFE_TOOL_NAME.matcher(tool).matches() ? tool : "other";
    }
}
