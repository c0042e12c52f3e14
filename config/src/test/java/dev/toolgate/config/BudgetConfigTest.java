package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.load;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.policy.Budget;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rule's {@code budget}: how it is written, and each mistake as the operator reads it. */
class BudgetConfigTest {
    @TempDir
    Path dir;

    @Test
    void budgetIsAPropertyOfTheRule() throws ConfigException {
        Config config = load(dir, ONE_KEY + """
                rules:
                  - id: refund-budget
                    tools: [issue_refund]
                    budget: { sum: "args.amount", per: 24h, max: 5000, scope: workspace }
                    action: approve
                  - { id: api-spend, tools: [call_api], budget: { sum: "1", per: 1h, max: 99.5 }, action: block }
                """);

        assertThat(config.rules().get(0).budget())
                .isEqualTo(new Budget("args.amount", Duration.ofHours(24), new BigDecimal("5000"), Budget.Scope.WORKSPACE));
        assertThat(config.rules().get(1).budget().scope()).as("scope defaults to agent").isEqualTo(Budget.Scope.AGENT);
        assertThat(config.rules().get(1).budget().max()).isEqualByComparingTo("99.5");
    }

    @Test
    void budgetFieldsThatAreRequiredOrMistyped() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - { id: a, tools: [t], budget: { per: 24h, max: 10 }, action: approve }
                  - { id: b, tools: [t], budget: { sum: "args.n", per: daily, max: 0, scope: team }, action: block }
                  - { id: c, tools: [t], budget: { sum: "args.n", per: 1h, max: 5, limit: 3 }, action: block }
                  - { id: d, tools: [t], budget: 5000, action: block }
                """)).containsExactly(
                "toolgate.yaml:4:34: rules[0].budget.sum: missing (expected: a CEL expression giving a number, such as args.amount)",
                "toolgate.yaml:5:56: rules[1].budget.per: daily (expected: a positive duration such as 30s, 5m, 24h)",
                "toolgate.yaml:5:68: rules[1].budget.max: 0 (expected: a positive number such as 5000)",
                "toolgate.yaml:5:78: rules[1].budget.scope: team (expected one of: agent, workspace)",
                "toolgate.yaml:6:68: rules[2].budget.limit: unknown key 'limit' (expected one of: sum, per, max, scope)",
                "toolgate.yaml:7:34: rules[3].budget: expected a mapping, got a number");
    }

    @Test
    void sumThatDoesNotCompileIsReportedAtTheSum() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - id: refunds
                    tools: [issue_refund]
                    budget:
                      sum: "args.amount +"
                      per: 24h
                      max: 5000
                    action: approve
                """)).singleElement().asString()
                .startsWith("toolgate.yaml:7:12: rules[0].budget.sum: CEL does not compile: ");
    }

    @Test
    void budgetNeedsAnExactRuleThatHoldsOrBlocks() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - { id: w, tools: [t], budget: { sum: "1", per: 1h, max: 5 }, action: warn }
                  - { id: j, text: "Refunds to friends", budget: { sum: "1", per: 1h, max: 5 }, action: block }
                """)).containsExactly(
                "toolgate.yaml:4:5: rules[0]: rule 'w' has a budget and action warn (expected: approve or block,"
                        + " what happens to a call over the budget)",
                "toolgate.yaml:5:5: rules[1]: rule 'j' has a budget and a text (expected: a budget on an exact rule)");
    }
}
