package dev.systemtables.ofrep;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.systemtables.auth.Role;
import dev.systemtables.flags.EvaluationContext;
import dev.systemtables.flags.FlagEvaluator;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenFeature Java SDK ({@code dev.openfeature:sdk} 1.22.0) with the OFREP provider
 * ({@code dev.openfeature.contrib.providers:ofrep} 0.0.2), unmodified, against a running node: what a Java service
 * does to read a flag through OpenFeature.
 */
@DisplayName("OFREP: the OpenFeature Java SDK with its OFREP provider reads our flags")
class OfrepJavaSdkTest {

  static final String QUARTER = "java-sdk-quarter";
  static final String CREATORS = "java-sdk-creators";
  static final String DUTCH_BRAND = "java-sdk-dutch-brand";
  static final String LISTED = "java-sdk-listed";
  static final String OFF = "java-sdk-off";
  static final List<String> FLAGS = List.of(QUARTER, CREATORS, DUTCH_BRAND, LISTED, OFF);

  static TestApp app;
  static OpenFeatureAPI openFeature;
  static Client asService;
  static Client asViewer;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    String admin = app.token("ops-1", "ADMIN");
    create(admin, new JsonObject().put("name", QUARTER).put("enabled", true).put("rolloutPercentage", 25));
    create(admin, new JsonObject().put("name", CREATORS).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("userRoles", new JsonArray().add("CREATOR"))));
    create(admin, new JsonObject().put("name", DUTCH_BRAND).put("enabled", true).put("rolloutPercentage", 50)
        .put("conditions", new JsonObject().put("brandIds", new JsonArray().add("b-1").add("b-2"))
            .put("customConditions", new JsonObject().put("country", "NL"))));
    create(admin, new JsonObject().put("name", LISTED).put("enabled", true).put("rolloutPercentage", 0)
        .put("conditions", new JsonObject().put("userIds", new JsonArray().add("user-5").add("brand-1"))));
    create(admin, new JsonObject().put("name", OFF).put("enabled", false).put("rolloutPercentage", 100));

    openFeature = OpenFeatureAPI.getInstance();
    openFeature.setProviderAndWait("system-tables-service", provider(app.token("checkout-service", "SERVICE")));
    openFeature.setProviderAndWait("system-tables-viewer", provider(app.token("viewer-7", "VIEWER")));
    asService = openFeature.getClient("system-tables-service");
    asViewer = openFeature.getClient("system-tables-viewer");
  }

  /** What a Java service writes: the node's URL and its token, nothing else. */
  static OfrepProvider provider(String token) {
    return OfrepProvider.constructProvider(OfrepProviderOptions.builder()
        .baseUrl(app.baseUrl())
        .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + token)))
        .build());
  }

  static void create(String admin, JsonObject flag) {
    Resp r = app.post("/api/v1/flags", admin, flag.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (openFeature != null) openFeature.shutdown();
    if (app != null) app.close();
  }

  /** A user as the SDK describes it, and as our evaluator reads it. */
  record User(String id, Role role, String brandId, String country) {

    ImmutableContext openFeature() {
      Map<String, Value> attributes = new HashMap<>();
      attributes.put("role", new Value(role.name()));
      if (brandId != null) attributes.put("brandId", new Value(brandId));
      if (country != null) attributes.put("country", new Value(country));
      return new ImmutableContext(id, attributes);
    }

    EvaluationContext ours() {
      Map<String, Object> attributes = new HashMap<>();
      attributes.put("sub", id);
      if (country != null) attributes.put("country", country);
      return new EvaluationContext(id, role, brandId, null, attributes);
    }
  }

  static List<User> users() {
    List<User> users = new ArrayList<>();
    for (int i = 0; i < 16; i++) users.add(new User("user-" + i, i % 3 == 0 ? Role.CREATOR : Role.VIEWER, null, null));
    String[] countries = {"NL", "BE", "NL", null, "NL", "NL"};
    for (int i = 0; i < countries.length; i++) {
      users.add(new User("brand-" + i, Role.BRAND, i % 3 == 2 ? "b-9" : "b-" + (1 + i % 2), countries[i]));
    }
    return users;
  }

  @Test
  @DisplayName("A SERVICE token's boolean evaluations for 22 users match our own evaluator, with OFREP reasons")
  void serviceEvaluationsMatchOurEvaluator() {
    int on = 0;
    int checked = 0;
    Set<String> reasons = new java.util.TreeSet<>();
    for (User user : users()) {
      for (String flag : FLAGS) {
        FlagEvaluationDetails<Boolean> details = asService.getBooleanDetails(flag, false, user.openFeature());
        boolean expected = FlagEvaluator.isEnabled(app.app().node().flags().current(), flag, user.ours());
        assertThat(details.getErrorCode()).as(flag + " for " + user + ": " + details.getErrorMessage()).isNull();
        assertThat(details.getValue()).as(flag + " for " + user).isEqualTo(expected);
        assertThat(details.getVariant()).isEqualTo(expected ? "on" : "off");
        reasons.add(details.getReason());
        if (expected) on++;
        checked++;
      }
    }
    System.out.println("Java SDK: " + checked + " evaluations matched our evaluator, " + on + " on; reasons " + reasons);
    assertThat(checked).isEqualTo(22 * FLAGS.size());
    assertThat(on).as("both answers occur").isBetween(1, checked - 1);
    assertThat(reasons).containsExactlyInAnyOrder("SPLIT", "TARGETING_MATCH", "DISABLED");
  }

  @Test
  @DisplayName("Typed flags reach the SDK typed: strings from weighted variants, integers, doubles and objects")
  void typedFlags() {
    String admin = app.token("ops-2", "ADMIN");
    create(admin, new JsonObject().put("name", "java-sdk-colour").put("enabled", true).put("type", "string")
        .put("variants", new JsonArray()
            .add(new JsonObject().put("name", "blue").put("value", "blue").put("weight", 500))
            .add(new JsonObject().put("name", "green").put("value", "green").put("weight", 500)))
        .put("rules", new JsonArray().add(new JsonObject()))
        .put("defaultVariant", new JsonObject().put("name", "grey").put("value", "grey")));
    create(admin, new JsonObject().put("name", "java-sdk-page-size").put("enabled", true).put("type", "number")
        .put("rules", new JsonArray()).put("defaultVariant", new JsonObject().put("name", "ten").put("value", 10)));
    create(admin, new JsonObject().put("name", "java-sdk-ratio").put("enabled", true).put("type", "number")
        .put("rules", new JsonArray()).put("defaultVariant", new JsonObject().put("name", "half").put("value", 2.5)));
    create(admin, new JsonObject().put("name", "java-sdk-limits").put("enabled", true).put("type", "json")
        .put("rules", new JsonArray()).put("defaultVariant", new JsonObject().put("name", "basic")
            .put("value", new JsonObject().put("uploads", 3).put("plan", "basic"))));

    Set<String> colours = new java.util.TreeSet<>();
    for (User user : users()) {
      FlagEvaluationDetails<String> colour = asService.getStringDetails("java-sdk-colour", "none", user.openFeature());
      assertThat(colour.getErrorCode()).as(colour.getErrorMessage()).isNull();
      Object expected = FlagEvaluator.evaluate(app.app().node().flags().current(), "java-sdk-colour", user.ours()).value();
      assertThat(colour.getValue()).as(user.toString()).isEqualTo(expected);
      assertThat(colour.getReason()).isEqualTo("SPLIT");
      colours.add(colour.getValue());
    }
    assertThat(colours).containsExactly("blue", "green");
    ImmutableContext someone = new ImmutableContext("user-1");
    assertThat(asService.getIntegerValue("java-sdk-page-size", 0, someone)).isEqualTo(10);
    assertThat(asService.getDoubleValue("java-sdk-ratio", 0.0, someone)).isEqualTo(2.5);
    Value limits = asService.getObjectValue("java-sdk-limits", new Value(), someone);
    assertThat(limits.asStructure().getValue("uploads").asInteger()).isEqualTo(3);
    assertThat(limits.asStructure().getValue("plan").asString()).isEqualTo("basic");
    // The provider types strictly: an integral number read as a double is its TYPE_MISMATCH (README).
    assertThat(asService.getDoubleDetails("java-sdk-page-size", 1.5, someone).getErrorCode())
        .isEqualTo(ErrorCode.TYPE_MISMATCH);
  }

  @Test
  @DisplayName("A missing flag gives the SDK's FLAG_NOT_FOUND and the code default")
  void missingFlag() {
    FlagEvaluationDetails<Boolean> details = asService.getBooleanDetails("java-sdk-missing", true,
        new ImmutableContext("user-1"));
    assertThat(details.getValue()).isTrue();
    assertThat(details.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(details.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(asViewer.getBooleanValue("java-sdk-missing", false)).isFalse();
  }

  @Test
  @DisplayName("A user's token evaluates its own claims: the context it sends cannot make it someone else")
  void userTokenEvaluatesItself() {
    ImmutableContext posing = new ImmutableContext("user-5", Map.of("role", new Value("CREATOR")));
    assertThat(asService.getBooleanValue(CREATORS, false, posing)).isTrue();
    assertThat(asService.getBooleanValue(LISTED, false, posing)).isTrue();
    assertThat(asViewer.getBooleanValue(CREATORS, true, posing)).isFalse();
    assertThat(asViewer.getBooleanValue(LISTED, true, posing)).isFalse();
    boolean ownQuarter = FlagEvaluator.isEnabled(app.app().node().flags().current(), QUARTER,
        new EvaluationContext("viewer-7", Role.VIEWER, null, null, Map.of()));
    assertThat(asViewer.getBooleanValue(QUARTER, !ownQuarter, posing)).isEqualTo(ownQuarter);
  }

  @Test
  @DisplayName("A SERVICE context without a targetingKey is the SDK's TARGETING_KEY_MISSING-style invalid context")
  void serviceNeedsATargetingKey() {
    FlagEvaluationDetails<Boolean> details = asService.getBooleanDetails(QUARTER, true, new ImmutableContext());
    assertThat(details.getValue()).isTrue();
    // Provider 0.0.2 reads every 400 as INVALID_CONTEXT; the body's errorCode says TARGETING_KEY_MISSING.
    assertThat(details.getErrorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
  }
}
