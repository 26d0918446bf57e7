package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("UnleashImport maps Unleash's feature format and lists whatever it had to rewrite")
class UnleashImportTest {

  static UnleashImport.Result read(String json) {
    return UnleashImport.read(new JsonObject(json.replace('\'', '"')));
  }

  static NewFlag only(UnleashImport.Result r) {
    assertThat(r.flags()).hasSize(1);
    return r.flags().get(0);
  }

  @Test
  @DisplayName("Strategies become rules: flexibleRollout keeps rollout, stickiness and group id; userWithId an IN")
  void strategies() {
    NewFlag f = only(read("""
        {'version': 2, 'features': [{'name': 'new-checkout', 'enabled': true, 'strategies': [
          {'name': 'flexibleRollout', 'parameters': {'rollout': '25', 'stickiness': 'sessionId', 'groupId': 'grp'},
           'constraints': [{'contextName': 'environment', 'operator': 'IN', 'values': ['prod']}]},
          {'name': 'userWithId', 'parameters': {'userIds': 'a, b,c'}},
          {'name': 'gradualRolloutUserId', 'parameters': {'percentage': 10, 'groupId': 'g2'}},
          {'name': 'default'}]}]}"""));
    assertThat(f.enabled()).isTrue();
    assertThat(f.type()).isEqualTo(FlagType.BOOLEAN);
    assertThat(f.rules()).containsExactly(
        new Rule(List.of(Constraint.of("environment", Operator.IN, "prod")), List.of(), 25, "grp", "sessionId", List.of()),
        new Rule(List.of(Constraint.of("userId", Operator.IN, "a", "b", "c")), List.of(), null, null, null, List.of()),
        new Rule(List.of(), List.of(), 10, "g2", "userId", List.of()),
        new Rule(List.of(), List.of(), null, null, null, List.of()));
  }

  @Test
  @DisplayName("An unknown strategy and an unknown operator match nobody, and both are listed")
  void unknowns() {
    UnleashImport.Result r = read("""
        {'features': [{'name': 'host-flag', 'enabled': true, 'strategies': [
          {'name': 'applicationHostname', 'parameters': {'hostNames': 'web-1'}},
          {'name': 'default', 'constraints': [{'contextName': 'plan', 'operator': 'FANCY', 'values': ['x'], 'inverted': true}]}]}]}""");
    NewFlag f = only(r);
    assertThat(f.rules()).extracting(Rule::rolloutPercentage).containsExactly(0, 0);
    assertThat(r.notRepresentable()).anyMatch(n -> n.contains("strategy 'applicationHostname' is not supported"))
        .anyMatch(n -> n.contains("operator 'FANCY' is unknown"));
  }

  @Test
  @DisplayName("Operands Unleash never matches make their constraint constant: inverted it is left out, else the rule matches nobody")
  void constants() {
    UnleashImport.Result r = read("""
        {'features': [{'name': 'versions', 'enabled': true, 'strategies': [
          {'name': 'default', 'constraints': [{'contextName': 'v', 'operator': 'SEMVER_GT', 'value': 'v1.0.0', 'inverted': true},
                                             {'contextName': 'plan', 'operator': 'IN', 'values': ['gold']}]},
          {'name': 'default', 'constraints': [{'contextName': 'n', 'operator': 'NUM_LT', 'value': 'lots'}]},
          {'name': 'default', 'constraints': [{'contextName': 'env', 'operator': 'NOT_IN', 'values': []}]}]}]}""");
    NewFlag f = only(r);
    assertThat(f.rules().get(0).constraints()).containsExactly(Constraint.of("plan", Operator.IN, "gold"));
    assertThat(f.rules().get(0).rolloutPercentage()).isNull();
    assertThat(f.rules().get(1).rolloutPercentage()).isZero();
    assertThat(f.rules().get(2).constraints()).isEmpty();
    assertThat(r.notRepresentable()).hasSize(3);
  }

