package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * A request to schedule a flag change: {@code {"at": ISO-8601 with a zone, "patch": a flag PATCH body}}.
 * The patch is checked now exactly as a PATCH would be (and again when it is applied, against the flag as it
 * is then). Errors name the field: {@code at}, {@code patch.rolloutPercentage}, ...
 */
public record ScheduleRequest(Instant at, JsonObject patch) {

  static final Set<String> FIELDS = Set.of("at", "patch");
  /** Further ahead than this is almost certainly a typo in the year. */
  static final Duration MAX_AHEAD = Duration.ofDays(5 * 366);

  /** Reads and checks a request body; {@code now} is when it is made. */
  public static ScheduleRequest fromJson(JsonObject body, Instant now) {
    for (String field : body.fieldNames()) {
      Check.that(FIELDS.contains(field), field + " is not a field of a scheduled change (at, patch)");
    }
    String text = Fields.optionalString(body, "at");
    Check.that(text != null, "at is required: an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z");
    Instant at;
    try {
      at = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new BadInput("at must be an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z, got '" + text + "'");
    }
    Check.that(at.isAfter(now), "at must be in the future, got " + at);
    Check.that(!at.isAfter(now.plus(MAX_AHEAD)), "at must be within 5 years, got " + at);
    JsonObject patch = Fields.optionalObject(body, "patch");
    Check.that(patch != null, "patch is required: the flag fields to change, as in PATCH /api/v1/flags/{id}");
    try {
      FlagPatch.fromJson(patch);
    } catch (BadInput e) {
      throw new BadInput("patch." + e.getMessage());
    }
    return new ScheduleRequest(at, patch);
  }
}
