package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route templates, path parameters, {@code *} tails, and telling 405 from 404. */
class RouterTest {
    private static final HttpHeaders NO_HEADERS = EmptyHttpHeaders.INSTANCE;
    private final Endpoint intercept = exchange -> { };
    private final Endpoint listBlocked = exchange -> { };
    private final Endpoint addBlocked = exchange -> { };
    private final Endpoint removeBlocked = exchange -> { };
    private final Endpoint chat = exchange -> { };
    private final Endpoint passthroughGet = exchange -> { };
    private final Endpoint passthroughPost = exchange -> { };

    private final Router router = new Router()
            .add(HttpMethod.POST, "/api/intercept", Route.Access.AGENT, intercept)
            .add(HttpMethod.GET, "/api/blocked-tools", Route.Access.ADMIN, listBlocked)
            .add(HttpMethod.POST, "/api/blocked-tools", Route.Access.ADMIN, addBlocked)
            .add(HttpMethod.DELETE, "/api/blocked-tools/:tool_name", Route.Access.ADMIN, removeBlocked)
            .add(HttpMethod.POST, "/v1/chat/completions", Route.Access.AGENT, chat)
            .add(HttpMethod.GET, "/v1/*", Route.Access.AGENT, passthroughGet)
            .add(HttpMethod.POST, "/v1/*", Route.Access.AGENT, passthroughPost);

    @Test
    void exactTemplateMatchesItsMethodAndPath() {
        Router.Match match = router.find(HttpMethod.POST, "/api/intercept", NO_HEADERS);

        assertThat(match.route().endpoint()).isSameAs(intercept);
        assertThat(match.route().access()).isEqualTo(Route.Access.AGENT);
        assertThat(match.params()).isEmpty();
        assertThat(match.pathKnown()).isTrue();
    }

    @Test
    void samePathWithAnotherMethodFindsThatMethodsRoute() {
        assertThat(router.find(HttpMethod.GET, "/api/blocked-tools", NO_HEADERS).route().endpoint()).isSameAs(listBlocked);
        assertThat(router.find(HttpMethod.POST, "/api/blocked-tools", NO_HEADERS).route().endpoint()).isSameAs(addBlocked);
    }

    @Test
    void trailingSlashIsIgnored() {
        assertThat(router.find(HttpMethod.POST, "/api/intercept/", NO_HEADERS).route().endpoint()).isSameAs(intercept);
    }

    @Test
    void pathParameterTakesTheSegmentsValue() {
        Router.Match match = router.find(HttpMethod.DELETE, "/api/blocked-tools/send_email", NO_HEADERS);

        assertThat(match.route().endpoint()).isSameAs(removeBlocked);
        assertThat(match.params()).isEqualTo(Map.of("tool_name", "send_email"));
    }

    @Test
    void pathParameterIsPercentDecodedExactlyOnce() {
        assertThat(router.find(HttpMethod.DELETE, "/api/blocked-tools/my%20tool", NO_HEADERS).params()).containsEntry("tool_name", "my tool");
        assertThat(router.find(HttpMethod.DELETE, "/api/blocked-tools/100%2525", NO_HEADERS).params()).containsEntry("tool_name", "100%25");
    }

    @Test
    void plusInAPathIsAPlusNotASpace() {
        assertThat(router.find(HttpMethod.DELETE, "/api/blocked-tools/c++", NO_HEADERS).params()).containsEntry("tool_name", "c++");
    }

    @Test
    void encodedSlashStaysInsideItsSegment() {
        Router.Match match = router.find(HttpMethod.DELETE, "/api/blocked-tools/fs%2Frm", NO_HEADERS);

        assertThat(match.route().endpoint()).isSameAs(removeBlocked);
        assertThat(match.params()).containsEntry("tool_name", "fs/rm");
    }

    @Test
    void pathParameterMatchesExactlyOneSegment() {
        Router.Match tooLong = router.find(HttpMethod.DELETE, "/api/blocked-tools/a/b", NO_HEADERS);
        assertThat(tooLong.route()).isNull();
        assertThat(tooLong.pathKnown()).isFalse();

        Router.Match tooShort = router.find(HttpMethod.DELETE, "/api/blocked-tools", NO_HEADERS);
        assertThat(tooShort.route()).isNull();
        assertThat(tooShort.pathKnown()).as("GET and POST serve this path").isTrue();
    }

    @Test
    void starTailMatchesAnyRest() {
        assertThat(router.find(HttpMethod.GET, "/v1/models", NO_HEADERS).route().endpoint()).isSameAs(passthroughGet);
        assertThat(router.find(HttpMethod.GET, "/v1/files/file-abc/content", NO_HEADERS).route().endpoint()).isSameAs(passthroughGet);
        assertThat(router.find(HttpMethod.POST, "/v1/embeddings", NO_HEADERS).route().endpoint()).isSameAs(passthroughPost);
        assertThat(router.find(HttpMethod.GET, "/v1/models", NO_HEADERS).params()).isEmpty();
    }

