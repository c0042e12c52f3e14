package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of mistake, as the operator reads it: {@code file:line:column: path: message}. */
class BadConfigTest {
    private static final String SECTIONS =
            "server, upstream, anthropic, storage, keys, policy, rules, approvals, notifications, response, limits, redaction, judge, mcp, logging, metrics, telemetry, agents, risk, public_feed, deliveries";
    private static final String KEYS_EXPECTED = "at least one key such as { name: my-agent, key: \"${MY_AGENT_KEY}\", role: agent }; "
            + "without keys anyone could call the gateway";

    @TempDir
    Path dir;

    @Test
    void unknownTopLevelKey() {
        assertThat(problems(dir, ONE_KEY + "sever:\n  port: 8080\n"))
                .containsExactly("toolgate.yaml:3:1: sever: unknown key 'sever' (expected one of: " + SECTIONS + ")");
    }

    @Test
    void unknownNestedKey() {
        assertThat(problems(dir, ONE_KEY + "server:\n  prot: 8080\n")).containsExactly(
                "toolgate.yaml:4:3: server.prot: unknown key 'prot' (expected one of: host, port, public_url, idle_timeout, request_timeout,"
                        + " shutdown_grace, instances)");
    }

    @Test
    void unknownKeyDeepInsideAListEntry() {
        assertThat(problems(dir, ONE_KEY + """
                notifications:
                  email: { smtp_server: smtp.example.com, from: a@example.com, to: b@example.com }
                rules:
                  - { id: r, tools: [t], action: warn, approver: someone@example.com }
                """)).containsExactly(
                "toolgate.yaml:4:10: notifications.email.smtp_host: missing (expected: the SMTP server's host name)",
                "toolgate.yaml:4:12: notifications.email.smtp_server: unknown key 'smtp_server' "
                        + "(expected one of: smtp_host, smtp_port, from, to, username, password, starttls)",
                "toolgate.yaml:6:40: rules[0].approver: unknown key 'approver' "
                        + "(expected one of: id, description, tools, when, text, action, approver_email, budget)");
    }

    @Test
    void wrongType() {
        assertThat(problems(dir, ONE_KEY + "upstream:\n  api_key: [a, b]\n"))
                .containsExactly("toolgate.yaml:4:12: upstream.api_key: expected a string, got a list");
        assertThat(problems(dir, ONE_KEY + "server: 8080\n"))
                .containsExactly("toolgate.yaml:3:9: server: expected a mapping, got a number");
        assertThat(problems(dir, ONE_KEY + "rules: { id: r }\n"))
                .containsExactly("toolgate.yaml:3:8: rules: expected a list of rules, got a mapping");
        assertThat(problems(dir, ONE_KEY + "approvals: { expire_after: { hours: 1 } }\n"))
                .containsExactly("toolgate.yaml:3:28: approvals.expire_after: expected a duration, got a mapping");
    }

    @Test
    void badEnum() {
        assertThat(problems(dir, ONE_KEY + "policy:\n  default: allw\n"))
                .containsExactly("toolgate.yaml:4:12: policy.default: allw (expected one of: allow, warn, approve, block)");
        assertThat(problems(dir, "keys:\n  - { name: bot, key: abcdefghijklmnop1234, role: root }\n"))
                .containsExactly("toolgate.yaml:2:51: keys[0].role: root (expected one of: agent, admin)");
        assertThat(problems(dir, ONE_KEY + "approvals: { link_mode: click }\n"))
                .containsExactly("toolgate.yaml:3:25: approvals.link_mode: click (expected one of: confirm, direct)");
    }

    @Test
    void badDuration() {
        assertThat(problems(dir, ONE_KEY + "approvals:\n  expire_after: -1h\n"))
                .containsExactly("toolgate.yaml:4:17: approvals.expire_after: -1h (expected: a positive duration such as 30s, 5m, 24h)");
        assertThat(problems(dir, ONE_KEY + "upstream: { timeout: 0s, connect_timeout: 10 }\n")).containsExactly(
                "toolgate.yaml:3:22: upstream.timeout: 0s (expected: a positive duration such as 30s, 5m, 24h)",
                "toolgate.yaml:3:43: upstream.connect_timeout: 10 (expected: a positive duration such as 30s, 5m, 24h)");
        assertThat(problems(dir, ONE_KEY + "server: { request_timeout: 0ms }\nstorage: { timeout: soon }\n")).containsExactly(
                "toolgate.yaml:3:28: server.request_timeout: 0ms (expected: a positive duration such as 30s, 5m, 24h)",
                "toolgate.yaml:4:21: storage.timeout: soon (expected: a positive duration such as 30s, 5m, 24h)");
    }

