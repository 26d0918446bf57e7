package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The boolean endpoints answer rule flags with their segments and dependencies, as evaluate does")
class RuleFlagEndpointsTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("rules-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  @DisplayName("GET /flags/enabled, /flags/{name}/enabled and POST /flags/evaluate agree with the evaluation")
  void booleansFollowTheRules() {
    Resp seg = app.post("/api/v1/flags/segments", admin, """
        {"name": "pro-users", "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro"]}]}""");
    assertThat(seg.status()).as(seg.toString()).isEqualTo(201);
    Resp parent = app.post("/api/v1/flags", admin, """
        {"name": "rule-parent", "enabled": true, "rules": [{"segments": ["pro-users"]}]}""");
    assertThat(parent.status()).as(parent.toString()).isEqualTo(201);
    Resp child = app.post("/api/v1/flags", admin, """
        {"name": "rule-child", "enabled": true, "rules": [], "dependencies": [{"flag": "rule-parent"}]}""");
    assertThat(child.status()).as(child.toString()).isEqualTo(201);

    String pro = app.token(new JsonObject().put("sub", "u-pro").put("role", "VIEWER").put("plan", "pro"));
    String free = app.token(new JsonObject().put("sub", "u-free").put("role", "VIEWER").put("plan", "free"));

    JsonObject proAll = app.get("/api/v1/flags/enabled", pro).data().getJsonObject("flags");
    assertThat(proAll.getBoolean("rule-parent")).isTrue();
    assertThat(proAll.getBoolean("rule-child")).isTrue();
    JsonObject freeAll = app.get("/api/v1/flags/enabled", free).data().getJsonObject("flags");
    assertThat(freeAll.getBoolean("rule-parent")).isFalse();
    assertThat(freeAll.getBoolean("rule-child")).isFalse();

    assertThat(app.get("/api/v1/flags/rule-child/enabled", pro).data().getBoolean("enabled")).isTrue();
    assertThat(app.post("/api/v1/flags/evaluate", pro, "{\"flags\": [\"rule-child\"]}").data()
        .getJsonObject("flags").getBoolean("rule-child")).isTrue();
  }
}