    @Test
    void starTailDoesNotMatchAnotherPrefix() {
        assertThat(router.find(HttpMethod.GET, "/v2/models", NO_HEADERS).route()).isNull();
        assertThat(router.find(HttpMethod.GET, "/v1x/models", NO_HEADERS).route()).isNull();
    }

    @Test
    void earlierRouteWinsOverALaterTail() {
        assertThat(router.find(HttpMethod.POST, "/v1/chat/completions", NO_HEADERS).route().endpoint()).isSameAs(chat);
        // The exact route has no GET, so the tail serves it.
        assertThat(router.find(HttpMethod.GET, "/v1/chat/completions", NO_HEADERS).route().endpoint()).isSameAs(passthroughGet);
    }

    @Test
    void knownPathWithAnUnservedMethodIsTold405NotFound() {
        Router.Match match = router.find(HttpMethod.DELETE, "/api/intercept", NO_HEADERS);

        assertThat(match.route()).isNull();
        assertThat(match.pathKnown()).isTrue();
        assertThat(router.find(HttpMethod.DELETE, "/v1/models", NO_HEADERS).pathKnown()).isTrue();
        assertThat(router.find(HttpMethod.GET, "/api/blocked-tools/send_email", NO_HEADERS).pathKnown()).isTrue();
    }

    @Test
    void unknownPathIsNotKnown() {
        Router.Match match = router.find(HttpMethod.GET, "/api/nothing", NO_HEADERS);

        assertThat(match.route()).isNull();
        assertThat(match.pathKnown()).isFalse();
        assertThat(match.params()).isEmpty();
        assertThat(router.find(HttpMethod.GET, "/", NO_HEADERS).pathKnown()).isFalse();
        assertThat(router.find(HttpMethod.POST, "/api", NO_HEADERS).pathKnown()).isFalse();
    }

    @Test
    void emptyRouterKnowsNothing() {
        Router.Match match = new Router().find(HttpMethod.GET, "/api/intercept", NO_HEADERS);

        assertThat(match.route()).isNull();
        assertThat(match.pathKnown()).isFalse();
    }

    @Test
    void aConditionalRouteIsTakenOnlyByRequestsWhoseHeadersSayItIsTheirs() {
        Endpoint anthropicModels = exchange -> { };
        Endpoint passthrough = exchange -> { };
        Router router = new Router()
                .add(HttpMethod.GET, "/v1/models/*", Route.Access.AGENT, false, headers -> headers.contains("anthropic-version"),
                        anthropicModels)
                .add(HttpMethod.GET, "/v1/*", Route.Access.AGENT, passthrough);

        HttpHeaders anthropic = new DefaultHttpHeaders().add("anthropic-version", "2023-06-01");
        assertThat(router.find(HttpMethod.GET, "/v1/models", anthropic).route().endpoint()).isSameAs(anthropicModels);
        assertThat(router.find(HttpMethod.GET, "/v1/models/claude-sonnet-4-5", anthropic).route().endpoint()).isSameAs(anthropicModels);
        assertThat(router.find(HttpMethod.GET, "/v1/models", NO_HEADERS).route().endpoint()).isSameAs(passthrough);
        assertThat(router.find(HttpMethod.POST, "/v1/models", anthropic).allowed()).as("a 405 names only the routes the request could take")
                .containsExactly(HttpMethod.GET);
    }

    @Test
    void routesThatCanStartWithAnySegmentKeepTheirPlaceAmongTheOthers() {
        Endpoint early = exchange -> { };
        Endpoint literal = exchange -> { };
        Endpoint late = exchange -> { };
        Router router = new Router()
                .add(HttpMethod.GET, "/:tenant/status", Route.Access.AGENT, early)
                .add(HttpMethod.GET, "/api/status", Route.Access.AGENT, literal)
                .add(HttpMethod.GET, "/api/items", Route.Access.AGENT, literal)
                .add(HttpMethod.GET, "/*", Route.Access.AGENT, late);

        assertThat(router.find(HttpMethod.GET, "/api/status", NO_HEADERS).route().endpoint()).isSameAs(early);
        assertThat(router.find(HttpMethod.GET, "/api/status", NO_HEADERS).params()).isEqualTo(Map.of("tenant", "api"));
        assertThat(router.find(HttpMethod.GET, "/api/items", NO_HEADERS).route().endpoint()).isSameAs(literal);
        assertThat(router.find(HttpMethod.GET, "/other/items", NO_HEADERS).route().endpoint()).isSameAs(late);
        assertThat(router.find(HttpMethod.GET, "/", NO_HEADERS).route().endpoint()).isSameAs(late);
        assertThat(router.find(HttpMethod.POST, "/other/status", NO_HEADERS).allowed()).containsExactly(HttpMethod.GET);
    }

    @Test
    void aRouteAddedAfterAFindIsFound() {
        Endpoint added = exchange -> { };
        assertThat(router.find(HttpMethod.GET, "/api/added", NO_HEADERS).route()).isNull();

        router.add(HttpMethod.GET, "/api/added", Route.Access.AGENT, added);

        assertThat(router.find(HttpMethod.GET, "/api/added", NO_HEADERS).route().endpoint()).isSameAs(added);
    }
}
