package dev.toolgate.proxy.openai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toolgate.proxy.stream.SseEvent;

/**
 * Any event stream, scanned event by event as the rewriter scans it (one scan per stream, so
 * chunks of the same shape are read from their text alone): wherever the scan answers, the
 * parser finds no call and the same choices with text. Seeds: text streams, and calls and
 * escapes hidden in chunks of a text chunk's shape, in {@code ChatChunkScanFuzzTestInputs/}.
 */
class ChatChunkScanFuzzTest {

    @FuzzTest
    void answersOnlyWhatTheParserReads(byte[] stream) {
        ChatChunkScan scan = new ChatChunkScan();
        for (SseEvent event : ChatChunkScanTest.decode(stream, 0, 0)) {
            long scanned = scan.textChoices(event);
            if (scanned != ChatChunkScan.UNKNOWN) {
                assertThat(ChatChunkScanTest.parsed(event.data())).as("what the parser reads in %s", event.data()).isEqualTo(scanned);
            }
        }
    }
}
