package dev.toolgate.storage;

import java.util.List;

/** Approval rules created through the API, per workspace. All methods are blocking. */
public interface RuleStore {

    /** The workspace's rules, oldest first. */
    List<StoredRule> list(String workspace);

    /** Every workspace's rules, by workspace then oldest first (loaded at startup). */
    List<StoredRule> all();

    /** Stores a rule; throws {@link StorageException} when a rule with its id already exists. */
    void create(StoredRule rule);

    /** Deletes a rule of this workspace; false when the workspace has no rule with this id. */
    boolean delete(String workspace, String id);

    /**
     * Makes {@code rules} (all of {@code workspace}) the workspace's rules, in one transaction: an
     * imported policy version replaces the rules created through the API.
     */
    void replaceAll(String workspace, List<StoredRule> rules);
}
