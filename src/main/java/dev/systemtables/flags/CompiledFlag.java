package dev.systemtables.flags;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A rule flag ready for evaluation inside one {@link FlagSnapshot}: constraints compiled, segment references
 * resolved to their constraints (a missing segment makes its rule match nobody), variant weights summed.
 * Immutable; built once per snapshot.
 */
final class CompiledFlag {

  /** Unleash's variant hash: murmur3 x86 32-bit with this seed, over {@code "<groupId>:<seed>"}. */
  private static final HashFunction VARIANT_HASH = Hashing.murmur3_32_fixed(86028157);

  final Flag flag;
  private final CompiledRule[] rules;
  private final Variants flagVariants;

  CompiledFlag(Flag flag, FlagSnapshot segments) {
    this.flag = flag;
    this.flagVariants = new Variants(flag.variants(), flag.name(), null);
    List<Rule> source = flag.rules() == null ? List.of() : flag.rules();
    this.rules = new CompiledRule[source.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = new CompiledRule(source.get(i), flag.name(), segments);
    }
  }

  /** Whether an answer of this flag may depend on the clock (a DATE_* constraint in a rule or one of its segments). */
  boolean readsClock() {
    for (CompiledRule rule : rules) {
      if (rule.readsClock()) return true;
    }
    return false;
  }

  /**
   * Whether this flag's on/off may be drawn at random for a caller with a user id: a rollout between 0 and
   * 100 % on {@code random} stickiness. (A {@code default} rollout draws only for a caller with neither user id nor
   * session id, and a token always has a user id; a named field that is missing never matches, without a draw.)
   */
  boolean rolloutMayBeRandom() {
    for (CompiledRule rule : rules) {
      if (rule.randomRollout()) return true;
    }
    return false;
  }

  /**
   * Whether the variant served may be drawn at random for a caller with a user id: a weighted choice on a named
   * stickiness field falls back to a random seed when the caller lacks that field. Only a dependency that names
   * variants reads a parent's variant into another flag's on/off.
   */
  boolean variantMayBeRandom() {
    if (flagVariants.mayBeRandom()) return true;
    for (CompiledRule rule : rules) {
      if (rule.variants.mayBeRandom()) return true;
    }
    return false;
  }

  /**
   * The rule-flag steps of the evaluation (the flag is enabled and its dependencies hold): the first matching rule
   * and its variant, or the default variant when none matches.
   */
  Evaluation evaluateRules(EvaluationContext ctx) {
    if (rules.length == 0) {
      return answer(flagVariants, ctx, false, false);
    }
    for (CompiledRule rule : rules) {
      int match = rule.match(ctx);
      if (match == NO_MATCH) continue;
      Variants variants = rule.variants.isEmpty() ? flagVariants : rule.variants;
      return answer(variants, ctx, match == MATCH_BY_ROLLOUT, rule.targeted);
    }
    return Evaluation.of(flag.name(), false, flag.offVariant(), Reason.DEFAULT);
  }

  private Evaluation answer(Variants variants, EvaluationContext ctx, boolean split, boolean targeted) {
    Variant v = variants.override(ctx);
    if (v == null) {
      v = variants.weighted(ctx);
      if (v == null) {
        v = flag.type() == FlagType.BOOLEAN ? Variant.ON : flag.offVariant();
      } else if (variants.split()) {
        split = true;
      }
    }
    Reason reason = split ? Reason.SPLIT : targeted ? Reason.TARGETING_MATCH : Reason.STATIC;
    return Evaluation.of(flag.name(), true, v, reason);
  }

  static final int NO_MATCH = 0;
  static final int MATCH = 1;
  static final int MATCH_BY_ROLLOUT = 2;

  /** One rule: its own and its segments' constraints, rollout and variants. */
  static final class CompiledRule {
    private final CompiledConstraint[] constraints;
    /** A referenced segment is missing: the rule matches nobody. */
    private final boolean broken;
    private final int rollout;
    private final String groupId;
    private final String stickiness;
    final boolean targeted;
    final Variants variants;

    CompiledRule(Rule rule, String flagName, FlagSnapshot segments) {
      List<CompiledConstraint> all = new ArrayList<>();
      for (Constraint c : rule.constraints()) all.add(new CompiledConstraint(c));
      boolean missing = false;
      for (String name : rule.segments()) {
        Segment s = segments == null ? null : segments.segment(name);
        if (s == null) {
          missing = true;
        } else {
          for (Constraint c : s.constraints()) all.add(new CompiledConstraint(c));
        }
      }
      this.constraints = all.toArray(CompiledConstraint[]::new);
      this.broken = missing;
      this.rollout = rule.rollout();
      this.groupId = rule.groupId() != null ? rule.groupId() : flagName;
      this.stickiness = rule.stickiness() == null ? "default" : rule.stickiness();
      this.targeted = !rule.constraints().isEmpty() || !rule.segments().isEmpty();
      String variantStickiness = rule.variants().isEmpty() ? null : rule.variants().get(0).stickiness();
      this.variants = new Variants(rule.variants(), groupId, variantStickiness != null ? variantStickiness : stickiness);
    }

