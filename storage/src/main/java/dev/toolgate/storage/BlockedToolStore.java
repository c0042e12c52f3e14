package dev.toolgate.storage;

import java.util.List;

/** The persisted kill-switch list, per workspace. All methods are blocking. */
public interface BlockedToolStore {

    /** The workspace's blocked tools, by tool name. */
    List<BlockedTool> list(String workspace);

    /** Every workspace's blocked tools, by workspace then tool name (loaded at startup). */
    List<BlockedTool> all();

    /** Blocks a tool; false when it was already blocked, which changes nothing. */
    boolean add(String workspace, String tool, String createdBy);

    /** Unblocks a tool; false when it was not blocked. */
    boolean remove(String workspace, String tool);
}
