package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policy versions are numbered per workspace and kept; drafts are applied once; a rule set is replaced whole. */
class PolicyVersionStoreTest {
    private Storage storage;
    private PolicyVersionStore versions;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
        versions = storage.policyVersions();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void versionsAreNumberedPerWorkspaceAndListedNewestFirst() {
        PolicyVersion first = versions.create("pv-1", "acme", "rules: []\n", "aaa", null, TestData.NOW, "ops", TestData.NOW);
        PolicyVersion draft = versions.create("pv-2", "acme", "rules: []\n", "bbb", "pv-1", TestData.NOW, "ops", null);
        versions.create("pv-3", "other", "rules: []\n", "ccc", null, TestData.NOW, "ops", null);

        assertThat(first.number()).isEqualTo(1);
        assertThat(first.draft()).isFalse();
        assertThat(first.appliedBy()).isEqualTo("ops");
        assertThat(draft.number()).isEqualTo(2);
        assertThat(draft.draft()).isTrue();
        assertThat(draft.restoredFrom()).isEqualTo("pv-1");
        assertThat(versions.list("acme")).extracting(PolicyVersion::id).containsExactly("pv-2", "pv-1");
        assertThat(versions.find("acme", "pv-3")).isEmpty();
        assertThat(versions.find("other", "pv-3").orElseThrow().number()).isEqualTo(1);
    }

    @Test
    void aDraftIsMarkedAppliedOnce() {
        versions.create("pv-1", "acme", "rules: []\n", "aaa", null, TestData.NOW, "ops", null);

        assertThat(versions.markApplied("acme", "pv-1", TestData.NOW.plusSeconds(5), "lead")).isTrue();
        assertThat(versions.markApplied("acme", "pv-1", TestData.NOW.plusSeconds(9), "lead")).isFalse();
        PolicyVersion applied = versions.find("acme", "pv-1").orElseThrow();
        assertThat(applied.appliedAt()).isEqualTo(TestData.NOW.plusSeconds(5));
        assertThat(applied.appliedBy()).isEqualTo("lead");
    }

    @Test
    void replaceAllSwapsOneWorkspacesRulesAndMovesThePolicyTopic() {
        storage.rules().create(TestData.rule("acme", "old", TestData.NOW, List.of("deploy")));
        storage.rules().create(TestData.rule("other", "kept", TestData.NOW, List.of("deploy")));
        Map<ChangeFeed.Topic, Long> before = storage.changes().versions();
        StoredRule first = TestData.rule("acme", "new-1", TestData.NOW, List.of("a"));
        StoredRule second = TestData.rule("acme", "new-2", TestData.NOW.plusMillis(1), List.of("b"));

        storage.rules().replaceAll("acme", List.of(first, second));

        assertThat(storage.rules().list("acme")).containsExactly(first, second);
        assertThat(storage.rules().list("other")).extracting(StoredRule::id).containsExactly("kept");
        assertThat(storage.changes().versions().get(ChangeFeed.Topic.POLICY)).isGreaterThan(before.get(ChangeFeed.Topic.POLICY));
    }
}
