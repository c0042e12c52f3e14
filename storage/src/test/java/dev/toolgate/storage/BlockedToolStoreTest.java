package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlockedToolStoreTest {
    private Storage storage;
    private BlockedToolStore blocked;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
        blocked = storage.blockedTools();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void addingRecordsWhoAndWhen() {
        assertThat(blocked.add("acme", "delete_file", "ops")).isTrue();

        assertThat(blocked.list("acme")).containsExactly(new BlockedTool("acme", "delete_file", TestData.NOW, "ops"));
    }

    @Test
    void addingTwiceIsHarmless() {
        assertThat(blocked.add("acme", "delete_file", "ops")).isTrue();
        assertThat(blocked.add("acme", "delete_file", "someone-else")).isFalse();

        assertThat(blocked.list("acme")).singleElement().extracting(BlockedTool::createdBy).isEqualTo("ops");
    }

    @Test
    void removingUnblocksOnlyWhatWasBlocked() {
        blocked.add("acme", "delete_file", "ops");
        blocked.add("acme", "drop_table", "ops");

        assertThat(blocked.remove("acme", "delete_file")).isTrue();
        assertThat(blocked.remove("acme", "delete_file")).isFalse();
        assertThat(blocked.remove("acme", "never_blocked")).isFalse();
        assertThat(blocked.list("acme")).extracting(BlockedTool::tool).containsExactly("drop_table");
    }

    @Test
    void workspacesAreIsolated() {
        blocked.add("acme", "delete_file", "ops");
        blocked.add("other", "send_email", "ops");
        blocked.add("other", "delete_file", "ops");

        assertThat(blocked.list("acme")).extracting(BlockedTool::tool).containsExactly("delete_file");
        assertThat(blocked.remove("acme", "send_email")).isFalse();
        blocked.remove("other", "delete_file");
        assertThat(blocked.list("acme")).extracting(BlockedTool::tool).containsExactly("delete_file");
        assertThat(blocked.all()).extracting(b -> b.workspace() + "/" + b.tool())
                .containsExactly("acme/delete_file", "other/send_email");
    }
}
