package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.toolgate.storage.jdbi.JdbiStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SettingsStoreTest {
    private Storage storage;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void putCreatesThenReplacesPerWorkspace() {
        SettingsStore settings = storage.settings();
        assertThat(settings.get("acme", "notifications")).isEmpty();

        settings.put("acme", "notifications", "{\"slack\":true}");
        settings.put("acme", "notifications", "{\"slack\":false}");
        settings.put("other", "notifications", "{\"email\":true}");

        assertThat(settings.get("acme", "notifications")).contains("{\"slack\":false}");
        assertThat(settings.get("other", "notifications")).contains("{\"email\":true}");
    }

    @Test
    void allReturnsTheWorkspacesSettingsByName() {
        SettingsStore settings = storage.settings();
        assertThat(settings.all("acme")).isEmpty();

        settings.put("acme", "slack", "{\"webhook\":\"https://hooks.example.com/a\"}");
        settings.put("acme", "email", "{\"to\":[\"finance@example.com\"]}");
        settings.put("acme", "email", "{\"to\":[]}");
        settings.put("other", "teams", "{}");

        assertThat(settings.all("acme")).containsExactly(
                entry("email", "{\"to\":[]}"),
                entry("slack", "{\"webhook\":\"https://hooks.example.com/a\"}"));
        assertThat(settings.all("other")).containsOnlyKeys("teams");
    }
}
