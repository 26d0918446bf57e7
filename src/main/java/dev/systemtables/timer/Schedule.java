package dev.systemtables.timer;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's slots: the instants (UTC) at which a Quartz cron expression fires. Quartz syntax has a
 * seconds field first and an optional year last, e.g. {@code 0 0 3 * * ?} = daily at 03:00:00.
 * Parsing and slot arithmetic are cron-utils'; this class only fixes the dialect and the zone and
 * makes "the slot at or before now" precise (cron-utils' {@code lastExecution} is strictly before).
 */
public final class Schedule {

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private final String expression;
  private final ExecutionTime executions;

  private Schedule(String expression, ExecutionTime executions) {
    this.expression = expression;
    this.executions = executions;
  }

  /**
   * Parses a Quartz cron expression.
   *
   * @throws IllegalArgumentException with cron-utils' reason when the expression is not valid
   */
  public static Schedule parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("a cron expression is required");
    }
    String trimmed = expression.trim();
    return new Schedule(trimmed, ExecutionTime.forCron(PARSER.parse(trimmed)));
  }

  public String expression() {
    return expression;
  }

  /** The latest slot at or before {@code now}; empty when the expression never fired before. */
  public Optional<Instant> lastAtOrBefore(Instant now) {
    // Slots are whole seconds: the second now falls in is a slot when it matches.
    ZonedDateTime second = now.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC);
    if (executions.isMatch(second)) return Optional.of(second.toInstant());
    return executions.lastExecution(second).map(ZonedDateTime::toInstant);
  }

  /** The first slot strictly after {@code now}; empty when the expression never fires again. */
  public Optional<Instant> nextAfter(Instant now) {
    return executions.nextExecution(now.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
  }

  /**
   * The slot a manual run claims: {@code now} to the millisecond, moved one millisecond on when
   * it would coincide with a scheduled slot, so a manual run never takes a scheduled slot away.
   */
  public Instant manualSlot(Instant now) {
    Instant slot = now.truncatedTo(ChronoUnit.MILLIS);
    boolean onScheduledSlot = slot.getNano() == 0 && lastAtOrBefore(slot).map(slot::equals).orElse(false);
    return onScheduledSlot ? slot.plusMillis(1) : slot;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s && s.expression.equals(expression);
  }

  @Override
  public int hashCode() {
    return Objects.hash(expression);
  }

  @Override
  public String toString() {
    return expression;
  }
}
