package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.ConfigProblem;
import dev.toolgate.config.PolicyManifest;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.policies.ManifestRejected;
import dev.toolgate.proxy.policies.ManifestWriter;
import dev.toolgate.proxy.policies.PolicyDiff;
import dev.toolgate.proxy.policies.PolicyTemplates;
import dev.toolgate.proxy.policies.PolicyVersions;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.PolicyVersion;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code /api/policies/export|import|versions|templates}: policies as code (see {@link PolicyVersions}
 * for how a manifest relates to {@code toolgate.yaml}). A refused manifest answers 422 with the
 * config loader's problems, each {@code manifest:line:col: field: problem}, also listed under {@code error.problems}.
 */
public final class PolicyEndpoints {
    private final PolicyVersions policies;
    private final BlockingExecutor executor;
    private final Blocking blocking;

    PolicyEndpoints(PolicyVersions policies, BlockingExecutor executor) {
        this.policies = policies;
        this.executor = executor;
        this.blocking = new Blocking(executor);
    }

    /** {@code GET /api/policies/export?format=yaml|json}; the policy version hash in {@code Toolgate-Policy-Version}. */
    public void export(Exchange exchange) {
        String format = Optional.ofNullable(exchange.param("format")).orElse("yaml");
        if (!format.equals("yaml") && !format.equals("json")) {
            throw ApiError.validation("format must be yaml or json, got \"" + format + "\"");
        }
        String workspace = exchange.principal().workspace();
        executor.storageWork(() -> {
            PolicyManifest manifest = policies.active(workspace);
            String text = format.equals("json") ? ManifestWriter.json(manifest) : ManifestWriter.yaml(manifest);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, format.equals("json") ? "application/json" : "application/yaml; charset=utf-8");
            response.headers().set("Toolgate-Policy-Version", policies.activeVersion(workspace));
            return response;
        }).whenComplete((response, failure) -> exchange.eventLoop().execute(() -> {
            if (failure != null) {
                exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                        "the kill switch could not be read; retry later"));
            } else {
                exchange.respond(response);
            }
        }));
    }

    /**
     * {@code POST /api/policies/import[?dry_run=true]}: the body is a YAML or JSON manifest, or
     * {@code {"manifest": ..., "draft": true}} (the manifest as an object or as YAML text). A dry run
     * or a draft is stored without being applied.
     */
    public void importManifest(Exchange exchange) {
        String text = exchange.request().content().toString(StandardCharsets.UTF_8);
        boolean draft = "true".equals(exchange.param("dry_run")) || "true".equals(exchange.param("draft"));
        ImportRequest request = ImportRequest.of(text);
        String manifest = request.manifest();
        boolean asDraft = draft || request.draft();
        String workspace = exchange.principal().workspace();
        String by = exchange.principal().name();
        blocking.respond(exchange, () -> {
            try {
                PolicyVersions.Outcome outcome = policies.importManifest(workspace, policies.plan(workspace, manifest, by), asDraft, by);
                return new Blocking.Answer(HttpResponseStatus.CREATED, outcome(outcome));
            } catch (ManifestRejected e) {
                return rejected(e);
            }
        });
    }

    public void listVersions(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("versions");
            policies.list(workspace).forEach(version -> list.add(summary(version)));
            return Blocking.Answer.ok(body);
        });
    }

    public void version(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> {
            PolicyVersion version = policies.find(workspace, id).orElseThrow(() -> ApiError.notFound("no policy version '" + id + "'"));
            return Blocking.Answer.ok(summary(version).put("manifest", version.manifest()));
        });
    }

    /** {@code POST /api/policies/versions/:id/apply}: a draft goes into force. */
    public void apply(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        String by = exchange.principal().name();
        blocking.respond(exchange, () -> {
            try {
                return Blocking.Answer.ok(outcome(policies.applyDraft(workspace, id, by)
                        .orElseThrow(() -> ApiError.notFound("no policy version '" + id + "'"))));
            } catch (PolicyVersions.AlreadyApplied e) {
                throw new ApiError(HttpResponseStatus.CONFLICT, "ALREADY_APPLIED", e.getMessage());
            } catch (ManifestRejected e) {
                return rejected(e);
            }
        });
    }

    /** {@code POST /api/policies/versions/:id/restore}: an older version in force again, as a new version. */
    public void restore(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        String by = exchange.principal().name();
        blocking.respond(exchange, () -> {
            try {
                return new Blocking.Answer(HttpResponseStatus.CREATED, outcome(policies.restore(workspace, id, by)
                        .orElseThrow(() -> ApiError.notFound("no policy version '" + id + "'"))));
            } catch (ManifestRejected e) {
                return rejected(e);
            }
        });
    }

    /** {@code GET /api/policies/templates}: every built-in template with its content. */
    public void templates(Exchange exchange) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("templates");
        for (String name : PolicyTemplates.NAMES) {
            list.addObject().put("name", name).put("summary", PolicyTemplates.summary(name))
                    .put("content", PolicyTemplates.content(name).orElseThrow());
        }
        exchange.respondJson(HttpResponseStatus.OK, body);
    }

    /** An import's manifest text and whether it is a draft. */
    private record ImportRequest(String manifest, boolean draft) {
        /** The body itself is the manifest unless it is a JSON object with a {@code manifest} field. */
        static ImportRequest of(String body) {
            if (!body.stripLeading().startsWith("{")) {
                return new ImportRequest(body, false);
            }
            com.fasterxml.jackson.databind.JsonNode json;
            try {
                json = Json.MAPPER.readTree(body);
            } catch (java.io.IOException e) {
                return new ImportRequest(body, false); // the manifest reader reports where it breaks
            }
            if (!json.isObject() || !json.has("manifest")) {
                return new ImportRequest(body, false);
            }
            com.fasterxml.jackson.databind.JsonNode manifest = json.get("manifest");
            String text = manifest.isTextual() ? manifest.textValue() : manifest.toPrettyString();
            return new ImportRequest(text, json.path("draft").asBoolean(false));
        }
    }

    private static ObjectNode outcome(PolicyVersions.Outcome outcome) {
        ObjectNode body = summary(outcome.version());
        body.set("diff", diff(outcome.diff()));
        return body;
    }

    private static ObjectNode summary(PolicyVersion version) {
        ObjectNode json = Json.object();
        json.put("id", version.id());
        json.put("number", version.number());
        json.put("status", version.draft() ? "draft" : "applied");
        json.put("policy_version", version.rulesVersion());
        json.put("restored_from", version.restoredFrom());
        json.put("created_at", version.createdAt().toString());
        json.put("created_by", version.createdBy());
        json.put("applied_at", version.appliedAt() == null ? null : version.appliedAt().toString());
        json.put("applied_by", version.appliedBy());
        return json;
    }

    private static ObjectNode diff(PolicyDiff diff) {
        ObjectNode json = Json.object();
        json.set("added", Json.MAPPER.valueToTree(diff.added()));
        json.set("removed", Json.MAPPER.valueToTree(diff.removed()));
        ArrayNode changed = json.putArray("changed");
        diff.changed().forEach((id, fields) -> changed.addObject().put("id", id).set("fields", Json.MAPPER.valueToTree(fields)));
        return json;
    }

    private static Blocking.Answer rejected(ManifestRejected e) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("code", "INVALID_MANIFEST");
        error.put("message", e.getMessage());
        ArrayNode problems = error.putArray("problems");
        for (ConfigProblem problem : e.problems()) {
            problems.addObject().put("line", problem.line()).put("column", problem.column()).put("field", problem.path())
                    .put("message", problem.message()).put("text", problem.toString());
        }
        return new Blocking.Answer(HttpResponseStatus.UNPROCESSABLE_ENTITY, body);
    }
}
