package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The head (newest hash) of each workspace's chain, kept in memory by a writer that is the only one
 * writing its database, so a batch is chained without reading the database: a head is loaded the
 * first time its workspace is written (a restart continues the chain) and moves only once the batch
 * it ends is durable. Writer thread only.
 */
final class CachedChainHeads {
    private final AuditChain chain = new AuditChain();
    private final Map<String, String> heads = new HashMap<>();
    private final Function<String, String> load;

    /** A batch chained but not yet durable, and where each of its workspaces' chains would then end. */
    record Linked(List<ChainedEvent> events, Map<String, String> heads) {
    }

    /** {@code load}: the hash of a workspace's newest durable event, or {@link AuditChain#GENESIS}. */
    CachedChainHeads(Function<String, String> load) {
        this.load = load;
    }

    Linked link(List<AuditEvent> events) {
        Map<String, String> advanced = new HashMap<>();
        List<ChainedEvent> chained = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            String prevHash = advanced.computeIfAbsent(event.workspace(), workspace -> heads.computeIfAbsent(workspace, load));
            String hash = chain.hash(prevHash, event);
            chained.add(new ChainedEvent(event, prevHash, hash));
            advanced.put(event.workspace(), hash);
        }
        return new Linked(chained, advanced);
    }

    /** The batch is durable: its workspaces' chains continue after it. */
    void advance(Linked linked) {
        heads.putAll(linked.heads());
    }
}
