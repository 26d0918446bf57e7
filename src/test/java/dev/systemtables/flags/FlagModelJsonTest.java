package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The JSON form of the flag model and its validating parser")
class FlagModelJsonTest {

  static final String RICH = """
      {"name": "checkout-theme", "enabled": true, "type": "string",
       "variants": [{"name": "red", "value": "#f00", "weight": 500, "stickiness": "tenantId",
                     "overrides": [{"contextName": "userId", "values": ["alice"]}]},
                    {"name": "blue", "value": "#00f", "weight": 500}],
       "rules": [{"constraints": [{"contextName": "plan", "operator": "IN", "values": ["gold"]},
                                 {"contextName": "appVersion", "operator": "SEMVER_GTE", "value": "2.1.0"}],
                  "segments": ["beta-testers"], "rolloutPercentage": 40, "groupId": "theme", "stickiness": "userId",
                  "variants": [{"name": "green", "value": "#0f0", "weight": 1}]},
                 {"constraints": [{"contextName": "email", "operator": "STR_ENDS_WITH", "values": ["@x.io"],
                                   "inverted": true, "caseInsensitive": true}]}],
       "dependencies": [{"flag": "new-checkout"}, {"flag": "old-theme", "enabled": false}],
       "defaultVariant": {"name": "grey", "value": "#999"}}
      """;

  static NewFlag parse(String json) {
    return NewFlag.fromJson(new JsonObject(json));
  }

  static Flag asFlag(NewFlag n) {
    return new Flag("id-1", n.name(), n.enabled(), n.description(), n.rolloutPercentage(), n.conditions(), null,
        null, null, null, n.type(), n.variants(), n.rules(), n.dependencies(), n.defaultVariant());
  }

  @Test
  @DisplayName("A rich flag reads into the records and writes back to JSON that reads into the same records")
  void roundTrip() {
    NewFlag n = parse(RICH);
    assertThat(n.type()).isEqualTo(FlagType.STRING);
    assertThat(n.variants()).extracting(Variant::name).containsExactly("red", "blue");
    assertThat(n.variants().get(0).overrides()).containsExactly(new VariantOverride("userId", List.of("alice")));
    Rule first = n.rules().get(0);
    assertThat(first.constraints()).containsExactly(Constraint.of("plan", Operator.IN, "gold"),
        Constraint.single("appVersion", Operator.SEMVER_GTE, "2.1.0"));
    assertThat(first.segments()).containsExactly("beta-testers");
    assertThat(first.rolloutPercentage()).isEqualTo(40);
    assertThat(n.rules().get(1).constraints().get(0).inverted()).isTrue();
    assertThat(n.rules().get(1).constraints().get(0).caseInsensitive()).isTrue();
    assertThat(n.dependencies()).containsExactly(new Dependency("new-checkout", true, List.of()),
        new Dependency("old-theme", false, List.of()));
    assertThat(n.defaultVariant()).isEqualTo(new Variant("grey", "#999"));

    JsonObject written = FlagJson.toJson(asFlag(n));
    assertThat(written.getString("type")).isEqualTo("string");
    JsonObject body = written.copy();
    for (String readOnly : List.of("id", "createdBy", "updatedBy", "createdAt", "updatedAt")) body.remove(readOnly);
    NewFlag again = NewFlag.fromJson(body);
    assertThat(again).isEqualTo(n);
  }

  @Test
  @DisplayName("Number and json flags keep their values' types")
  void types() {
    NewFlag number = parse("""
        {"name": "max-items", "type": "number", "variants": [{"name": "ten", "value": 10, "weight": 1}],
         "rules": [], "defaultVariant": {"name": "five", "value": 5.0}}""");
    assertThat(number.variants().get(0).value()).isEqualTo(new BigDecimal("10"));
    assertThat(number.defaultVariant().value()).isEqualTo(new BigDecimal("5.0"));
    NewFlag json = parse("""
        {"name": "banner", "type": "json", "rules": [],
         "defaultVariant": {"name": "none", "value": {"text": "hi", "sizes": [1, 2]}}}""");
    assertThat(json.defaultVariant().value()).isEqualTo(Map.of("text", "hi", "sizes", List.of(1, 2)));
    assertThat(FlagJson.toJson(asFlag(json)).getJsonObject("defaultVariant").getJsonObject("value").getString("text"))
        .isEqualTo("hi");
  }

