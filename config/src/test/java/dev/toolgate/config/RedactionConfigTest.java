package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.load;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code redaction} section: the operator's own detectors, checked when the file loads. */
class RedactionConfigTest {
    @TempDir
    Path dir;

    @Test
    void absentMeansBuiltInDetectorsOnly() throws ConfigException {
        assertThat(load(dir, ONE_KEY).redaction()).isEqualTo(RedactionConfig.DEFAULTS);
        assertThat(RedactionConfig.DEFAULTS.patterns()).isEmpty();
        assertThat(RedactionConfig.DEFAULTS.redactEmails()).isFalse();
    }

    @Test
    void theShippedExampleStatesTheDefaults() throws ConfigException {
        assertThat(ConfigLoader.load(Path.of("..", "examples", "toolgate.yaml"), Map.of()).redaction()).isEqualTo(RedactionConfig.DEFAULTS);
    }

    @Test
    void patternsAndEmails() throws ConfigException {
        Config config = load(dir, ONE_KEY + """
                redaction:
                  patterns:
                    - { name: employee_id, regex: "EMP-[0-9]{6}" }
                    - name: ticket
                      regex: 'TCK-\\d+'
                  redact_emails: true
                """);

        assertThat(config.redaction()).isEqualTo(new RedactionConfig(List.of(
                new RedactionConfig.Detector("employee_id", "EMP-[0-9]{6}"),
                new RedactionConfig.Detector("ticket", "TCK-\\d+")), true));
    }

    @Test
    void emptySectionAndEmptyList() throws ConfigException {
        assertThat(load(dir, ONE_KEY + "redaction:\n").redaction()).isEqualTo(RedactionConfig.DEFAULTS);
        assertThat(load(dir, ONE_KEY + "redaction: { patterns: [] }\n").redaction()).isEqualTo(RedactionConfig.DEFAULTS);
    }

    @Test
    void aRegexThatDoesNotCompileIsReportedWhereItIs() {
        assertThat(problems(dir, ONE_KEY + """
                redaction:
                  patterns:
                    - { name: employee_id, regex: "EMP-([0-9]{6}" }
                """)).containsExactly("toolgate.yaml:5:35: redaction.patterns[0].regex: EMP-([0-9]{6} does not compile: "
                + "Unclosed group near index 13 (expected: a Java regular expression such as EMP-[0-9]{6})");
    }

    @Test
    void aRegexThatMatchesEmptyTextIsRefused() {
        assertThat(problems(dir, ONE_KEY + "redaction: { patterns: [ { name: any, regex: \"x*\" } ] }\n")).containsExactly(
                "toolgate.yaml:3:46: redaction.patterns[0].regex: x* matches empty text "
                        + "(expected: a pattern that matches only what to mask)");
    }

    @Test
    void everyEntryIsChecked() {
        assertThat(problems(dir, ONE_KEY + """
                redaction:
                  patterns:
                    - { regex: "A[0-9]+" }
                    - { name: "has space", regex: "B[0-9]+" }
                    - { name: ok, regex: "C[0-9]+", flags: i }
                    - { name: ok, regex: "D[0-9]+" }
                  redact_emails: sometimes
                """)).containsExactly(
                "toolgate.yaml:5:7: redaction.patterns[0].name: missing (expected: a name for what the pattern finds, such as employee_id)",
                "toolgate.yaml:6:15: redaction.patterns[1].name: has space (expected: letters, digits, _ and -, such as employee_id)",
                "toolgate.yaml:7:37: redaction.patterns[2].flags: unknown key 'flags' (expected one of: name, regex)",
                "toolgate.yaml:8:15: redaction.patterns[3].name: duplicate pattern name 'ok' (first used at redaction.patterns[2].name)",
                "toolgate.yaml:9:18: redaction.redact_emails: sometimes (expected: true or false)");
    }

    @Test
    void patternsMustBeAList() {
        assertThat(problems(dir, ONE_KEY + "redaction: { patterns: { name: a, regex: b } }\n")).containsExactly(
                "toolgate.yaml:3:24: redaction.patterns: expected a list of patterns such as "
                        + "[{ name: employee_id, regex: \"EMP-[0-9]{6}\" }], got a mapping");
    }
}