    @Test
    void badSize() {
        assertThat(problems(dir, ONE_KEY + "limits: { max_request_size: 10 megabytes }\n")).containsExactly(
                "toolgate.yaml:3:29: limits.max_request_size: 10 megabytes "
                        + "(expected: a positive size in bytes, or with a unit such as 512KiB, 10MiB, 1GiB)");
    }

    @Test
    void portOutOfRange() {
        assertThat(problems(dir, ONE_KEY + "server: { port: 70000 }\n"))
                .containsExactly("toolgate.yaml:3:17: server.port: 70000 (expected: a port number from 0 to 65535)");
    }

    @Test
    void badUrl() {
        assertThat(problems(dir, ONE_KEY + "upstream: { base_url: api.openai.com/v1 }\n")).containsExactly(
                "toolgate.yaml:3:23: upstream.base_url: api.openai.com/v1 "
                        + "(expected: an absolute http or https URL such as https://api.example.com/v1)");
    }

    @Test
    void badJdbcUrlIsNotEchoedBecauseItMayHoldAPassword() {
        assertThat(problems(dir, ONE_KEY + "storage: { url: \"postgres://toolgate:hunter2@db/toolgate\" }\n")).containsExactly(
                "toolgate.yaml:3:17: storage.url: not a JDBC URL "
                        + "(expected: jdbc:h2:file:./data/toolgate or jdbc:postgresql://host:5432/toolgate)");
    }

    @Test
    void badMetadataField() {
        assertThat(problems(dir, ONE_KEY + "response: { metadata_field: x-toolgate }\n")).containsExactly(
                "toolgate.yaml:3:29: response.metadata_field: x-toolgate (expected: a JSON field name matching [A-Za-z_][A-Za-z0-9_]*)");
    }

