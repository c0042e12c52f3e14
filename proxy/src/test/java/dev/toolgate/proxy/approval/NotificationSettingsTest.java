package dev.toolgate.proxy.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.EmailConfig;
import dev.toolgate.config.NotificationsConfig;
import dev.toolgate.proxy.notify.NotificationTargets;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a held call's request is sent: the rule's approver, the workspace's address, or nowhere once turned off. */
class NotificationSettingsTest {
    private static final NotificationsConfig DEFAULTS = new NotificationsConfig(
            new EmailConfig("smtp.example.com", 587, "toolgate@example.com", "ops@example.com", "", "", true), "", "");

    private Storage storage;
    private NotificationSettings settings;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of("jdbc:h2:mem:settings-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
        settings = new NotificationSettings(storage.settings(), DEFAULTS);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void aRulesApproverGetsTheEmailOtherwiseTheWorkspacesAddress() {
        assertThat(settings.targets("default", "finance@example.com").email()).isEqualTo("finance@example.com");
        assertThat(settings.targets("default", null).email()).isEqualTo("ops@example.com");
        settings.put("default", NotificationSettings.NOTIFY_EMAIL, "approvers@example.com");
        assertThat(settings.targets("default", null).email()).isEqualTo("approvers@example.com");
        assertThat(settings.targets("default", "finance@example.com").email()).isEqualTo("finance@example.com");
    }

    @Test
    void aWorkspaceThatTurnedEmailOffGetsNoneEvenForARulesApprover() {
        settings.put("default", NotificationSettings.NOTIFY_EMAIL, "");

        NotificationTargets targets = settings.targets("default", "finance@example.com");

        assertThat(targets.email()).isEmpty();
        assertThat(settings.targets("other", "finance@example.com").email()).as("other workspaces keep theirs")
                .isEqualTo("finance@example.com");
    }
}