    boolean readsClock() {
      for (CompiledConstraint c : constraints) {
        if (c.readsClock()) return true;
      }
      return false;
    }

    boolean randomRollout() {
      return "random".equals(stickiness) && rollout > 0 && rollout < 100;
    }

    /** {@link #NO_MATCH}, {@link #MATCH}, or {@link #MATCH_BY_ROLLOUT} when a rollout below 100 % let the caller in. */
    int match(EvaluationContext ctx) {
      if (broken) return NO_MATCH;
      for (CompiledConstraint c : constraints) {
        if (!c.test(ctx)) return NO_MATCH;
      }
      if (rollout <= 0) return NO_MATCH;
      // Unleash's flexibleRollout: default = userId, then sessionId, then random; a named field that is missing
      // never matches, even at 100 %.
      String id;
      switch (stickiness) {
        case "default" -> {
          id = nonEmpty(ctx.userId());
          if (id == null) id = nonEmpty(ctx.sessionId());
          if (id == null) {
            if (rollout >= 100) return MATCH;
            return ThreadLocalRandom.current().nextInt(100) + 1 <= rollout ? MATCH_BY_ROLLOUT : NO_MATCH;
          }
        }
        case "random" -> {
          if (rollout >= 100) return MATCH;
          return ThreadLocalRandom.current().nextInt(100) + 1 <= rollout ? MATCH_BY_ROLLOUT : NO_MATCH;
        }
        default -> {
          id = nonEmpty(CompiledConstraint.text(ctx.field(stickiness)));
          if (id == null) return NO_MATCH;
        }
      }
      if (rollout >= 100) return MATCH;
      return Bucketing.bucket(groupId, id) <= rollout ? MATCH_BY_ROLLOUT : NO_MATCH;
    }
  }

  /** A list of variants as Unleash's {@code selectVariantDefinition} reads it. */
  static final class Variants {
    private final Variant[] variants;
    private final int totalWeight;
    private final String groupId;
    private final String stickiness;
    private final boolean hasOverrides;
    private final int weighted;

    Variants(List<Variant> list, String groupId, String stickiness) {
      this.variants = list.toArray(Variant[]::new);
      int total = 0;
      int positive = 0;
      boolean overrides = false;
      for (Variant v : variants) {
        total += v.weight();
        if (v.weight() > 0) positive++;
        if (!v.overrides().isEmpty()) overrides = true;
      }
      this.totalWeight = total;
      this.weighted = positive;
      this.groupId = groupId;
      String s = stickiness != null ? stickiness : variants.length == 0 ? null : variants[0].stickiness();
      this.stickiness = s == null ? "default" : s;
      this.hasOverrides = overrides;
    }

    boolean isEmpty() {
      return variants.length == 0;
    }

    /** Whether {@link #weighted} may seed at random for a caller with a user id (see {@link #seed}). */
    boolean mayBeRandom() {
      return totalWeight > 0 && !"default".equals(stickiness);
    }

    /** Whether a weighted choice here is a choice among two or more variants. */
    boolean split() {
      return weighted >= 2;
    }

    /** The first variant an override forces for this caller; null when none does or the total weight is 0. */
    Variant override(EvaluationContext ctx) {
      if (!hasOverrides || totalWeight <= 0) return null;
      for (Variant v : variants) {
        for (VariantOverride o : v.overrides()) {
          String value = CompiledConstraint.text(ctx.field(o.contextName()));
          if (value != null && o.values().contains(value)) return v;
        }
      }
      return null;
    }

    /** The variant the weights give this caller; null when there are none (or the total weight is 0). */
    Variant weighted(EvaluationContext ctx) {
      if (totalWeight <= 0) return null;
      long hash = Integer.toUnsignedLong(
          VARIANT_HASH.hashString(groupId + ":" + seed(ctx), StandardCharsets.UTF_8).asInt());
      int target = (int) (hash % totalWeight) + 1;
      int counter = 0;
      for (Variant v : variants) {
        if (v.weight() == 0) continue;
        counter += v.weight();
        if (counter >= target) return v;
      }
      return null;
    }

    /** Unleash's {@code getSeed}: default = userId, sessionId, remoteAddress, else random; a field, else random. */
    private String seed(EvaluationContext ctx) {
      String id;
      if ("default".equals(stickiness)) {
        id = nonEmpty(ctx.userId());
        if (id == null) id = nonEmpty(ctx.sessionId());
        if (id == null) id = nonEmpty(ctx.remoteAddress());
      } else {
        id = nonEmpty(CompiledConstraint.text(ctx.field(stickiness)));
      }
      return id != null ? id : Integer.toString(ThreadLocalRandom.current().nextInt(1_000_000));
    }
  }

  static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
