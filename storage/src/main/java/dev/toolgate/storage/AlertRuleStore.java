package dev.toolgate.storage;

import java.util.List;
import java.util.Optional;

/** Alert rules created through the API. */
public interface AlertRuleStore {

    void create(StoredAlertRule rule);

    /** Every workspace's rules, oldest first: what the evaluator watches. */
    List<StoredAlertRule> all();

    List<StoredAlertRule> list(String workspace);

    Optional<StoredAlertRule> find(String workspace, String id);

    boolean delete(String workspace, String id);
}
