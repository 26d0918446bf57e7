package dev.systemtables.trpc;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("tRPC endpoint: error shapes and superjson values, as plain Java")
class TrpcShapesTest {

  @Test
  @DisplayName("an unexpected failure is INTERNAL_SERVER_ERROR (500, -32603) with a generic message and no stack")
  void internalError() {
    JsonObject shape = TrpcEndpoint.shape(new IllegalStateException("secret detail"), "system.x", Set.of());
    assertThat(shape.getString("message")).isEqualTo("internal error");
    assertThat(shape.getInteger("code")).isEqualTo(-32603);
    assertThat(shape.getJsonObject("data").getMap()).containsEntry("code", "INTERNAL_SERVER_ERROR")
        .containsEntry("httpStatus", 500).containsEntry("path", "system.x").doesNotContainKey("stack");
    assertThat(shape.encode()).doesNotContain("secret detail");
  }

  @Test
  @DisplayName("catalog codes map to tRPC codes by their status, and keep their name and extras in data")
  void catalogCodes() {
    assertThat(TrpcCode.of(ErrorCode.IDEMPOTENCY_IN_PROGRESS)).isEqualTo(TrpcCode.CONFLICT);
    assertThat(TrpcCode.of(ErrorCode.FLAG_NAME_TAKEN)).isEqualTo(TrpcCode.CONFLICT);
    assertThat(TrpcCode.of(ErrorCode.MALFORMED_JSON)).isEqualTo(TrpcCode.BAD_REQUEST);
    assertThat(TrpcCode.of(ErrorCode.IDEMPOTENCY_KEY_REUSED)).isEqualTo(TrpcCode.UNPROCESSABLE_CONTENT);
    assertThat(TrpcCode.of(ErrorCode.UNAVAILABLE)).isEqualTo(TrpcCode.SERVICE_UNAVAILABLE);
    JsonObject unknown = TrpcEndpoint.shape(new ApiException(ErrorCode.UNPROCESSABLE, "unknown user ids: u-9",
        new JsonObject().put("unknownUserIds", new JsonArray().add("u-9"))), "system.notifications.create", Set.of());
    assertThat(unknown.getInteger("code")).isEqualTo(-32022);
    assertThat(unknown.getJsonObject("data").getMap()).containsEntry("code", "UNPROCESSABLE_CONTENT")
        .containsEntry("errorCode", "UNPROCESSABLE").containsEntry("zodError", null);
    assertThat(unknown.getJsonObject("data").getJsonArray("unknownUserIds")).containsExactly("u-9");
  }

  @Test
  @DisplayName("a broken rule lists its field in zodError.fieldErrors; a rule about the whole input goes to formErrors")
  void zodErrors() {
    JsonObject field = TrpcEndpoint.shape(new BadInput("userIds[3] must be a string"), "p", Set.of("userIds", "type"))
        .getJsonObject("data").getJsonObject("zodError");
    assertThat(field).isEqualTo(new JsonObject().put("formErrors", new JsonArray())
        .put("fieldErrors", new JsonObject().put("userIds", new JsonArray().add("userIds[3] must be a string"))));
    JsonObject form = TrpcEndpoint.shape(new BadInput("exactly one of userId, userIds, userRole is required"), "p",
        Set.of("userId", "userIds", "userRole")).getJsonObject("data").getJsonObject("zodError");
    assertThat(form.getJsonArray("formErrors")).containsExactly("exactly one of userId, userIds, userRole is required");
    assertThat(form.getJsonObject("fieldErrors")).isEmpty();
  }

  @Test
  @DisplayName("superjson inputs are unwrapped: undefined at the root or in a member is absent, plain JSON is undefined")
  void superjsonInputs() {
    Transformer sj = Transformer.SUPERJSON;
    assertThat(sj.input(new JsonObject().put("json", new JsonObject().put("flagName", "on"))))
        .isEqualTo(new JsonObject().put("flagName", "on"));
    JsonObject rootUndefined = new JsonObject().putNull("json").put("meta", new JsonObject()
        .put("values", new JsonArray().add("undefined")).put("v", 1));
    assertThat(sj.input(rootUndefined)).isSameAs(Inputs.UNDEFINED);
    // {id: "f1", description: undefined, "a.b": undefined} as superjson writes it ("a\\.b": a dot inside a key).
    JsonObject memberUndefined = new JsonObject()
        .put("json", new JsonObject().put("id", "f1").putNull("description").putNull("a.b"))
        .put("meta", new JsonObject().put("values", new JsonObject()
            .put("description", new JsonArray().add("undefined")).put("a\\.b", new JsonArray().add("undefined"))).put("v", 1));
    assertThat(sj.input(memberUndefined)).isEqualTo(new JsonObject().put("id", "f1"));
    assertThat(sj.input(new JsonObject().put("flagName", "on"))).isSameAs(Inputs.UNDEFINED);
    assertThat(Transformer.JSON.input(new JsonObject().put("flagName", "on"))).isEqualTo(new JsonObject().put("flagName", "on"));
  }

  @Test
  @DisplayName("superjson outputs are wrapped, timestamps marked Date by path; plain JSON leaves values as they are")
  void superjsonOutputs() {
    JsonObject out = new JsonObject().put("data", new JsonArray()
        .add(new JsonObject().put("createdAt", "2026-11-25T12:56:09.671261Z").put("readAt", null)));
    Procedure p = new Procedure("x", Procedure.Kind.QUERY, null, null, false, (c, in) -> null,
        List.of("data.*.createdAt", "data.*.readAt"));
    List<String> paths = p.datePaths(out);
    assertThat(paths).containsExactly("data.0.createdAt");
    assertThat(Transformer.SUPERJSON.output(out, paths)).isEqualTo(new JsonObject().put("json", out)
        .put("meta", new JsonObject().put("values", new JsonObject().put("data.0.createdAt", new JsonArray().add("Date")))
            .put("v", 1)));
    assertThat(Transformer.SUPERJSON.output(out, List.of())).isEqualTo(new JsonObject().put("json", out));
    assertThat(Transformer.JSON.output(out, paths)).isSameAs(out);
  }
}
