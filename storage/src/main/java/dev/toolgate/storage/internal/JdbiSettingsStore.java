package dev.toolgate.storage.internal;

import dev.toolgate.storage.SettingsStore;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@link SettingsStore} on the {@code settings} table. */
public final class JdbiSettingsStore implements SettingsStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiSettingsStore(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<String> get(String workspace, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT setting_value FROM settings"
                        + " WHERE workspace = :workspace AND name = :name")
                .bind("workspace", workspace)
                .bind("name", name)
                .mapTo(String.class)
                .findOne());
    }

    @Override
    public Map<String, String> all(String workspace) {
        return jdbi.withHandle(handle -> {
            Map<String, String> settings = new LinkedHashMap<>();
            handle.createQuery("SELECT name, setting_value FROM settings WHERE workspace = :workspace ORDER BY name")
                    .bind("workspace", workspace)
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("setting_value")))
                    .forEach(entry -> settings.put(entry.getKey(), entry.getValue()));
            return Collections.unmodifiableMap(settings);
        });
    }

    @Override
    public void put(String workspace, String name, String value) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        // Update-then-insert is the upsert both H2 and PostgreSQL understand; a racing insert retries as an update.
        try {
            jdbi.useHandle(handle -> {
                if (update(handle, workspace, name, value) == 0) {
                    handle.createUpdate("INSERT INTO settings (workspace, name, setting_value, updated_at)"
                                    + " VALUES (:workspace, :name, :value, :now)")
                            .bind("workspace", workspace)
                            .bind("name", name)
                            .bind("value", value)
                            .bind("now", clock.instant())
                            .execute();
                }
            });
        } catch (RuntimeException e) {
            if (!SqlErrors.isDuplicateKey(e)) {
                throw e;
            }
            jdbi.useHandle(handle -> update(handle, workspace, name, value));
        }
    }

    private int update(Handle handle, String workspace, String name, String value) {
        return handle.createUpdate("UPDATE settings SET setting_value = :value, updated_at = :now"
                        + " WHERE workspace = :workspace AND name = :name")
                .bind("workspace", workspace)
                .bind("name", name)
                .bind("value", value)
                .bind("now", clock.instant())
                .execute();
    }
}
