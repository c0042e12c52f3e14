package dev.toolgate.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rules and reasons are stored as JSON arrays and hashed as stored, so the hand-written writer must
 * give the text Jackson's default mapper gave for every list, or events written since would not
 * hash as those written before.
 */
class JsonListsTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void writesWhatJacksonWritesForTypicalLists() throws JsonProcessingException {
        for (List<String> list : List.of(List.<String>of(), List.of("srv-reads"), List.of("a", "b", ""),
                List.of("srv-reads: Reads under /srv are fine"), List.of("say \"hi\"\\n", "tab\there", "line\nbreak\r\n"),
                List.of("\u0000\u0001\u001f\u007f", "é ü ß 日本 \ud83d\ude00", "</script>"), Arrays.asList("x", null))) {
            assertThat(JsonLists.write(list)).as(list.toString()).isEqualTo(JACKSON.writeValueAsString(list));
        }
    }

    @Test
    void writesWhatJacksonWritesForGeneratedLists() throws JsonProcessingException {
        // Every ASCII character, escapes' neighbours, Latin-1, other planes and lone surrogates.
        StringBuilder pool = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            pool.append(c);
        }
        pool.append("\u0080\u00a0\u00ff\u2028\u2029\ufeff\uffff\ud800\udbff\udc00\udfff\ud83d\ude00");
        Random random = new Random(20261122);
        for (int n = 0; n < 5_000; n++) {
            List<String> list = new ArrayList<>();
            for (int items = random.nextInt(4); items > 0; items--) {
                StringBuilder item = new StringBuilder();
                for (int length = random.nextInt(24); length > 0; length--) {
                    item.append(pool.charAt(random.nextInt(pool.length())));
                }
                list.add(item.toString());
            }
            assertThat(JsonLists.write(list)).isEqualTo(JACKSON.writeValueAsString(list));
        }
    }

    @Test
    void readsBackWhatItWrites() {
        List<String> list = List.of("a\"b", "c\\d", "\u0001", "日本");

        assertThat(JsonLists.read(JsonLists.write(list))).isEqualTo(list);
    }
}
