package dev.toolgate.proxy.arguments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The same call made twice has the same canonical form and digest, however the model spaced or ordered it. */
class CanonicalArgumentsTest {

    private static String digestOf(String raw) {
        return CanonicalArguments.digest(CanonicalArguments.of(raw));
    }

    @Test
    void keysAreSortedAndInsignificantSpaceIsRemoved() {
        assertThat(CanonicalArguments.of("{ \"to\" : \"acme\",\n  \"amount\": 2500 }")).isEqualTo("{\"amount\":2500,\"to\":\"acme\"}");
    }

    @Test
    void nestedObjectsAreSortedToo() {
        assertThat(CanonicalArguments.of("{\"b\":{\"y\":1,\"x\":[{\"d\":1,\"c\":2}]},\"a\":null}"))
                .isEqualTo("{\"a\":null,\"b\":{\"x\":[{\"c\":2,\"d\":1}],\"y\":1}}");
    }

    @Test
    void keyOrderAndWhitespaceDoNotChangeTheDigest() {
        String digest = digestOf("{\"amount\":2500,\"to\":\"acme\",\"meta\":{\"ref\":\"r1\",\"tags\":[\"a\",\"b\"]}}");

        assertThat(digestOf("{\"to\": \"acme\", \"amount\": 2500, \"meta\": {\"tags\": [\"a\", \"b\"], \"ref\": \"r1\"}}"))
                .isEqualTo(digest);
        assertThat(digestOf("\n{\n\t\"meta\" : { \"ref\" : \"r1\" , \"tags\" : [ \"a\" , \"b\" ] } ,\r\n \"to\":\"acme\",\"amount\":2500}\n"))
                .isEqualTo(digest);
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"amount\":2500,\"to\":\"acme\"}          | {\"amount\":2501,\"to\":\"acme\"}",
            "{\"amount\":2500,\"to\":\"acme\"}          | {\"amount\":2500,\"to\":\"Acme\"}",
            "{\"amount\":2500,\"to\":\"acme\"}          | {\"amount\":2500}",
            "{\"amount\":2500,\"to\":\"acme\"}          | {\"amount\":\"2500\",\"to\":\"acme\"}",
            "{\"tags\":[\"a\",\"b\"]}                    | {\"tags\":[\"b\",\"a\"]}",
            "{\"a\":null}                               | {}",
            "{\"amount\":2500.50}                       | {\"amount\":2500.51}"})
    void differentValuesChangeTheDigest(String one, String other) {
        assertThat(digestOf(one)).isNotEqualTo(digestOf(other));
    }

    @Test
    void digestIsHexSha256() {
        assertThat(CanonicalArguments.digest("{}")).isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assertThat(CanonicalArguments.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @ParameterizedTest
    @ValueSource(strings = {"path=/srv/a.txt", "{\"path\": ", "free text, with \"quotes\"", "{\"a\":1} trailing", "{\"a\":1}{\"a\":2}"})
    void textThatIsNotJsonIsKeptAsIs(String raw) {
        assertThat(CanonicalArguments.of(raw)).isEqualTo(raw);
    }

    @Test
    void textThatIsNotJsonIsStillDigestedAsGiven() {
        assertThat(digestOf("path=/srv/a.txt")).isEqualTo(CanonicalArguments.sha256("path=/srv/a.txt"));
        assertThat(digestOf("path=/srv/a.txt")).isNotEqualTo(digestOf("path=/srv/b.txt"));
    }

    @Test
    void blankOrMissingArgumentsAreAnEmptyObject() {
        assertThat(CanonicalArguments.of(null)).isEqualTo("{}");
        assertThat(CanonicalArguments.of("")).isEqualTo("{}");
        assertThat(CanonicalArguments.of("  ")).isEqualTo("{}");
        assertThat(digestOf("")).isEqualTo(digestOf("{}"));
    }

    @Test
    void bigIntegersKeepEveryDigit() {
        assertThat(CanonicalArguments.of("{\"id\":12345678901234567890}")).isEqualTo("{\"id\":12345678901234567890}");
    }
}
