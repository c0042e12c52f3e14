package dev.toolgate.storage;

import java.util.Map;
import java.util.Optional;

/** Named per-workspace settings managed through the API, stored as text (usually JSON). Blocking. */
public interface SettingsStore {

    Optional<String> get(String workspace, String name);

    /** Every setting of a workspace, by name; empty when it has none. */
    Map<String, String> all(String workspace);

    /** Creates or replaces the setting. */
    void put(String workspace, String name, String value);
}
