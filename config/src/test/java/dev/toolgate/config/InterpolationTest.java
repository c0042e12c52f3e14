package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpolationTest {
    @TempDir
    Path dir;

    @Test
    void replacesASetVariable() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "upstream: { api_key: \"${OPENAI_API_KEY}\" }\n",
                Map.of("OPENAI_API_KEY", "sk-from-env"));

        assertThat(config.upstream().apiKey()).isEqualTo("sk-from-env");
    }

    @Test
    void replacesInsideALongerValue() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "storage:\n  url: jdbc:postgresql://${DB_HOST}:${DB_PORT:-5432}/toolgate\n",
                Map.of("DB_HOST", "db.internal"));

        assertThat(config.storage().url()).isEqualTo("jdbc:postgresql://db.internal:5432/toolgate");
    }

    @Test
    void usesTheDefaultWhenUnset() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "server:\n  host: ${BIND_HOST:-127.0.0.1}\n", Map.of());

        assertThat(config.server().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void usesTheDefaultWhenEmpty() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "server:\n  host: ${BIND_HOST:-127.0.0.1}\n", Map.of("BIND_HOST", ""));

        assertThat(config.server().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void anEmptyDefaultIsAllowed() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "upstream:\n  api_key: ${OPENAI_API_KEY:-}\n", Map.of());

        assertThat(config.upstream().apiKey()).isEmpty();
    }

    @Test
    void anUnsetVariableWithoutDefaultIsAProblem() {
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "upstream:\n  api_key: ${OPENAI_API_KEY}\n")).containsExactly(
                "toolgate.yaml:4:12: upstream.api_key: environment variable OPENAI_API_KEY is not set "
                        + "(use ${OPENAI_API_KEY:-default} for an optional value)");
    }

    @Test
    void aSetButEmptyVariableWithoutDefaultIsEmpty() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "upstream:\n  api_key: ${OPENAI_API_KEY}\n", Map.of("OPENAI_API_KEY", ""));

        assertThat(config.upstream().apiKey()).isEmpty();
    }

    @Test
    void doubleDollarIsALiteral() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "storage:\n  password: \"$${NOT_A_VARIABLE} costs $5\"\n", Map.of());

        assertThat(config.storage().password()).isEqualTo("${NOT_A_VARIABLE} costs $5");
    }

    @Test
    void environmentValuesAreNotExpandedAgain() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "storage:\n  password: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", "a${B}c"));

        assertThat(config.storage().password()).isEqualTo("a${B}c");
    }

    @Test
    void valuesAreTypedAfterInterpolation() throws ConfigException {
        String yaml = ConfigFiles.ONE_KEY + """
                server:
                  port: ${PORT:-8081}
                  idle_timeout: ${IDLE_TIMEOUT:-5m}
                notifications:
                  email:
                    smtp_host: smtp.example.com
                    from: toolgate@example.com
                    to: ops@example.com
                    starttls: ${SMTP_STARTTLS:-false}
                """;

        Config defaults = ConfigFiles.load(dir, yaml, Map.of());
        assertThat(defaults.server().port()).isEqualTo(8081);
        assertThat(defaults.server().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.notifications().email().starttls()).isFalse();

        Config fromEnv = ConfigFiles.load(dir, yaml, Map.of("PORT", "9000", "IDLE_TIMEOUT", "30s", "SMTP_STARTTLS", "true"));
        assertThat(fromEnv.server().port()).isEqualTo(9000);
        assertThat(fromEnv.server().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fromEnv.notifications().email().starttls()).isTrue();
    }

    @Test
    void anInterpolatedValueIsValidatedLikeAWrittenOne() {
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "server:\n  port: ${PORT:-8080}\n", Map.of("PORT", "eighty")))
                .containsExactly("toolgate.yaml:4:9: server.port: eighty (expected: a port number from 0 to 65535)");
    }

    @Test
    void anEmptyValueMeansTheDefault() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "server:\n  port: ${PORT:-}\n", Map.of());

        assertThat(config.server().port()).isEqualTo(8080);
    }

    @Test
    void interpolatesRuleConditions() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + """
                rules:
                  - { id: big, tools: [pay], when: "args.amount > ${LIMIT:-1000}", action: block }
                """, Map.of("LIMIT", "250"));

        assertThat(config.rules().get(0).when()).isEqualTo("args.amount > 250");
    }

    @Test
    void keysAreNeverInterpolated() {
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "${SECTION}: {}\n", Map.of("SECTION", "server")))
                .singleElement().asString()
                .startsWith("toolgate.yaml:3:1: ${SECTION}: unknown key '${SECTION}' (expected one of: server, ");
    }

    @Test
    void reportsAMalformedReference() {
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "storage:\n  password: \"${DB-PASSWORD}\"\n")).containsExactly(
                "toolgate.yaml:4:13: storage.password: ${DB-PASSWORD} is not a variable reference "
                        + "(expected: ${VAR} or ${VAR:-default}; write $${ for a literal ${)");
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "storage:\n  password: \"x${DB_PASSWORD\"\n")).containsExactly(
                "toolgate.yaml:4:13: storage.password: unterminated ${DB_PASSWORD "
                        + "(expected: ${VAR} or ${VAR:-default}; write $${ for a literal ${)");
    }
}
