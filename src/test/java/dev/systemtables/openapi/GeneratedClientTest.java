package dev.systemtables.openapi;

import dev.systemtables.client.ApiClient;
import dev.systemtables.client.ApiException;
import dev.systemtables.client.api.FlagsApi;
import dev.systemtables.client.api.UsersApi;
import dev.systemtables.client.model.Flag;
import dev.systemtables.client.model.FlagWrite;
import dev.systemtables.client.model.Role;
import dev.systemtables.client.model.User;
import dev.systemtables.client.model.UserWrite;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A client generated from openapi.yaml by a standard generator (openapi-generator's {@code java} generator,
 * {@code native} library, run by openapi-generator-maven-plugin before the tests compile: see pom.xml)
 * calls a running node. Nothing of it is written by hand: if the contract and the service drift apart,
 * this does not compile or does not pass.
 */
@DisplayName("A client generated from openapi.yaml works against a running node")
class GeneratedClientTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The generated native client has no bearer-auth helper; a request interceptor adds the header. */
  static ApiClient client(String token) {
    ApiClient client = new ApiClient();
    client.updateBaseUri(app.baseUrl());
    client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
    return client;
  }

  @Test
  @DisplayName("Upsert a user, create a flag and evaluate it for that user: three calls through generated code")
  void threeCalls() throws Exception {
    ApiClient admin = client(app.token("gen-admin", "ADMIN"));

    User user = new UsersApi(admin).upsertUser("gen-user-1", new UserWrite().role(Role.CREATOR), null).getData();
    assertThat(user.getId()).isEqualTo("gen-user-1");
    assertThat(user.getRole()).isEqualTo(Role.CREATOR);
    assertThat(user.getCreatedAt()).isNotNull();

    Flag flag = new FlagsApi(admin).createFlag(new FlagWrite().name("generated-client").enabled(true)
        .rolloutPercentage(100).description("made by the generated client"), null).getData();
    assertThat(flag.getId()).isNotBlank();
    assertThat(flag.getName()).isEqualTo("generated-client");
    assertThat(flag.getCreatedBy()).isEqualTo("gen-admin");

    ApiClient creator = client(app.token("gen-user-1", "CREATOR"));
    assertThat(new FlagsApi(creator).isFlagEnabled("generated-client").getData().getEnabled()).isTrue();
  }

  @Test
  @DisplayName("A refused call surfaces as the generated ApiException carrying the problem that names the field")
  void problemsReachTheCaller() {
    ApiClient admin = client(app.token("gen-admin", "ADMIN"));
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> new FlagsApi(admin).createFlag(new FlagWrite().name("Not_Kebab"), null));
    assertThat(e.getCode()).isEqualTo(400);
    JsonObject problem = new JsonObject(e.getResponseBody());
    assertThat(problem.getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(problem.getString("detail")).startsWith("name must be lowercase kebab-case");
  }
}
