package dev.systemtables.trpc;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tRPC wire protocol at /api/trpc as raw HTTP sees it: envelopes, statuses, batching, streaming, and the
 * whole-request failures that must still be tRPC JSON. (The real clients drive it in {@link TrpcClientsTest}.)
 */
@DisplayName("tRPC endpoint: the wire protocol over raw HTTP")
class TrpcProtocolTest {

  static TestApp app;
  static String admin;
  static String viewer;

  @BeforeAll
  static void start() {
    app = TestApp.start(Map.of(), new JsonObject().put("http", new JsonObject().put("bodyLimitBytes", 4096))
        .put("rateLimits", new JsonObject().put("markReadPerMinute", 3)));
    admin = app.token("admin-" + UUID.randomUUID(), "ADMIN");
    viewer = app.token("viewer-" + UUID.randomUUID(), "VIEWER");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String input(Object value) {
    return URLEncoder.encode(value instanceof JsonObject o ? o.encode() : String.valueOf(value), StandardCharsets.UTF_8);
  }

  static JsonObject error(Resp r) {
    return r.json().getJsonObject("error");
  }

  @Test
  @DisplayName("a query with ?input= answers {result:{data:…}} with the procedure's {data:…} inside")
  void queryEnvelope() {
    Resp r = app.get("/api/trpc/system.featureFlags.isEnabled?input=" + input(new JsonObject().put("flagName", "nope")),
        viewer);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("result", new JsonObject()
        .put("data", new JsonObject().put("data", new JsonObject().put("enabled", false)))));
  }

