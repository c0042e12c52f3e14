package dev.toolgate.proxy.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where an event's bytes end: what the relay needs to know before writing anything after them. */
class SseEventTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "data: x\\n\\n           | true",
            "data: x\\r\\n\\r\\n     | true",
            "data: x\\r\\r           | true",
            "data: x\\n\\r\\n        | true",
            "\\n                     | true",
            "data: x\\n              | false",
            "data: x\\r\\n           | false",
            "data: x                | false",
            "'{\"id\":\"c1\",'       | false"})
    void endsEventOnlyAfterItsBlankLine(String escaped, boolean ends) {
        String raw = escaped.replace("\\n", "\n").replace("\\r", "\r");

        assertThat(new SseEvent(null, "x", raw.getBytes(StandardCharsets.UTF_8)).endsEvent()).isEqualTo(ends);
    }

    @ParameterizedTest
    @CsvSource({"x", "'a\nb'"})
    void theGatewaysOwnEventsEndThemselves(String data) {
        assertThat(SseEvent.data(data).endsEvent()).isTrue();
    }
}
