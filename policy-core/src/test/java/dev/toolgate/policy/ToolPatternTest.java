package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A rule's {@code tools}: exact names and globs, where only {@code *} and {@code ?} are special. */
class ToolPatternTest {

    /** Blocks whatever {@code pattern} matches; everything else is allowed by default. */
    private static boolean blocks(String tool, String... patterns) {
        RuleSet rules = compile(PolicyDefaults.STANDARD, rule("pattern-under-test", Action.BLOCK, null, patterns));
        Decision decision = evaluate(rules, call(tool, "{}"));
        if (decision instanceof Decision.Blocked) {
            assertThat(decision.matchedRules()).containsExactly("pattern-under-test");
            assertThat(decision.decidingRule()).isEqualTo("pattern-under-test");
            return true;
        }
        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.DEFAULT_RULE);
        return false;
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "send_email, send_email,     true",
            "send_email, send_email_v2,  false",
            "send_email, send,           false",
            "send_email, resend_email,   false",
            "send_email, Send_Email,     false",
    })
    void exactNames(String pattern, String tool, boolean expected) {
        assertThat(blocks(tool, pattern)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "db_*,   db_query,       true",
            "db_*,   db_drop_table,  true",
            "db_*,   db_,            true",
            "db_*,   db,             false",
            "db_*,   mydb_query,     false",
            "db_*,   DB_QUERY,       false",
            "*_file, read_file,      true",
            "*_file, read_file_v2,   false",
            "*,      anything,       true",
            "*,      a,              true",
            "db_*_v?, db_read_v2,    true",
            "db_*_v?, db_read_v10,   false",
    })
    void starGlobs(String pattern, String tool, boolean expected) {
        assertThat(blocks(tool, pattern)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "file_?, file_a,  true",
            "file_?, file_9,  true",
            "file_?, file_,   false",
            "file_?, file_ab, false",
            "?,      x,       true",
            "?,      xy,      false",
    })
    void questionMarkIsExactlyOneCharacter(String pattern, String tool, boolean expected) {
        assertThat(blocks(tool, pattern)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "a.b      | a.b      | true",
            "a.b      | axb      | false",
            "a.b*     | a.bc     | true",
            "a.b*     | axbc     | false",
            "calc+    | calcc    | false",
            "calc+    | calc+    | true",
            "run(x)?  | run(x)1  | true",
            "run(x)?  | runx1    | false",
            "[ab]*    | [ab]_x   | true",
            "[ab]*    | a_x      | false",
            "^tool$*  | ^tool$x  | true",
            "^tool$*  | toolx    | false",
            "x\\E.*   | x\\E.yz  | true",
            "x\\E.*   | x\\Eqyz  | false",
            "a{2}?    | a{2}b    | true",
            "a{2}?    | aab      | false",
            "'a|b*'   | 'a|bc'   | true",
            "'a|b*'   | a        | false",
    })
    void regexMetacharactersAreLiteral(String pattern, String tool, boolean expected) {
        assertThat(blocks(tool, pattern)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "send_email,   true",
            "db_query,     true",
            "file_a,       true",
            "send_sms,     false",
            "file_ab,      false",
            "mydb_query,   false",
    })
    void ruleWithSeveralPatternsMatchesAnyOfThem(String tool, boolean expected) {
        assertThat(blocks(tool, "send_email", "db_*", "file_?")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "send_email, true",
            "send_sms,   true",
            "send_fax,   false",
    })
    void ruleWithSeveralExactNamesMatchesEach(String tool, boolean expected) {
        assertThat(blocks(tool, "send_email", "send_sms")).isEqualTo(expected);
    }
}
