package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code key_sha256}: a key configured by its digest, and a raw key that is kept only as one. */
class KeyDigestTest {
    private static final String KEY = "agent-key-0123456789";
    /** {@code printf %s agent-key-0123456789 | sha256sum} */
    private static final String DIGEST = KeyConfig.sha256Of(KEY);

    @TempDir
    Path dir;

    @Test
    void theDigestOfAKnownKeyIsWhatSha256sumPrints() {
        assertThat(KeyConfig.sha256Of("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aKeyGivenByItsDigest() throws ConfigException {
        Config config = ConfigFiles.load(dir, "keys:\n  - { name: bot, key_sha256: " + DIGEST + ", role: agent }\n");

        assertThat(config.keys()).containsExactly(new KeyConfig("bot", DIGEST, Role.AGENT, "default", false));
    }

    @Test
    void anUpperCaseDigestFromAnEnvironmentVariableIsAcceptedAsLowerCase() throws ConfigException {
        Config config = ConfigFiles.load(dir, "keys:\n  - { name: bot, key_sha256: \"${BOT_KEY_SHA256}\", role: agent }\n",
                Map.of("BOT_KEY_SHA256", DIGEST.toUpperCase(Locale.ROOT)));

        assertThat(config.keys().get(0).keySha256()).isEqualTo(DIGEST);
    }

    @Test
    void aRawKeyIsKeptOnlyAsItsDigest() throws ConfigException {
        Config config = ConfigFiles.load(dir, "keys:\n  - { name: bot, key: " + KEY + ", role: agent }\n");

        assertThat(config.keys().get(0).keySha256()).isEqualTo(DIGEST);
        assertThat(config.toString()).doesNotContain(KEY).doesNotContain(DIGEST);
    }

    @Test
    void aDigestOfTheWrongLengthIsRefusedWithoutBeingPrinted() {
        // The usual slip: the raw key pasted into key_sha256.
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key_sha256: " + KEY + ", role: agent }\n")).containsExactly(
                "toolgate.yaml:2:30: keys[0].key_sha256: 20 characters (expected: the key's SHA-256 as 64 hexadecimal characters, "
                        + "the first word printed by: printf %s \"$KEY\" | sha256sum)");
    }

    @Test
    void aDigestWithTheFileNameSha256sumPrintsIsRefused() {
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key_sha256: \"" + DIGEST + "  -\", role: agent }\n"))
                .singleElement().asString().startsWith("toolgate.yaml:2:30: keys[0].key_sha256: 67 characters (expected: ");
    }

    @Test
    void aDigestThatIsNotHexadecimalIsRefused() {
        String notHex = "g" + DIGEST.substring(1);
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key_sha256: " + notHex + ", role: agent }\n"))
                .singleElement().asString()
                .startsWith("toolgate.yaml:2:30: keys[0].key_sha256: not hexadecimal (expected: the key's SHA-256 as 64 hexadecimal")
                .doesNotContain(notHex);
    }

    @Test
    void anEmptyDigestIsRefusedRatherThanTakenForADevelopmentKey() {
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key_sha256: \"${BOT_KEY_SHA256:-}\", role: agent }\n"))
                .singleElement().asString().startsWith("toolgate.yaml:2:30: keys[0].key_sha256: empty (expected: ");
    }

    @Test
    void keyAndKeySha256CannotBothBeSet() {
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key: " + KEY + ", key_sha256: " + DIGEST + ", role: agent }\n"))
                .containsExactly("toolgate.yaml:2:57: keys[0].key_sha256: set together with key (expected: either key or key_sha256, not both)");
    }

    @Test
    void aRawKeyAndItsDigestAreTheSameKey() {
        assertThat(ConfigFiles.problems(dir, """
                keys:
                  - { name: bot, key: agent-key-0123456789, role: agent }
                  - { name: other, key_sha256: %s, role: agent }
                """.formatted(DIGEST)))
                .containsExactly("toolgate.yaml:3:32: keys[1].key_sha256: duplicate key value (first used at keys[0].key)");
    }

    @Test
    void aRecordCannotHoldARawKey() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new KeyConfig("bot", KEY, Role.AGENT, "default", false))
                .withMessageNotContaining(KEY);
    }
}