    @Test
    void badCel() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - id: ok
                    tools: [read_file]
                    action: allow
                  - id: broken
                    tools: [wire_transfer]
                    when: "args.amount >"
                    action: approve
                """)).containsExactly(
                "toolgate.yaml:9:11: rules[1].when: CEL does not compile: ERROR: <input>:1:14: mismatched input '<EOF>' expecting "
                        + "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
                        + " | args.amount > | .............^");
    }

    @Test
    void everyRuleThatDoesNotCompileIsReported() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - { id: a, tools: [t], when: "args.amount >", action: block }
                  - { id: b, tools: [t], when: "args.amount > 10", action: block }
                  - { id: c, tools: [t], when: "nosuchvar == 1", action: block }
                """)).hasSize(2).satisfiesExactly(
                first -> assertThat(first).startsWith("toolgate.yaml:4:32: rules[0].when: CEL does not compile: "),
                second -> assertThat(second).startsWith("toolgate.yaml:6:32: rules[2].when: CEL does not compile: ")
                        .contains("undeclared reference to 'nosuchvar'"));
    }

    @Test
    void duplicateRuleId() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - { id: transfers, tools: [wire_transfer], action: approve }
                  - { id: transfers, tools: [refund], action: block }
                """)).containsExactly("toolgate.yaml:5:11: rules[1].id: duplicate rule id 'transfers' (first used at rules[0].id)");
    }

    @Test
    void ruleFieldsThatAreRequired() {
        assertThat(problems(dir, ONE_KEY + """
                rules:
                  - { description: nothing here }
                  - { id: empty, tools: [], action: block }
                  - { id: blank-tool, tools: [ok, ""], action: block }
                """)).containsExactly(
                "toolgate.yaml:4:5: rules[0].id: missing (expected: a unique rule id)",
                "toolgate.yaml:4:5: rules[0].tools: missing (expected: a list of tool names or globs, such as [wire_transfer] or [\"db_*\"],"
                        + " or a text for the judge model)",
                "toolgate.yaml:4:5: rules[0].action: missing (expected: allow, warn, approve or block)",
                "toolgate.yaml:5:5: rules[1]: rule 'empty' has no tools (expected: at least one name or glob, or a text for a model to judge)",
                "toolgate.yaml:6:35: rules[2].tools[1]: empty (expected: a tool name or a glob such as db_*)");
    }

    @Test
    void duplicateKeyName() {
        assertThat(problems(dir, """
                keys:
                  - { name: ops, key: abcdefghijklmnop1234, role: agent }
                  - { name: ops, key: zyxwvutsrqponmlk9876, role: admin }
                """)).containsExactly("toolgate.yaml:3:13: keys[1].name: duplicate key name 'ops' (first used at keys[0].name)");
    }

    @Test
    void keyFieldsThatAreRequired() {
        assertThat(problems(dir, "keys:\n  - { name: bot, key: abcdefghijklmnop1234 }\n"))
                .containsExactly("toolgate.yaml:2:5: keys[0].role: missing (expected: agent or admin)");
    }

    @Test
    void missingKeysSection() {
        assertThat(problems(dir, "server: { port: 8080 }\n"))
                .containsExactly("toolgate.yaml:1:1: keys: missing (expected: " + KEYS_EXPECTED + ")");
    }

    @Test
    void emptyKeysSection() {
        assertThat(problems(dir, "keys: []\n")).containsExactly("toolgate.yaml:1:7: keys: empty (expected: " + KEYS_EXPECTED + ")");
    }

    @Test
    void emptyFile() {
        assertThat(problems(dir, "")).containsExactly("toolgate.yaml:1:1: keys: missing (expected: " + KEYS_EXPECTED + ")");
    }

    @Test
    void yamlSyntaxError() {
        assertThat(problems(dir, "server:\n  port: 8080\n host: example.com\n")).containsExactly(
                "toolgate.yaml:3:2: expected <block end>, but found '<block mapping start>' (while parsing a block mapping at 1:1)");
    }

    @Test
    void unquotedReferenceInsideBracesGetsAHint() {
        assertThat(problems(dir, "keys:\n  - { name: bot, key: ${BOT_KEY}, role: agent }\n")).containsExactly(
                "toolgate.yaml:2:24: expected ',' or '}', but got { (while parsing a flow mapping at 2:5); "
                        + "inside { } or [ ], a value with ${...} must be quoted: key: \"${VAR}\"");
    }

    @Test
    void duplicateYamlKey() {
        assertThat(problems(dir, ONE_KEY + "server:\n  port: 8080\n  port: 9090\n"))
                .containsExactly("toolgate.yaml:5:3: server.port: duplicate key 'port' (first set at line 4)");
    }

    @Test
    void documentThatIsNotAMapping() {
        assertThat(problems(dir, "- keys\n")).containsExactly("toolgate.yaml:1:1: expected a mapping, got a list");
    }

    @Test
    void missingFile() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir.resolve("toolgate.yaml"), Map.of()));

        assertThat(e.getMessage()).isEqualTo("toolgate.yaml: cannot read " + dir.resolve("toolgate.yaml").toAbsolutePath() + ": no such file");
    }

    @Test
    void reportsEveryProblemInFileOrderOnePerLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(ConfigFiles.write(dir, """
                limits: { max_request_size: lots }
                server: { port: -1 }
                keys:
                  - { name: bot, key: short, role: agent }
                """), Map.of()));

        assertThat(e.getMessage()).isEqualTo("""
                toolgate.yaml:1:29: limits.max_request_size: lots (expected: a positive size in bytes, or with a unit such as 512KiB, 10MiB, 1GiB)
                toolgate.yaml:2:17: server.port: -1 (expected: a port number from 0 to 65535)
                toolgate.yaml:4:23: keys[0].key: too short: 5 characters (expected: at least 16 characters)""");
        assertThat(e.problems()).extracting(ConfigProblem::path)
                .containsExactly("limits.max_request_size", "server.port", "keys[0].key");
    }
}