  @Test
  @DisplayName("Payload types give the flag type; non-boolean flags get Unleash's 'disabled' as default variant")
  void payloads() {
    UnleashImport.Result r = read("""
        {'features': [
          {'name': 'limits', 'enabled': true, 'strategies': [], 'variants': [
            {'name': 'low', 'weight': 500, 'payload': {'type': 'number', 'value': '10'}, 'stickiness': 'tenantId',
             'overrides': [{'contextName': 'userId', 'values': ['vip']}]},
            {'name': 'high', 'weight': 500, 'payload': {'type': 'number', 'value': '1e3'}}]},
          {'name': 'banner', 'enabled': true, 'strategies': [], 'variants': [
            {'name': 'a', 'weight': 1, 'payload': {'type': 'json', 'value': '{\\"text\\": \\"hi\\"}'}}]},
          {'name': 'tags', 'enabled': true, 'strategies': [], 'variants': [
            {'name': 'a', 'weight': 1, 'payload': {'type': 'csv', 'value': 'x,y'}}]},
          {'name': 'named', 'enabled': true, 'strategies': [], 'variants': [{'name': 'a', 'weight': 1}]}]}""");
    NewFlag limits = r.flags().get(0);
    assertThat(limits.type()).isEqualTo(FlagType.NUMBER);
    assertThat(limits.variants()).containsExactly(
        new Variant("low", new BigDecimal("10"), 500, "tenantId", List.of(new VariantOverride("userId", List.of("vip")))),
        new Variant("high", new BigDecimal("1e3"), 500, null, List.of()));
    assertThat(limits.defaultVariant()).isEqualTo(new Variant("disabled", BigDecimal.ZERO));
    assertThat(r.flags().get(1).type()).isEqualTo(FlagType.JSON);
    assertThat(r.flags().get(1).variants().get(0).value()).isEqualTo(Map.of("text", "hi"));
    assertThat(r.flags().get(2).type()).isEqualTo(FlagType.STRING);
    assertThat(r.flags().get(3).type()).isEqualTo(FlagType.BOOLEAN);
    assertThat(r.flags().get(3).variants().get(0).value()).isEqualTo(true);
    assertThat(r.notRepresentable()).anyMatch(n -> n.contains("csv payloads are imported as strings"));
  }

  @Test
  @DisplayName("Segments are named, referred to by name, and a missing one is listed")
  void segments() {
    UnleashImport.Result r = read("""
        {'features': [{'name': 'seg-flag', 'enabled': true, 'strategies': [{'name': 'default', 'segments': [1, 7]}]}],
         'segments': [{'id': 1, 'name': 'beta', 'constraints': [{'contextName': 'beta', 'operator': 'IN', 'values': ['true']}]},
                      {'id': 2, 'constraints': [{'contextName': 'x', 'operator': 'NOPE', 'values': ['1']}]}]}""");
    assertThat(only(r).rules().get(0).segments()).containsExactly("beta", "segment-7");
    assertThat(r.segments()).extracting(Segment::name).containsExactly("beta", "segment-2");
    assertThat(r.segments().get(1).constraints()).containsExactly(Constraint.of("x", Operator.IN, "never"),
        Constraint.of("x", Operator.NOT_IN, "never"));
    assertThat(r.notRepresentable()).anyMatch(n -> n.contains("segment 7"))
        .anyMatch(n -> n.contains("contradiction"));
  }

  @Test
  @DisplayName("Dependencies keep parent, enabled and variants; Unleash's 'disabled' of a variant-less parent is 'on'")
  void dependencies() {
    NewFlag child = read("""
        {'features': [
          {'name': 'parent', 'enabled': true, 'strategies': []},
          {'name': 'child', 'enabled': true, 'strategies': [],
           'dependencies': [{'feature': 'parent', 'variants': ['disabled']}, {'feature': 'other', 'enabled': false}]}]}""")
        .flags().get(1);
    assertThat(child.dependencies()).containsExactly(new Dependency("parent", true, List.of("on")),
        new Dependency("other", false, List.of()));
  }

  @Test
  @DisplayName("Names this service refuses are listed and left out of importable()")
  void names() {
    UnleashImport.Result r = read("""
        {'features': [{'name': 'Feature.A', 'enabled': true, 'strategies': []},
                      {'name': 'feature-b', 'enabled': false, 'strategies': [], 'project': 'default', 'stale': false}]}""");
    assertThat(r.flags()).hasSize(2);
    assertThat(r.importable()).extracting(NewFlag::name).containsExactly("feature-b");
    assertThat(r.notRepresentable()).anyMatch(n -> n.contains("'Feature.A'") && n.contains("refuses the name"))
        .anyMatch(n -> n.contains("metadata") && n.contains("project") && n.contains("stale"));
  }

  @Test
  @DisplayName("A document without features is refused")
  void notADocument() {
    assertThatThrownBy(() -> read("{'flags': []}")).isInstanceOf(BadInput.class).hasMessageContaining("features");
  }
}
