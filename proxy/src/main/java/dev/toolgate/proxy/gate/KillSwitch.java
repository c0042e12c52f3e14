package dev.toolgate.proxy.gate;

import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.storage.BlockedTool;
import dev.toolgate.storage.BlockedToolStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The blocked-tools list: persisted per workspace, mirrored into the evaluator after every
 * change. The list from {@code toolgate.yaml} applies to every workspace and cannot be changed
 * through the API. Methods block (storage): call them off the event loop.
 */
public final class KillSwitch {
    private final BlockedToolStore store;
    private final PolicyEngine engine;
    /** The file's {@code policy.blocked_tools}; replaced by a reload. */
    private volatile Set<String> configured;

    public KillSwitch(BlockedToolStore store, PolicyEngine engine, List<String> configured) {
        this.store = store;
        this.engine = engine;
        this.configured = Set.copyOf(configured);
    }

    /** Reads the store and loads it under the lock {@link #block} and {@link #unblock} take (see {@code RuleBook.reload}). */
    public synchronized void reload() {
        load(store.all());
    }

    /**
     * Makes the evaluator's lists those of {@code persisted} ({@link BlockedToolStore#all()}):
     * at startup, and whenever another instance changed them. A workspace missing from it has none.
     */
    public synchronized void load(List<BlockedTool> persisted) {
        Map<String, Set<String>> byWorkspace = persisted.stream()
                .collect(Collectors.groupingBy(BlockedTool::workspace, Collectors.mapping(BlockedTool::tool, Collectors.toSet())));
        engine.replaceBlockedTools(configured);
        engine.workspacesWithOwnBlockedTools().stream().filter(workspace -> !byWorkspace.containsKey(workspace))
                .forEach(workspace -> engine.replaceWorkspaceBlockedTools(workspace, Set.of()));
        byWorkspace.forEach(engine::replaceWorkspaceBlockedTools);
    }

    /** The blocked tools of a reloaded {@code toolgate.yaml}; those blocked through the API stay blocked. */
    public synchronized void reconfigure(List<String> configured) {
        this.configured = Set.copyOf(configured);
        engine.replaceBlockedTools(this.configured);
    }

    public List<BlockedTool> list(String workspace) {
        return store.list(workspace);
    }

    public Set<String> configured() {
        return configured;
    }

    /** True when the tool was not blocked in this workspace before. Serialised: each change re-reads the store. */
    public synchronized boolean block(String workspace, String tool, String by) {
        boolean added = store.add(workspace, tool, by);
        refresh(workspace);
        return added;
    }

    /** True when the tool was blocked in this workspace through the API and no longer is. */
    public synchronized boolean unblock(String workspace, String tool) {
        boolean removed = store.remove(workspace, tool);
        refresh(workspace);
        return removed;
    }

    private void refresh(String workspace) {
        engine.replaceWorkspaceBlockedTools(workspace,
                store.list(workspace).stream().map(BlockedTool::tool).collect(Collectors.toSet()));
    }
}