  @Test
  @DisplayName("A legacy flag body reads as before: no rules, boolean, no variants")
  void legacy() {
    NewFlag n = parse("{\"name\": \"old-style\", \"rolloutPercentage\": 30, \"conditions\": {\"userIds\": [\"u1\"]}}");
    assertThat(n.rules()).isNull();
    assertThat(n.type()).isEqualTo(FlagType.BOOLEAN);
    assertThat(n.variants()).isEmpty();
    assertThat(n.rolloutPercentage()).isEqualTo(30);
    JsonObject written = FlagJson.toJson(asFlag(n));
    assertThat(written.getValue("rules")).isNull();
    assertThat(written.getJsonArray("variants")).isEmpty();
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "{'rules': [{'constraints': [{'contextName': 'a', 'operator': 'IN', 'values': ['x']}, {'contextName': 'b', 'operator': 'LIKE', 'values': ['y']}]}]} | rules[0].constraints[1].operator",
      "{'rules': [{'constraints': [{'contextName': 'v', 'operator': 'SEMVER_GT', 'value': 'v1.0.0'}]}]} | rules[0].constraints[0].value must be a semantic version",
      "{'rules': [{'constraints': [{'contextName': 'n', 'operator': 'NUM_GT', 'value': 'ten'}]}]} | rules[0].constraints[0].value must be a number",
      "{'rules': [{'constraints': [{'contextName': 't', 'operator': 'DATE_AFTER', 'value': 'soon'}]}]} | rules[0].constraints[0].value must be an ISO-8601",
      "{'rules': [{'constraints': [{'contextName': 'e', 'operator': 'REGEX', 'values': ['ok', '(']}]}]} | rules[0].constraints[0].values[1] is not a valid regular expression",
      "{'rules': [{'constraints': [{'contextName': 'ip', 'operator': 'IN_CIDR', 'values': ['10.0.0.0/40']}]}]} | rules[0].constraints[0].values[0] must be an IP address",
      "{'rules': [{'rolloutPercentage': 101}]} | rules[0].rolloutPercentage must be an integer from 0 to 100",
      "{'rules': [{'rollout': 10}]} | rules[0].rollout is not a known field",
      "{'rules': [{'variants': [{'name': 'a', 'value': 'x', 'weight': 1}]}]} | rules[0].variants[0].value must be a boolean",
      "{'type': 'string', 'rules': []} | defaultVariant is required for a string flag",
      "{'type': 'number', 'variants': [{'name': 'a', 'value': '1', 'weight': 1}], 'defaultVariant': {'name': 'z', 'value': 0}} | variants[0].value must be a finite number",
      "{'type': 'string', 'variants': [{'name': 'a', 'value': 'x', 'weight': 1001}], 'defaultVariant': {'name': 'z', 'value': ''}} | variants[0].weight must be an integer from 0 to 1000",
      "{'variants': [{'name': 'a', 'value': true, 'weight': 1}, {'name': 'a', 'value': false, 'weight': 1}]} | variants[1].name 'a' is used twice",
      "{'type': 'decimal'} | type must be one of boolean, string, number, json",
      "{'rules': [], 'conditions': {'userIds': ['u']}} | conditions: a flag with rules has no conditions",
      "{'rules': [], 'rolloutPercentage': 50} | rolloutPercentage: a flag with rules has no rollout",
      "{'dependencies': [{'flag': 'the-flag'}]} | dependencies[0].flag: a flag cannot depend on itself",
      "{'dependencies': [{'flag': 'p', 'enabled': false, 'variants': ['x']}]} | dependencies[0].variants can only be required",
      "{'dependencies': [{'enabled': true}]} | dependencies[0].flag is required",
  })
  @DisplayName("Bad input names the field path")
  void errors(String extra, String message) {
    JsonObject body = new JsonObject(extra.replace('\'', '"')).put("name", "the-flag");
    assertThatThrownBy(() -> NewFlag.fromJson(body)).isInstanceOf(BadInput.class).hasMessageContaining(message);
  }

  @Test
  @DisplayName("A PATCH reads values without knowing the flag's type and checks them once applied")
  void patch() {
    Flag number = asFlag(parse("""
        {"name": "max-items", "type": "number", "rules": [], "defaultVariant": {"name": "five", "value": 5}}"""));
    FlagPatch ok = FlagPatch.fromJson(new JsonObject("""
        {"variants": [{"name": "ten", "value": 10, "weight": 1}]}"""));
    Flag patched = ok.applyTo(number, "admin");
    assertThat(patched.variants().get(0).value()).isEqualTo(new BigDecimal("10"));
    FlagPatch wrong = FlagPatch.fromJson(new JsonObject("""
        {"variants": [{"name": "ten", "value": "ten", "weight": 1}]}"""));
    assertThatThrownBy(() -> wrong.applyTo(number, "admin")).isInstanceOf(BadInput.class)
        .hasMessageContaining("variants[0].value must be a finite number");
    FlagPatch toLegacy = FlagPatch.fromJson(new JsonObject("{\"rules\": null, \"type\": \"boolean\", \"defaultVariant\": null}"));
    Flag legacy = toLegacy.applyTo(number, "admin");
    assertThat(legacy.legacy()).isTrue();
    assertThat(legacy.type()).isEqualTo(FlagType.BOOLEAN);
  }

  @Test
  @DisplayName("A PATCH giving a legacy flag rules drops its conditions and rollout")
  void patchToRules() {
    Flag legacy = asFlag(parse("{\"name\": \"old-style\", \"rolloutPercentage\": 30, \"conditions\": {\"userIds\": [\"u1\"]}}"));
    Flag ruled = FlagPatch.fromJson(new JsonObject("{\"rules\": [{\"rolloutPercentage\": 30}]}")).applyTo(legacy, "a");
    assertThat(ruled.conditions()).isNull();
    assertThat(ruled.rolloutPercentage()).isZero();
    assertThat(ruled.rules()).hasSize(1);
    assertThat(FlagJson.rulesJson(ruled.rules())).isEqualTo(new JsonArray("""
        [{"constraints": [], "segments": [], "rolloutPercentage": 30, "groupId": null, "stickiness": null, "variants": []}]"""));
  }
}