  @Test
  @DisplayName("the original docs' request, GET system.featureFlags.list with no input, lists the flags")
  void listWithoutInput() {
    Resp created = app.post("/api/trpc/system.featureFlags.create", admin,
        new JsonObject().put("name", "trpc-raw-" + UUID.randomUUID().toString().substring(0, 8)).encode());
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    Resp r = app.get("/api/trpc/system.featureFlags.list", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonArray flags = r.json().getJsonObject("result").getJsonObject("data").getJsonArray("data");
    assertThat(flags.stream().map(f -> ((JsonObject) f).getString("id")))
        .contains(created.json().getJsonObject("result").getJsonObject("data").getJsonObject("data").getString("id"));
  }

  @Test
  @DisplayName("an unknown procedure is 404 NOT_FOUND with tRPC's message, JSON-RPC code and data.path")
  void unknownProcedure() {
    Resp r = app.get("/api/trpc/system.nope", viewer);
    assertThat(r.status()).isEqualTo(404);
    assertThat(error(r).getString("message")).isEqualTo("No procedure found on path \"system.nope\"");
    assertThat(error(r).getInteger("code")).isEqualTo(-32004);
    assertThat(error(r).getJsonObject("data").getMap())
        .containsEntry("code", "NOT_FOUND").containsEntry("httpStatus", 404).containsEntry("path", "system.nope");
  }

  @Test
  @DisplayName("GET on a mutation and POST on a query are 405 METHOD_NOT_SUPPORTED, and so is PUT")
  void wrongMethod() {
    Resp get = app.get("/api/trpc/system.notifications.markAllAsRead", viewer);
    assertThat(get.status()).isEqualTo(405);
    assertThat(error(get).getString("message"))
        .isEqualTo("Unsupported GET-request to mutation procedure at path \"system.notifications.markAllAsRead\"");
    assertThat(error(get).getInteger("code")).isEqualTo(-32005);
    Resp post = app.post("/api/trpc/system.notifications.getUnreadCount", viewer, "");
    assertThat(post.status()).as(post.toString()).isEqualTo(405);
    assertThat(error(post).getJsonObject("data").getString("code")).isEqualTo("METHOD_NOT_SUPPORTED");
    Resp put = app.put("/api/trpc/system.notifications.markAllAsRead", viewer, "{}");
    assertThat(put.status()).isEqualTo(405);
    assertThat(error(put).getJsonObject("data").getString("code")).isEqualTo("METHOD_NOT_SUPPORTED");
  }

  @Test
  @DisplayName("a POST that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE, with or without a content type")
  void notJson() {
    Resp text = app.send("POST", "/api/trpc/system.notifications.markAllAsRead", viewer, "hello",
        Map.of("Content-Type", "text/plain"));
    assertThat(text.status()).isEqualTo(415);
    assertThat(error(text).getString("message")).isEqualTo("Unsupported content-type \"text/plain\"");
    assertThat(error(text).getInteger("code")).isEqualTo(-32015);
    Resp none = app.send("POST", "/api/trpc/system.notifications.markAllAsRead", viewer, null, Map.of());
    assertThat(none.status()).isEqualTo(415);
    assertThat(error(none).getString("message")).isEqualTo("Missing content-type header");
  }

  @Test
  @DisplayName("a body over the limit is 413 PAYLOAD_TOO_LARGE as a tRPC envelope, not Vert.x's text page")
  void tooLarge() {
    String big = new JsonObject().put("type", "SYSTEM").put("title", "t").put("message", "x".repeat(10_000)).encode();
    Resp r = app.post("/api/trpc/system.notifications.create", admin, big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(error(r).getInteger("code")).isEqualTo(-32013);
    assertThat(error(r).getJsonObject("data").getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  @DisplayName("no token is 401 UNAUTHORIZED, a non-admin on an admin procedure 403 FORBIDDEN")
  void authErrors() {
    Resp none = app.get("/api/trpc/system.notifications.getUnreadCount", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(error(none).getInteger("code")).isEqualTo(-32001);
    assertThat(error(none).getJsonObject("data").getString("path")).isEqualTo("system.notifications.getUnreadCount");
    Resp forbidden = app.get("/api/trpc/system.featureFlags.list", viewer);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(error(forbidden).getInteger("code")).isEqualTo(-32003);
  }

  @Test
  @DisplayName("invalid input is 400 BAD_REQUEST listing the field in data.zodError.fieldErrors")
  void zodError() {
    Resp r = app.post("/api/trpc/system.notifications.create", admin,
        new JsonObject().put("userId", "u-1").put("type", "NOPE").put("title", "t").put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    JsonObject data = error(r).getJsonObject("data");
    assertThat(error(r).getInteger("code")).isEqualTo(-32600);
    assertThat(data.getString("code")).isEqualTo("BAD_REQUEST");
    assertThat(data.getJsonObject("zodError").getJsonObject("fieldErrors").getJsonArray("type").getString(0))
        .startsWith("type must be one of");
    assertThat(data.getJsonObject("zodError").getJsonArray("formErrors")).isEmpty();
    Resp noInput = app.get("/api/trpc/system.featureFlags.isEnabled", viewer);
    assertThat(noInput.status()).isEqualTo(400);
    assertThat(error(noInput).getJsonObject("data").getJsonObject("zodError").getJsonArray("formErrors").getString(0))
        .isEqualTo("input must be an object, got undefined");
  }

  @Test
  @DisplayName("a batch answers an array in call order; mixed outcomes are 207, one shared status is that status")
  void batch() {
    String inputs = input(new JsonObject().put("0", new JsonObject().put("flagName", "a"))
        .put("2", new JsonObject().put("flagName", "b")));
    Resp mixed = app.get("/api/trpc/system.featureFlags.isEnabled,system.nope,system.featureFlags.isEnabled,"
        + "system.notifications.getUnreadCount?batch=1&input=" + inputs, viewer);
    assertThat(mixed.status()).as(mixed.toString()).isEqualTo(207);
    JsonArray items = new JsonArray(mixed.body());
    assertThat(items).hasSize(4);
    assertThat(items.getJsonObject(0).getJsonObject("result").getJsonObject("data").getJsonObject("data")
        .getBoolean("enabled")).isFalse();
    assertThat(items.getJsonObject(1).getJsonObject("error").getJsonObject("data").getString("code")).isEqualTo("NOT_FOUND");
    assertThat(items.getJsonObject(3).getJsonObject("result").getJsonObject("data").getJsonObject("data")
        .getLong("count")).isZero();

    Resp allFailed = app.get("/api/trpc/system.nope,system.nada?batch=1&input=%7B%7D", viewer);
    assertThat(allFailed.status()).isEqualTo(404);
    assertThat(new JsonArray(allFailed.body())).hasSize(2);
  }

  @Test
  @DisplayName("queries and mutations in one batch are refused as a whole with 400, one error object")
  void mixedTypes() {
    Resp r = app.post("/api/trpc/system.notifications.getUnreadCount,system.notifications.markAllAsRead?batch=1",
        viewer, "{}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(error(r).getString("message")).isEqualTo("Cannot mix procedure types in call: query, mutation");
  }

  @Test
  @DisplayName("trpc-accept: application/jsonl answers one JSONL head line holding every envelope, status 200")
  void stream() {
    Resp r = app.send("GET", "/api/trpc/system.nope,system.notifications.getUnreadCount?batch=1&input=%7B%7D", viewer,
        null, Map.of("trpc-accept", "application/jsonl"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).endsWith("\n").doesNotContain("\n{");
    JsonObject head = new JsonObject(r.body().trim());
    assertThat(head.getJsonArray("0").getJsonArray(0).getJsonObject(0).getJsonObject("error")
        .getInteger("code")).isEqualTo(-32004);
    assertThat(head.getJsonArray("1").getJsonArray(0).getJsonObject(0).getJsonObject("result")
        .getJsonObject("data").getJsonObject("data").getLong("count")).isZero();
    Resp unbatched = app.send("GET", "/api/trpc/system.notifications.getUnreadCount", viewer, null,
        Map.of("trpc-accept", "application/jsonl"));
    assertThat(unbatched.status()).isEqualTo(400);
    assertThat(error(unbatched).getString("message"))
        .isEqualTo("Streaming requests must be batched (you can do a batch of 1)");
  }

  @Test
  @DisplayName("unreadable input JSON, a bare /api/trpc, HEAD and OPTIONS all answer tRPC's way, never an HTML page")
  void edges() {
    Resp badJson = app.get("/api/trpc/system.featureFlags.isEnabled?input=%7Bnope", viewer);
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(error(badJson).getJsonObject("data").getString("code")).isEqualTo("BAD_REQUEST");
    Resp badBody = app.post("/api/trpc/system.notifications.markAsRead", viewer, "{nope");
    assertThat(badBody.status()).isEqualTo(400);
    assertThat(error(badBody).getInteger("code")).isEqualTo(-32600);
    Resp bare = app.get("/api/trpc", viewer);
    assertThat(bare.status()).isEqualTo(404);
    assertThat(error(bare).getJsonObject("data").getString("code")).isEqualTo("NOT_FOUND");
    Resp slash = app.get("/api/trpc/", viewer);
    assertThat(slash.status()).isEqualTo(404);
    assertThat(error(slash).getInteger("code")).isEqualTo(-32004);
    Resp head = app.send("HEAD", "/api/trpc/system.featureFlags.list", null, null, Map.of());
    assertThat(head.status()).isEqualTo(204);
    Resp options = app.send("OPTIONS", "/api/trpc/system.featureFlags.list", null, null, Map.of());
    assertThat(options.status()).isEqualTo(405);
    assertThat(error(options).getJsonObject("data").getString("code")).isEqualTo("METHOD_NOT_SUPPORTED");
    Resp nul = app.post("/api/trpc/system.notifications.create", admin, new JsonObject().put("userId", "u-1")
        .put("type", "SYSTEM").put("title", "a\u0000b").put("message", "m").encode());
    assertThat(nul.status()).as(nul.toString()).isEqualTo(400);
    assertThat(error(nul).getJsonObject("data").getJsonObject("zodError").getJsonObject("fieldErrors")
        .getJsonArray("title")).isNotEmpty();
  }

  @Test
  @DisplayName("REST's rate limits apply to tRPC calls too, and the two doors share one window: 429 TOO_MANY_REQUESTS")
  void sharedRateLimit() {
    String reader = app.token("reader-" + UUID.randomUUID(), "VIEWER");
    for (int i = 0; i < 2; i++) {
      Resp ok = app.post("/api/trpc/system.notifications.markAllAsRead", reader, "");
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertThat(ok.json().getJsonObject("result").getJsonObject("data").getJsonObject("data").getInteger("count")).isZero();
    }
    assertThat(app.post("/api/v1/notifications/read-all", reader, "{}").status()).isEqualTo(200);
    Resp limited = app.post("/api/trpc/system.notifications.markAllAsRead", reader, "");
    assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(error(limited).getInteger("code")).isEqualTo(-32029);
    assertThat(error(limited).getJsonObject("data").getMap())
        .containsEntry("code", "TOO_MANY_REQUESTS").containsEntry("errorCode", "RATE_LIMITED");
    assertThat(app.post("/api/v1/notifications/read-all", reader, "{}").status()).isEqualTo(429);
  }
}
