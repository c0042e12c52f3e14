package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM's path ({@link dev.toolgate.proxy.Gateway#shutdown}): the gateway stops accepting
 * connections and reports itself not ready, a stream in flight finishes whole, then it closes.
 */
class GracefulShutdownTest {
    private static final String EVENT = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick \"},\"finish_reason\":null}]}\n\n";
    private static final int EVENTS = 15;

    @Test
    void aStreamInFlightFinishesWholeWhileNewConnectionsAreRefusedAndReadinessFails() throws Exception {
        try (StreamingUpstream slow = new StreamingUpstream(out -> {
            for (int i = 0; i < EVENTS; i++) {
                out.write(EVENT);
                Thread.sleep(100);
            }
            out.write("data: [DONE]\n\n");
        }, true)) {
            TestGateway gateway = TestGateway.builder(slow.baseUrl()).serverSetting("shutdown_grace", "20s").start();
            int port = gateway.gateway().port();
            try (Response ready = gateway.get("/readyz", null)) {
                assertThat(ready.code()).isEqualTo(200);
            }
            CompletableFuture<String> stream = CompletableFuture.supplyAsync(() -> {
                try (Response response = gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}")) {
                    return response.body().string();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(slow.awaitRequest(10)).isTrue();

            Socket opened = new Socket("127.0.0.1", port);
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> gateway.gateway().shutdown());
            Thread.sleep(300);
            assertThat(shutdown).as("waits for the stream").isNotDone();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("no new connections")
                    .isInstanceOf(ConnectException.class);
            // A connection opened before still takes a request: not ready, and closed after it.
            try (opened) {
                opened.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(opened.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("connection: close").contains("\"NOT_READY\"");
            }

            String received = stream.get(20, TimeUnit.SECONDS);
            assertThat(received).isEqualTo(EVENT.repeat(EVENTS) + "data: [DONE]\n\n");
            shutdown.get(20, TimeUnit.SECONDS);
            gateway.close();
        }
    }
}
