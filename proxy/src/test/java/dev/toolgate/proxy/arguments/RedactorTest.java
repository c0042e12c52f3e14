package dev.toolgate.proxy.arguments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.config.RedactionConfig;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the audit log, exports and notifications see of a call's arguments. */
class RedactorTest {
    private final Redactor redactor = new Redactor();

    private static JsonNode tree(String json) throws IOException {
        return Json.MAPPER.readTree(json);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "OpenAI key           | use sk-abcdefghijklmnopqrstuvwx now                        | use [REDACTED:api_key] now",
            "OpenAI project key   | sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345                   | [REDACTED:api_key]",
            "Anthropic key        | key=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz_0123-x         | key=[REDACTED:api_key]",
            "AWS access key       | aws AKIAIOSFODNN7EXAMPLE here                               | aws [REDACTED:aws_access_key] here",
            "AWS temporary key    | ASIAY34FZKBOKMUTVV7A                                        | [REDACTED:aws_access_key]",
            "GitHub token         | token ghp_0123456789abcdefghijABCDEFGHIJ012345 ok           | token [REDACTED:github_token] ok",
            "GitHub fine-grained  | github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv      | [REDACTED:github_token]",
            "bearer token         | Authorization: Bearer abc123.def456-ghi789                  | Authorization: [REDACTED:bearer_token]",
            "bearer, any case     | bearer   0123456789abcdef                                   | [REDACTED:bearer_token]",
            "JWT                  | jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end | jwt [REDACTED:jwt] end",
            "card, plain          | card 4111111111111111 please                               | card [REDACTED:card] please",
            "card, spaced         | card 4111 1111 1111 1111 please                            | card [REDACTED:card] please",
            "card, dashed         | card 5500-0000-0000-0004.                                  | card [REDACTED:card].",
            "Amex, 15 digits      | amex 3782 822463 10005                                     | amex [REDACTED:card]",
            "two cards            | 4111111111111111 and 5555555555554444                      | [REDACTED:card] and [REDACTED:card]"})
    void secretsInTextAreReplacedByWhatTheyWere(String what, String text, String redacted) {
        assertThat(redactor.redactText(text)).isEqualTo(redacted);
    }

    @Test
    void privateKeyBlockIsRemovedWhole() {
        String pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nbase64+/==\n-----END RSA PRIVATE KEY-----\nbye";

        assertThat(redactor.redactText(pem)).isEqualTo("key:\n[REDACTED:private_key]\nbye");
    }

    @Test
    void opensshPrivateKeyIsRemovedToo() {
        String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";

        assertThat(redactor.redactText(pem)).isEqualTo("[REDACTED:private_key]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "4111111111111112",
            "4111 1111 1111 1112",
            "amount 1234.56 GBP",
            "invoice 20261122 for 15000",
            "call +44 20 7946 0958",
            "order 123456789012",
            "sk-short",
            "ask-abcdefghijklmnopqrstuvwx",
            "bearer of bad news",
            "2026-11-22T08:00:00Z",
            "public key -----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----"})
    void textWithoutSecretsIsKept(String text) {
        assertThat(redactor.redactText(text)).isEqualTo(text);
    }

    @Test
    void cardNumberFollowedByMoreDigitsIsStillRedacted() {
        assertThat(redactor.redactText("pay with 4111 1111 1111 1111 123")).isEqualTo("pay with [REDACTED:card] 123");
        assertThat(redactor.redactText("card 4111 1111 1111 1111 12/27")).isEqualTo("card [REDACTED:card] 12/27");
        assertThat(redactor.redactText("qty 2 4111 1111 1111 1111")).isEqualTo("qty 2 [REDACTED:card]");
    }

    @Test
    void luhnCheckAcceptsValidNumbersOnly() {
        assertThat(Redactor.passesLuhn("4111111111111111")).isTrue();
        assertThat(Redactor.passesLuhn("378282246310005")).isTrue();
        assertThat(Redactor.passesLuhn("4111111111111112")).isFalse();
        assertThat(Redactor.passesLuhn("1234567812345678")).isFalse();
    }

    @Test
    void valuesUnderSecretNamedKeysAreMaskedAtAnyDepth() throws IOException {
        String arguments = """
                {"user":"ana","password":"hunter2","config":{"API_KEY":12345,"nested":[{"Token":"t"},{"access_token":{"a":1}}]},
                 "headers":{"Authorization":"Basic YWxhZGRpbjpvcGVuc2VzYW1l"},"client_secret":"","refresh_token":null}""";

        JsonNode redacted = tree(redactor.redactJson(arguments));

        assertThat(redacted).isEqualTo(tree("""
                {"user":"ana","password":"[REDACTED]","config":{"API_KEY":"[REDACTED]","nested":[{"Token":"[REDACTED]"},
                 {"access_token":"[REDACTED]"}]},"headers":{"Authorization":"[REDACTED]"},"client_secret":"[REDACTED]",
                 "refresh_token":null}"""));
    }

    @Test
    void secretsInsideJsonStringsAreRedactedAndEverythingElseIsUntouched() throws IOException {
        String arguments = """
                {"to":"ops@example.com","amount":1234.50,"count":12345678901234567890,"ratio":1e-7,"ok":true,"none":null,
                 "note":"charge 4111-1111-1111-1111 with key sk-abcdefghijklmnopqrstuvwx","tags":["a","Bearer abcdefghijkl"],
                 "zip":"90210","id":4111111111111112}""";

        String redacted = redactor.redactJson(arguments);

        assertThat(tree(redacted)).isEqualTo(tree("""
                {"to":"ops@example.com","amount":1234.50,"count":12345678901234567890,"ratio":1e-7,"ok":true,"none":null,
                 "note":"charge [REDACTED:card] with key [REDACTED:api_key]","tags":["a","[REDACTED:bearer_token]"],
                 "zip":"90210","id":4111111111111112}"""));
        assertThat(redacted).contains("\"amount\":1234.50").contains("12345678901234567890");
        assertThat(redacted).startsWith("{\"to\":").contains("\"tags\":[\"a\",");
    }

    @Test
    void cardNumberGivenAsAJsonNumberIsRedacted() throws IOException {
        JsonNode redacted = tree(redactor.redactJson("{\"card_number\":4111111111111111,\"amount\":4200,\"order\":4111111111111112}"));

        assertThat(redacted).isEqualTo(tree("{\"card_number\":\"[REDACTED:card]\",\"amount\":4200,\"order\":4111111111111112}"));
    }

    @Test
    void textThatIsNotJsonIsRedactedAsText() {
        assertThat(redactor.redactJson("{\"path\": key sk-abcdefghijklmnopqrstuvwx"))
                .isEqualTo("{\"path\": key [REDACTED:api_key]");
    }

    @Test
    void jsonStringAtTheTopIsRedacted() {
        assertThat(redactor.redactJson("\"Bearer abcdefghijklmnop\"")).isEqualTo("\"[REDACTED:bearer_token]\"");
    }

    @Test
    void emptyAndMissingTextAreReturnedAsGiven() {
        assertThat(redactor.redactJson(null)).isNull();
        assertThat(redactor.redactJson("")).isEmpty();
        assertThat(redactor.redactJson("  ")).isEqualTo("  ");
        assertThat(redactor.redactText("")).isEmpty();
    }

    @Test
    void argumentsWithoutSecretsKeepTheirKeyOrderAndValues() throws IOException {
        String arguments = "{\"z\":1,\"a\":{\"y\":[1,2,{\"b\":\"c\"}],\"x\":-0.5},\"m\":\"text\"}";

        assertThat(redactor.redactJson(arguments)).isEqualTo(arguments);
    }

    // ---- the redaction section of toolgate.yaml

    @Test
    void configuredPatternsAreMaskedUnderTheirName() throws IOException {
        Redactor configured = new Redactor(List.of(new RedactionConfig.Detector("employee_id", "EMP-[0-9]{6}"),
                new RedactionConfig.Detector("ticket", "(?i)tck-\\d+")), false);

        assertThat(configured.redactText("EMP-004211 filed TCK-77 and tck-8")).isEqualTo(
                "[REDACTED:employee_id] filed [REDACTED:ticket] and [REDACTED:ticket]");
        assertThat(tree(configured.redactJson("{\"who\":[\"EMP-123456\"],\"key\":\"sk-abcdefghijklmnopqrstuvwx\"}")))
                .as("built-in detectors still apply").isEqualTo(tree(
                        "{\"who\":[\"[REDACTED:employee_id]\"],\"key\":\"[REDACTED:api_key]\"}"));
        assertThat(configured.redactText("EMP-12345")).as("five digits are not an employee id").isEqualTo("EMP-12345");
        assertThat(redactor.redactText("EMP-004211")).as("not configured").isEqualTo("EMP-004211");
    }

    @Test
    void emailsAreMaskedOnlyWhenConfigured() {
        Redactor emails = new Redactor(List.of(), true);
        String text = "send to jane.doe+billing@mail.example.co.uk, cc ops@example.com; not user@localhost or @handle";

        assertThat(emails.redactText(text)).isEqualTo(
                "send to [REDACTED:email], cc [REDACTED:email]; not user@localhost or @handle");
        assertThat(redactor.redactText(text)).isEqualTo(text);
    }

    // ---- cues: a detector's regular expression runs only on text that passes its cue

    @Test
    void everyTextADetectorMatchesPassesItsCue() {
        Redactor all = new Redactor(List.of(new RedactionConfig.Detector("ticket", "(?i)tck-\\d+")), true);
        Map<String, Integer> matched = new TreeMap<>();
        int cards = 0;
        for (String text : cueCorpus()) {
            for (Redactor.Detector detector : all.detectors()) {
                if (detector.pattern().matcher(text).find()) {
                    matched.merge(detector.label(), 1, Integer::sum);
                    assertThat(detector.cue().test(text)).as("%s cue for %s", detector.label(), text).isTrue();
                }
            }
            if (Redactor.CARD_CANDIDATE.matcher(text).find()) {
                cards++;
                assertThat(Redactor.mayHoldCard(text)).as("card cue for %s", text).isTrue();
            }
        }
        assertThat(matched).as("the corpus holds matches for every detector").containsOnlyKeys(
                "private_key", "jwt", "bearer_token", "api_key", "aws_access_key", "github_token", "ticket", "email");
        assertThat(matched.values()).allSatisfy(count -> assertThat(count).isGreaterThan(20));
        assertThat(cards).isGreaterThan(20);
    }

    @Test
    void textWithoutAnyCueIsReturnedAsItIs() {
        String reason = "srv-reads: Reads under /srv are fine";

        assertThat(redactor.redactText(reason)).isSameAs(reason);
        assertThat(Redactor.mayHoldCard("order 123456789012 of 2026")).isTrue();
        assertThat(Redactor.mayHoldCard("order 123456789012")).as("12 digits").isFalse();
        assertThat(Redactor.containsIgnoringCase("Authorization: BeArEr x", "bearer")).isTrue();
        assertThat(Redactor.containsIgnoringCase("bear", "bearer")).isFalse();
    }

    /**
     * Texts made of pieces of secrets, their near misses and filler, joined at random (fixed seed), so
     * that every detector matches many of them in different surroundings and cases.
     */
    private static List<String> cueCorpus() {
        String[] pieces = {
                "sk-", "sk-ant-", "sk-proj-", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOP", "0123456789", "_-", "Bearer ",
                "BEARER\t", "bEaReR  ", "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".", "AKIA", "ASIA",
                "IOSFODNN7EXAMPLE", "ghp_", "gho_", "github_pat_", "11ABCDEFG0123456789_abc", "-----BEGIN ", "RSA ",
                "PRIVATE KEY-----", "\nMIIEow\n", "-----END ", "ops", "@", "example.com", "mail.example.co.uk", "tck-", "TCK-",
                "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", " ", "/", ":", "\"", "é", "ſ", "K",
                "-----BEGIN PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3"};
        Random random = new Random(20261122);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            texts.add(random.nextInt(4) == 0 ? flipCase(text, random) : text.toString());
        }
        return texts;
    }

    private static String flipCase(StringBuilder text, Random random) {
        for (int i = 0; i < text.length(); i++) {
            if (random.nextBoolean()) {
                char c = text.charAt(i);
                text.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
            }
        }
        return text.toString();
    }
}
