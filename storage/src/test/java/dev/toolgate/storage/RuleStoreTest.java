package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuleStoreTest {
    private Storage storage;
    private RuleStore rules;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
        rules = storage.rules();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void createdRuleIsListedFieldForFieldWithItsTools() {
        StoredRule rule = TestData.rule("acme", "rule-1", TestData.NOW,
                List.of("wire_transfer", "refund \"partial\"", "überweisung", "a,b"));
        rules.create(rule);

        assertThat(rules.list("acme")).containsExactly(rule);
    }

    @Test
    void optionalFieldsMayBeMissing() {
        StoredRule rule = new StoredRule("rule-1", "acme", "block every shell call", "block", null, List.of(), null, true,
                TestData.NOW, null);
        rules.create(rule);

        assertThat(rules.list("acme")).containsExactly(rule);
    }

    @Test
    void listIsOldestFirstAndAllIsByWorkspace() {
        StoredRule second = TestData.rule("acme", "rule-b", TestData.NOW, List.of("refund"));
        StoredRule first = TestData.rule("acme", "rule-a", TestData.NOW.minusSeconds(60), List.of("wire_transfer"));
        StoredRule elsewhere = TestData.rule("beta", "rule-c", TestData.NOW.minusSeconds(120), List.of("shell"));
        rules.create(second);
        rules.create(elsewhere);
        rules.create(first);

        assertThat(rules.list("acme")).containsExactly(first, second);
        assertThat(rules.list("beta")).containsExactly(elsewhere);
        assertThat(rules.list("nobody")).isEmpty();
        assertThat(rules.all()).containsExactly(first, second, elsewhere);
    }

    @Test
    void deleteRemovesOnlyTheWorkspacesOwnRule() {
        rules.create(TestData.rule("acme", "rule-1", TestData.NOW, List.of("wire_transfer")));
        rules.create(TestData.rule("beta", "rule-2", TestData.NOW, List.of("wire_transfer")));

        assertThat(rules.delete("beta", "rule-1")).as("another workspace's rule").isFalse();
        assertThat(rules.delete("acme", "rule-1")).isTrue();
        assertThat(rules.delete("acme", "rule-1")).isFalse();
        assertThat(rules.list("acme")).isEmpty();
        assertThat(rules.list("beta")).extracting(StoredRule::id).containsExactly("rule-2");
    }

    @Test
    void aDuplicateIdIsRefusedWithoutChangingTheStoredRule() {
        StoredRule rule = TestData.rule("acme", "rule-1", TestData.NOW, List.of("wire_transfer"));
        rules.create(rule);

        assertThatThrownBy(() -> rules.create(TestData.rule("beta", "rule-1", TestData.NOW, List.of("refund"))))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("rule-1 already exists");
        assertThat(rules.all()).containsExactly(rule);
    }

    @Test
    void ruleActionsAreApproveOrBlock() {
        assertThatThrownBy(() -> new StoredRule("rule-1", "acme", "text", "allow", null, List.of(), null, false, TestData.NOW, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: approve or block");
    }
}
