package dev.toolgate.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.server.Route;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route table: the routes the gateway answers itself come before the pass-through to the
 * provider, and a path nothing serves is the gateway's 404, never forwarded.
 */
class RoutesTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePassThroughToTheProviderIsTriedLastAndEveryOtherV1RouteBeforeIt() {
        try (TestGateway gateway = TestGateway.start(upstream.baseUrl() + "/v1")) {
            Router router = gateway.gateway().router();
            List<Route> routes = router.routes();
            int firstCatchAll = indexOf(routes, "/v1/*");
            assertThat(routes.subList(firstCatchAll, routes.size())).as("nothing after the catch-all but the catch-all")
                    .allSatisfy(route -> assertThat(route.template()).isEqualTo("/v1/*"));
            assertThat(routes.subList(0, firstCatchAll)).extracting(Route::template)
                    .contains("/v1/chat/completions", "/v1/responses", "/v1/messages", "/v1/messages/*", "/v1/models/*");
        }
    }

    @Test
    void anUnknownManagementPathIsA404AndNeverReachesTheUpstream() throws IOException {
        try (TestGateway gateway = TestGateway.start(upstream.baseUrl() + "/v1")) {
            for (String path : List.of("/api/no-such-thing", "/api/logs/nope", "/v2/chat/completions", "/")) {
                try (Response response = gateway.get(path, TestGateway.ADMIN_KEY)) {
                    assertThat(response.code()).as(path).isEqualTo(404);
                    assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("NOT_FOUND");
                }
            }
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    private static int indexOf(List<Route> routes, String template) {
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i).template().equals(template)) {
                return i;
            }
        }
        throw new AssertionError("no route " + template);
    }
}
